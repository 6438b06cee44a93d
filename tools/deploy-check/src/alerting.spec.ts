import { runPrometheusTool as run } from './prometheus-tools';
import { readYaml } from './workspace';

/** The alerting configuration, checked by the tools that will run it. */
describe('infra/prometheus', () => {
  it('is a configuration promtool accepts, with its rule files', () => {
    const out = run('promtool', ['check', 'config', 'infra/prometheus/prometheus.yml']);
    expect(out).toContain('SUCCESS: 1 rule files found');
    expect(out).toMatch(/SUCCESS: \d+ rules found/);
  });

  it("passes the rules' unit tests", () => {
    expect(run('promtool', ['test', 'rules', 'infra/prometheus/tests/newsroom.rules.test.yml'])).toContain(
      'SUCCESS',
    );
  });

  it('tests every alert it defines', () => {
    interface Rules {
      groups: { rules: { alert?: string }[] }[];
    }
    interface RuleTests {
      tests: { alert_rule_test?: { alertname: string }[] }[];
    }
    const alerts = new Set(
      readYaml<Rules>('infra/prometheus/rules/newsroom.rules.yml').groups.flatMap((g) =>
        g.rules.flatMap((r) => (r.alert ? [r.alert] : [])),
      ),
    );
    const tested = new Set(
      readYaml<RuleTests>('infra/prometheus/tests/newsroom.rules.test.yml').tests.flatMap((t) =>
        (t.alert_rule_test ?? []).map((c) => c.alertname),
      ),
    );
    expect([...alerts].filter((a) => !tested.has(a))).toEqual([]);
  });
});

describe('infra/local/prometheus.yml (the laptop path)', () => {
  interface Config {
    rule_files: string[];
    scrape_configs: {
      job_name: string;
      honor_labels?: boolean;
      static_configs: { targets: string[]; labels?: Record<string, string> }[];
    }[];
  }

  it('is a configuration promtool accepts, with the same rule files', () => {
    expect(run('promtool', ['check', 'config', 'infra/local/prometheus.yml'])).toContain(
      'SUCCESS: 1 rule files found',
    );
  });

  it("scrapes the same jobs and services as Compose's, on localhost", () => {
    const onLocalhost = (config: Config) =>
      config.scrape_configs.map((job) => ({
        job: job.job_name,
        honorLabels: job.honor_labels ?? false,
        targets: job.static_configs.flatMap((c) =>
          c.targets.map(
            (t) =>
              `${c.labels?.['service'] ?? ''} ${t.replace(/^[a-z-]+:/, 'host:').replace(/^127\.0\.0\.1:/, 'host:')}`,
          ),
        ),
      }));
    const compose = onLocalhost(readYaml<Config>('infra/prometheus/prometheus.yml'));
    const laptop = onLocalhost(readYaml<Config>('infra/local/prometheus.yml'));
    expect(laptop).toEqual(compose);
  });
});

describe('infra/alertmanager', () => {
  const config = 'infra/alertmanager/alertmanager.yml';
  const receivers = (...labels: string[]) =>
    run('amtool', ['config', 'routes', 'test', `--config.file=${config}`, ...labels])
      .trim()
      .split(',');

  it('is a configuration amtool accepts', () => {
    expect(run('amtool', ['check-config', config])).toContain('SUCCESS');
  });

  it('sends every alert to the monitoring service, and pages on-call for pages and critical alerts', () => {
    expect(receivers('alertname=NewsroomErrorBudgetBurnFast', 'severity=page', 'type=serving')).toEqual([
      'monitoring',
      'on-call',
      'ops-chat',
    ]);
    expect(receivers('alertname=NewsroomTrainingRunsFailing', 'severity=critical', 'type=pipeline')).toEqual([
      'monitoring',
      'on-call',
      'ops-chat',
    ]);
  });

  it("routes the model's health to the ML team, slow burns to tickets, the rest to the team's chat", () => {
    expect(receivers('alertname=NewsroomDataDrift', 'severity=warning', 'type=drift')).toEqual([
      'monitoring',
      'ml-team',
    ]);
    expect(receivers('alertname=NewsroomModelQuality', 'severity=critical', 'type=model')).toEqual([
      'monitoring',
      'on-call',
      'ml-team',
    ]);
    expect(receivers('alertname=NewsroomErrorBudgetBurnSlow', 'severity=ticket', 'type=serving')).toEqual([
      'monitoring',
      'tickets',
    ]);
    expect(receivers('alertname=NewsroomOutboxBacklog', 'severity=warning', 'type=pipeline')).toEqual([
      'monitoring',
      'ops-chat',
    ]);
  });

  it("posts to the monitoring service's Alertmanager receiver, resolved alerts too", () => {
    interface Config {
      receivers: { name: string; webhook_configs?: { url: string; send_resolved?: boolean }[] }[];
    }
    const monitoring = readYaml<Config>(config).receivers.find((r) => r.name === 'monitoring');
    expect(monitoring?.webhook_configs).toEqual([
      { url: 'http://monitoring:3008/v1/alerts/alertmanager', send_resolved: true },
    ]);
  });
});

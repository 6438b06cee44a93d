import { serviceNames } from '@newsroom/contracts';
import { ServiceWorld, serviceWorld } from '@newsroom/platform/testing';
import { dashboardQueries, metricNamesIn, ruleQueries } from '@newsroom/testing';

/** Series Prometheus makes itself, whatever it scrapes. */
const prometheusOwn = ['up', 'ALERTS', 'ALERTS_FOR_STATE'];

/** The series names a /metrics page exposes: a histogram's and a summary's as Prometheus stores them. */
function exposedNames(text: string): string[] {
  const names: string[] = [];
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    if (type === 'histogram') names.push(`${name}_bucket`, `${name}_sum`, `${name}_count`);
    else if (type === 'summary') names.push(name, `${name}_sum`, `${name}_count`);
    else names.push(name);
  }
  return names;
}

/**
 * Every metric the alerting rules (infra/prometheus/rules) and the Grafana dashboards
 * (infra/grafana/dashboards) name is one the platform emits: read from the /metrics of every
 * service running as a process, not from a list kept by hand. A rule or panel on a renamed or
 * removed metric would stay silent or empty forever.
 */
describe('monitoring: the metrics the rules and dashboards name', () => {
  let world: ServiceWorld;
  const emitted = new Map<string, string[]>();

  beforeAll(async () => {
    world = await serviceWorld(1);
    for (const service of serviceNames) {
      const handle = await world.start(service);
      const response = await fetch(`http://127.0.0.1:${handle.process.port}/metrics`);
      emitted.set(service, exposedNames(await response.text()));
    }
  }, 300_000);

  afterAll(() => world?.tearDown(), 120_000);

  it('are each emitted by a running service, recorded by a rule, or made by Prometheus', () => {
    const recorded = ruleQueries().flatMap((q) => (q.records ? [q.records] : []));
    const known = new Set([...[...emitted.values()].flat(), ...recorded, ...prometheusOwn]);
    const queries = [...ruleQueries(), ...dashboardQueries()];
    const unknown = queries.flatMap((q) =>
      metricNamesIn(q.expr)
        .filter((m) => !known.has(m))
        .map((m) => `${q.where}: ${m}`),
    );
    expect(unknown).toEqual([]);
    // Not vacuous: the queries name many metrics, from several services.
    const named = new Set(queries.flatMap((q) => metricNamesIn(q.expr)));
    expect(named.size).toBeGreaterThan(40);
    expect(emitted.get('monitoring')).toContain('monitoring_drift_distance');
    expect(emitted.get('serving')).toContain('http_server_request_duration_seconds_bucket');
  });
});

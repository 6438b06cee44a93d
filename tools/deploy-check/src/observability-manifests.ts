import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { fromRoot, serviceNames } from './workspace';

/**
 * k8s/observability, made from the files Compose and the laptop path use, so that the three never
 * differ: the alerting rules as a PrometheusRule, a ServiceMonitor per service, and each dashboard
 * as a ConfigMap that Grafana's dashboard sidecar picks up (label `grafana_dashboard`).
 */
export const observabilityDir = fromRoot('k8s', 'observability');

const header = (what: string) =>
  `# ${what}\n# Made from infra/ by tools/deploy-check (observability.spec.ts); do not edit: change infra/ and run\n` +
  '#   UPDATE_K8S_OBSERVABILITY=1 npx jest -c tools/deploy-check/jest.config.js observability\n';

/** kube-prometheus selects rules and monitors by these labels; change them to your Prometheus's selectors. */
const operatorLabels = { 'app.kubernetes.io/part-of': 'newsroom', prometheus: 'k8s', role: 'alert-rules' };

function prometheusRule(): string {
  const rules = parse(readFileSync(fromRoot('infra/prometheus/rules/newsroom.rules.yml'), 'utf8'));
  return (
    header('The alerting and recording rules of infra/prometheus/rules/newsroom.rules.yml.') +
    stringify(
      {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PrometheusRule',
        metadata: { name: 'newsroom', labels: operatorLabels },
        spec: rules,
      },
      { lineWidth: 0 },
    )
  );
}

function serviceMonitors(): string {
  // The job label the rules select on (job=~"newsroom.*"), as infra/prometheus/prometheus.yml names it;
  // monitoring's own `service` labels are honoured, as there.
  const monitors = serviceNames().map((service) => ({
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { name: service, labels: { ...operatorLabels, 'app.kubernetes.io/name': service } },
    spec: {
      selector: {
        matchLabels: { 'app.kubernetes.io/name': service, 'app.kubernetes.io/component': 'service' },
      },
      endpoints: [
        {
          port: 'http',
          path: '/metrics',
          interval: '15s',
          ...(service === 'monitoring' ? { honorLabels: true } : {}),
          relabelings: [
            {
              targetLabel: 'job',
              replacement: service === 'monitoring' ? 'newsroom-monitoring' : 'newsroom',
            },
            { targetLabel: 'service', replacement: service },
          ],
        },
      ],
    },
  }));
  return (
    header('A ServiceMonitor per service: Prometheus scrapes every pod of it on its http port.') +
    monitors.map((m) => stringify(m, { lineWidth: 0 })).join('---\n')
  );
}

function dashboardConfigMaps(): string {
  const dir = fromRoot('infra/grafana/dashboards');
  const maps = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: `newsroom-dashboard-${file.replace(/\.json$/, '')}`,
        labels: { 'app.kubernetes.io/part-of': 'newsroom', grafana_dashboard: '1' },
        annotations: { grafana_folder: 'Newsroom' },
      },
      data: { [file]: readFileSync(join(dir, file), 'utf8') },
    }));
  return (
    header("The Grafana dashboards of infra/grafana/dashboards, for Grafana's dashboard sidecar.") +
    maps.map((m) => stringify(m, { lineWidth: 0 })).join('---\n')
  );
}

/** Every file of k8s/observability, by name, as it must read. */
export function observabilityManifests(): Map<string, string> {
  return new Map([
    [
      'kustomization.yaml',
      '# For clusters that run the Prometheus Operator and Grafana with its dashboard sidecar\n' +
        '# (kube-prometheus, kube-prometheus-stack): kubectl apply -k k8s/observability\n' +
        header('').split('\n').slice(1).join('\n') +
        stringify({
          apiVersion: 'kustomize.config.k8s.io/v1beta1',
          kind: 'Kustomization',
          namespace: 'newsroom',
          resources: ['prometheus-rule.yaml', 'service-monitors.yaml', 'grafana-dashboards.yaml'],
        }),
    ],
    ['prometheus-rule.yaml', prometheusRule()],
    ['service-monitors.yaml', serviceMonitors()],
    ['grafana-dashboards.yaml', dashboardConfigMaps()],
  ]);
}

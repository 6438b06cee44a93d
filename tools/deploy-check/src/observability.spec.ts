import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { build } from './kustomize';
import { validateManifest } from './models';
import { observabilityDir, observabilityManifests } from './observability-manifests';
import { readYaml, serviceNames } from './workspace';

const expected = observabilityManifests();
if (process.env['UPDATE_K8S_OBSERVABILITY'] === '1') {
  mkdirSync(observabilityDir, { recursive: true });
  for (const [file, text] of expected) writeFileSync(join(observabilityDir, file), text);
}

describe('k8s/observability', () => {
  it.each([...expected.keys()])(
    '%s is made from infra/ (if not: UPDATE_K8S_OBSERVABILITY=1 npx jest -c tools/deploy-check/jest.config.js observability)',
    (file) => {
      const path = join(observabilityDir, file);
      expect(existsSync(path) ? readFileSync(path, 'utf8') : '(missing)').toBe(expected.get(file));
    },
  );

  const objects = build(observabilityDir);

  it('builds into valid Prometheus Operator and Kubernetes objects in the newsroom namespace', () => {
    expect(objects.map((o) => validateManifest(o)).filter(Boolean)).toEqual([]);
    expect(objects.every((o) => o.metadata.namespace === 'newsroom')).toBe(true);
  });

  it('holds the same rules as infra/prometheus', () => {
    const rule = objects.find((o) => o.kind === 'PrometheusRule');
    expect(rule?.['spec']).toEqual(readYaml('infra/prometheus/rules/newsroom.rules.yml'));
  });

  it("monitors every service's Service on its http port, named as the rules expect", () => {
    const monitors = objects.filter((o) => o.kind === 'ServiceMonitor');
    expect(monitors.map((m) => m.metadata.name).sort()).toEqual(serviceNames());
    for (const m of monitors) {
      const service = readYaml<{
        metadata: { labels: Record<string, string> };
        spec: { ports: { name: string }[] };
      }>(`k8s/base/${m.metadata.name}/service.yaml`);
      const spec = m['spec'] as {
        selector: { matchLabels: Record<string, string> };
        endpoints: { port: string }[];
      };
      expect(service.metadata.labels).toMatchObject(spec.selector.matchLabels);
      expect(service.spec.ports.map((p) => p.name)).toContain(spec.endpoints[0].port);
    }
  });

  it("ships every dashboard as a ConfigMap for Grafana's sidecar", () => {
    const maps = objects.filter((o) => o.kind === 'ConfigMap');
    expect(maps).toHaveLength(6);
    for (const map of maps) {
      expect(map.metadata.labels).toMatchObject({ grafana_dashboard: '1' });
      const [json] = Object.values(map['data'] as Record<string, string>);
      expect(JSON.parse(json).uid).toMatch(/^newsroom-/);
    }
  });

  it('is not part of the base: clusters without the Prometheus Operator apply the base alone', () => {
    expect(
      parse(readFileSync(join(observabilityDir, '..', 'base', 'kustomization.yaml'), 'utf8')).resources,
    ).not.toContain('../observability');
  });
});

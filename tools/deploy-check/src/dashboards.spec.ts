import { dashboardQueries } from '@newsroom/testing';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runPrometheusTool } from './prometheus-tools';
import { fromRoot, readYaml } from './workspace';

interface Panel {
  id: number;
  title: string;
  type: string;
  datasource?: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: { expr: string; datasource?: { uid: string } }[];
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
}

const dir = fromRoot('infra/grafana/dashboards');
const dashboards = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((file) => ({ file, dashboard: JSON.parse(readFileSync(join(dir, file), 'utf8')) as Dashboard }));

describe('infra/grafana/dashboards', () => {
  it('are the six the operators look at, each with a uid of its own', () => {
    expect(dashboards.map((d) => d.dashboard.title).sort()).toEqual([
      'Newsroom — Data and drift',
      'Newsroom — Model quality',
      'Newsroom — Overview',
      'Newsroom — Pipelines and Kafka',
      'Newsroom — Resources',
      'Newsroom — Serving',
    ]);
    expect(new Set(dashboards.map((d) => d.dashboard.uid)).size).toBe(dashboards.length);
  });

  it('query the provisioned Prometheus data source', () => {
    const { datasources } = readYaml<{ datasources: { uid: string; type: string }[] }>(
      'infra/grafana/provisioning/datasources/prometheus.yml',
    );
    const uid = datasources.find((d) => d.type === 'prometheus')?.uid;
    for (const { dashboard } of dashboards)
      for (const panel of dashboard.panels) {
        expect({ panel: panel.title, uid: panel.datasource?.uid }).toEqual({ panel: panel.title, uid });
        expect(panel.targets?.length).toBeGreaterThan(0);
        for (const target of panel.targets ?? []) expect(target.datasource?.uid ?? uid).toBe(uid);
      }
  });

  it('lay their panels out on the 24-column grid without overlaps', () => {
    for (const { file, dashboard } of dashboards) {
      const cells = new Map<string, string>();
      for (const p of dashboard.panels) {
        expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
        for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++)
          for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
            const cell = `${x},${y}`;
            expect({ file, cell, taken: cells.get(cell) }).toEqual({ file, cell, taken: undefined });
            cells.set(cell, p.title);
          }
      }
    }
  });

  it('hold only PromQL that promtool parses', () => {
    // promtool parses expressions as it checks rules: every query as a recording rule.
    const queries = dashboardQueries();
    const scratch = mkdtempSync(join(tmpdir(), 'dashboard-queries-'));
    try {
      const file = join(scratch, 'queries.yml');
      writeFileSync(
        file,
        stringify({
          groups: [
            {
              name: 'dashboards',
              rules: queries.map((q, i) => ({ record: `dashboard:query_${i}`, expr: q.expr })),
            },
          ],
        }),
      );
      const out = runPrometheusTool('promtool', ['check', 'rules', file]);
      expect(out).toContain(`SUCCESS: ${queries.length} rules found`);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('are provisioned from the folder Compose mounts', () => {
    const { providers } = readYaml<{ providers: { options: { path: string } }[] }>(
      'infra/grafana/provisioning/dashboards/newsroom.yml',
    );
    const compose = readYaml<{ services: Record<string, { volumes?: string[] }> }>('docker-compose.yml');
    expect(compose.services['grafana'].volumes).toContain(
      `./infra/grafana/dashboards:${providers[0].options.path}:ro`,
    );
  });
});

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { workspaceRoot } from './servers';

/** A PromQL expression and where it is written. */
export interface ObservabilityQuery {
  where: string;
  expr: string;
  /** A recording rule's name: the series it makes. */
  records?: string;
}

const keywords = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'and',
  'or',
  'unless',
  'inf',
  'nan',
]);

/**
 * The metric names an expression selects (`foo`, `foo{…}`, `foo[5m]`), without functions,
 * keywords, label names and values, durations and numbers. A reading for checking names against
 * what the services emit, not a PromQL parser (promtool is the parser).
 */
export function metricNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\boffset\s+\S+/g, ' ');
  const names = new Set<string>();
  for (const match of bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*(?=\s*(\(?))/g)) {
    const [name, call] = [match[0], match[1]];
    const before = bare[(match.index ?? 0) - 1];
    if (call === '(' || keywords.has(name.toLowerCase()) || /[0-9.]/.test(before ?? '')) continue;
    names.add(name);
  }
  return [...names];
}

/** Every alerting and recording rule's expression under infra/prometheus/rules. */
export function ruleQueries(root = workspaceRoot): ObservabilityQuery[] {
  const dir = join(root, 'infra/prometheus/rules');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .flatMap((file) => {
      const { groups } = parse(readFileSync(join(dir, file), 'utf8')) as {
        groups: { name: string; rules: { alert?: string; record?: string; expr: string }[] }[];
      };
      return groups.flatMap((g) =>
        g.rules.map((r) => ({
          where: `${file}: ${r.alert ?? r.record}`,
          expr: String(r.expr),
          ...(r.record ? { records: r.record } : {}),
        })),
      );
    });
}

/** Every panel query of the dashboards under infra/grafana/dashboards. */
export function dashboardQueries(root = workspaceRoot): ObservabilityQuery[] {
  const dir = join(root, 'infra/grafana/dashboards');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .flatMap((file) => {
      const dashboard = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
        panels: { title: string; targets?: { expr: string }[] }[];
      };
      return dashboard.panels.flatMap((p) =>
        (p.targets ?? []).map((t) => ({ where: `${file}: ${p.title}`, expr: t.expr })),
      );
    });
}

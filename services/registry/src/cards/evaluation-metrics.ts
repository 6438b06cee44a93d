import { MetricComparison, SliceMetrics } from './model-card';

type Ranker = Exclude<keyof MetricComparison, 'metric'>;
/** The rankers evaluation names in front of a metric (`popularityNdcgAt10`); a bare metric is the candidate's. */
const comparedRankers = ['champion', 'popularity', 'categoryPopularity', 'recency'] as const;
/** Evaluation's ranking metrics in the order a reader expects them; others follow by name. */
const metricOrder = ['ndcgAt10', 'recallAt10', 'mrr', 'auc', 'coverage', 'freshShare'];
/** The key of a slice's size: its held-out readers. */
const readersKey = 'readers';

interface MetricKey {
  slice: string | null;
  ranker: Ranker;
  metric: string;
}

/**
 * Reads the flat metrics of `model.evaluated`: `ndcgAt10` is the candidate's, `<ranker>NdcgAt10` the
 * champion's, popularity's, category popularity's or recency's on the same held-out readers; a key `<slice>.<metric>`
 * (e.g. `new-readers.ndcgAt10`, `region:africa.popularityNdcgAt10`, `new-readers.readers`) is the
 * same for one slice. Slice names may hold dots: the metric is what follows the last one.
 */
export function parseMetricKey(key: string): MetricKey {
  const dot = key.lastIndexOf('.');
  const slice = dot > 0 ? key.slice(0, dot) : null;
  const name = key.slice(dot + 1);
  for (const ranker of comparedRankers) {
    const rest = name.slice(ranker.length);
    if (name.startsWith(ranker) && /^[A-Z]/.test(rest)) {
      return { slice, ranker, metric: rest[0].toLowerCase() + rest.slice(1) };
    }
  }
  return { slice, ranker: 'candidate', metric: name };
}

const byMetricOrder = (a: string, b: string) => {
  const rank = (m: string) => (metricOrder.includes(m) ? metricOrder.indexOf(m) : metricOrder.length);
  return rank(a) - rank(b) || a.localeCompare(b);
};

/** The metrics of `model.evaluated`, overall and per slice, each metric beside the rankers it was compared with. */
export function evaluationMetrics(metrics: Record<string, number>): {
  overall: SliceMetrics;
  slices: SliceMetrics[];
} {
  const groups = new Map<string | null, { readers: number | null; values: Map<string, MetricComparison> }>();
  const groupOf = (slice: string | null) => {
    let group = groups.get(slice);
    if (!group) groups.set(slice, (group = { readers: null, values: new Map() }));
    return group;
  };
  groupOf(null);
  for (const [key, value] of Object.entries(metrics)) {
    const { slice, ranker, metric } = parseMetricKey(key);
    const group = groupOf(slice);
    if (ranker === 'candidate' && metric === readersKey) {
      group.readers = value;
      continue;
    }
    let row = group.values.get(metric);
    if (!row) {
      row = {
        metric,
        candidate: null,
        champion: null,
        popularity: null,
        categoryPopularity: null,
        recency: null,
      };
      group.values.set(metric, row);
    }
    row[ranker] = value;
  }
  const sliceMetrics = (slice: string | null): SliceMetrics => {
    const group = groupOf(slice);
    const names = [...group.values.keys()].sort(byMetricOrder);
    return {
      slice,
      readers: group.readers,
      metrics: names.map((name) => group.values.get(name) as MetricComparison),
    };
  };
  const names = [...groups.keys()].filter((s): s is string => s !== null).sort();
  return { overall: sliceMetrics(null), slices: names.map(sliceMetrics) };
}

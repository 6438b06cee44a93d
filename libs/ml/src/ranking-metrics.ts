/**
 * Ranking metrics for one reader's recommendations against what they then read. Relevance is
 * graded by dwell: an article read for longer is worth more, as the business measures reading time.
 */
export interface Judgement {
  /** Article ids in ranked order, best first. */
  ranked: readonly string[];
  /** Dwell seconds per article the reader read in the held-out period (the relevant ones). */
  dwell: ReadonlyMap<string, number>;
}

const discount = (position: number) => 1 / Math.log2(position + 2);

/** Dwell-graded NDCG@k: DCG of the ranking over the DCG of the ideal ranking of the read articles. */
export function ndcgAt(k: number, { ranked, dwell }: Judgement): number {
  let dcg = 0;
  ranked.slice(0, k).forEach((id, i) => (dcg += (dwell.get(id) ?? 0) * discount(i)));
  const ideal = [...dwell.values()].sort((a, b) => b - a).slice(0, k);
  const idcg = ideal.reduce((sum, gain, i) => sum + gain * discount(i), 0);
  return idcg > 0 ? dcg / idcg : 0;
}

/** Share of the read articles found in the top k, out of as many as could fit (min(k, read)). */
export function recallAt(k: number, { ranked, dwell }: Judgement): number {
  if (dwell.size === 0) return 0;
  const hits = ranked.slice(0, k).filter((id) => dwell.has(id)).length;
  return hits / Math.min(k, dwell.size);
}

/** 1 / rank of the first read article in the ranking; 0 when none is there. */
export function reciprocalRank({ ranked, dwell }: Judgement): number {
  const first = ranked.findIndex((id) => dwell.has(id));
  return first < 0 ? 0 : 1 / (first + 1);
}

/**
 * ROC AUC of scores: the probability that a read article scores above an unread candidate (ties
 * count half). Undefined (NaN) without both kinds.
 */
export function auc(positives: readonly number[], negatives: readonly number[]): number {
  if (positives.length === 0 || negatives.length === 0) return NaN;
  const all = [...positives.map((s) => ({ s, p: 1 })), ...negatives.map((s) => ({ s, p: 0 }))].sort(
    (a, b) => a.s - b.s,
  );
  // Mann–Whitney U from average ranks (1-based), ties sharing their mean rank.
  let rankSum = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j].s === all[i].s) j++;
    const meanRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (all[k].p === 1) rankSum += meanRank;
    i = j;
  }
  const n1 = positives.length;
  return (rankSum - (n1 * (n1 + 1)) / 2) / (n1 * negatives.length);
}

/** Share of the candidate catalogue that appears in at least one reader's top k. */
export function catalogueCoverage(
  k: number,
  rankings: readonly (readonly string[])[],
  catalogueSize: number,
): number {
  if (catalogueSize === 0) return 0;
  const shown = new Set(rankings.flatMap((r) => r.slice(0, k)));
  return shown.size / catalogueSize;
}

/** Share of the top k published less than `freshMs` before the ranking was made. */
export function freshShare(
  k: number,
  ranked: readonly string[],
  ageMs: (articleId: string) => number,
  freshMs: number,
): number {
  const top = ranked.slice(0, k);
  return top.length === 0 ? 0 : top.filter((id) => ageMs(id) < freshMs).length / top.length;
}

export const mean = (values: readonly number[]): number => {
  const defined = values.filter((v) => !Number.isNaN(v));
  return defined.length === 0 ? NaN : defined.reduce((a, b) => a + b, 0) / defined.length;
};

/** The metrics that are numbers: an empty slice's are NaN, which events (and JSON) cannot carry. */
export const finiteMetrics = (metrics: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(metrics).filter(([, v]) => Number.isFinite(v)));

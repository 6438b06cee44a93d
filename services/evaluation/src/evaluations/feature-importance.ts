import { FeatureGroup, TopicPayload, featureGroups, topics } from '@newsroom/contracts';
import {
  AttributionBaseline,
  FeatureEncoder,
  GroupAttributor,
  HeldOut,
  TwoTowerModel,
  ageBucketsAt,
  stableHash,
} from '@newsroom/ml';

export type FeatureImportance = NonNullable<TopicPayload<typeof topics.modelEvaluated>['featureImportance']>;

/** Held-out (reader, listed article) pairs the importance is the mean over, at most. */
export const importancePairs = 2_000;
/** What the model lists of a reader's candidates: its top this many. */
const listed = 10;

/**
 * The pairs, deterministically: held-out readers in the stable-hash order of their ids, each with
 * one article of the top 10 the model gives them (a rank chosen by the same hash, so ranks are
 * spread), then a second article each, and so on until there are `limit`.
 */
export function importanceSample(
  heldOut: HeldOut,
  orders: readonly string[][],
  limit = importancePairs,
): { reader: number; articleId: string }[] {
  const readers = heldOut.readers
    .map((r, i) => ({ i, hash: stableHash(r.userId) }))
    .sort((a, b) => a.hash - b.hash || a.i - b.i);
  const pairs: { reader: number; articleId: string }[] = [];
  for (let pass = 0; pass < listed && pairs.length < limit; pass++) {
    for (const { i, hash } of readers) {
      const top = Math.min(listed, orders[i].length);
      if (pass >= top) continue;
      pairs.push({ reader: i, articleId: orders[i][(hash + pass) % top] });
      if (pairs.length === limit) break;
    }
  }
  return pairs;
}

/**
 * A model's global importance of each feature group: the mean |exact Shapley value| over the
 * sampled held-out pairs of what it lists (importanceSample), measured from the baseline's score.
 */
export function featureImportance(
  model: TwoTowerModel,
  encoder: FeatureEncoder,
  baseline: AttributionBaseline,
  heldOut: HeldOut,
  orders: readonly string[][],
): FeatureImportance {
  const pairs = importanceSample(heldOut, orders);
  const articles = pairs.map((p) => {
    const article = heldOut.articles.get(p.articleId);
    if (!article) throw new Error(`held-out article ${p.articleId} is not in the slice`);
    return article;
  });
  // Each article's age term as the model ranked it: as of the slice's start (modelOrders).
  const freshness = model.freshnessTerms(
    ageBucketsAt(
      heldOut.at,
      articles.map((a) => Date.parse(a.publishedAt)),
    ),
  );
  const attributor = new GroupAttributor(model, baseline);
  try {
    const values = attributor.attributePairs(
      encoder.readers(pairs.map((p) => heldOut.readers[p.reader].profile)),
      encoder.articles(articles),
      freshness,
    );
    const totals = new Float64Array(featureGroups.length);
    values.forEach((value, at) => (totals[at % featureGroups.length] += Math.abs(value)));
    return {
      sample: pairs.length,
      baselineScore: attributor.baselineScore,
      values: Object.fromEntries(
        featureGroups.map((group, g) => [group, pairs.length > 0 ? totals[g] / pairs.length : 0]),
      ) as Record<FeatureGroup, number>,
    };
  } finally {
    attributor.dispose();
  }
}

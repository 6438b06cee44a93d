import { featureGroups } from '@newsroom/contracts';
import { featureGroupLabels } from './feature-group-labels';
import { Limitation, ModelCard, SliceMetrics } from './model-card';

/** A feature group with less than this share of the attribution barely moves scores. */
export const weakGroupShare = 0.02;
/** A fall of online hit rate at least this large (relative) since the first window is worth saying. */
const onlineDropWorthSaying = 0.1;
/** The slice evaluation makes of readers with few reads before the held-out day. */
const newReadersSlice = 'new-readers';
/** The gate's own prefix for a warning among its reasons. */
const warningPrefix = 'WARN: ';

const DAY_MS = 24 * 3600 * 1000;
const f = (value: number) => value.toFixed(4);
const percent = (share: number) => `${(share * 100).toFixed(1)}%`;
const sliceName = (metrics: SliceMetrics) =>
  metrics.slice === null ? 'All readers' : `Slice ${metrics.slice}`;
const capitalised = (text: string) => text[0].toUpperCase() + text.slice(1);

/**
 * What a model cannot do or what its figures cannot show, derived from its card where the data
 * says so (slices too small or below a baseline, feature groups that barely count, the training
 * window, evaluation's warnings, online quality), and what its design leaves out (inputs it does
 * not read, readers without history, categories and publishers it never saw).
 */
export function modelLimitations(
  card: Omit<ModelCard, 'limitations'>,
  minSliceReaders: number,
): Limitation[] {
  return [
    ...designLimitations(),
    ...coldStart(card),
    ...trainingWindow(card),
    ...sliceLimitations(card, minSliceReaders),
    ...weakGroups(card),
    ...(card.evaluation?.reasons ?? [])
      .filter((reason) => reason.startsWith(warningPrefix))
      .map(
        (reason): Limitation => ({ kind: 'evaluation-warning', text: reason.slice(warningPrefix.length) }),
      ),
    ...online(card),
  ];
}

function designLimitations(): Limitation[] {
  return [
    {
      kind: 'inputs',
      text:
        `It reads only ${featureGroups.map((g) => featureGroupLabels[g]).join(', ')}. It does not see the ` +
        "reader's region, the article's popularity, its language, or the time of day: regions count only in the " +
        "regional fallback. The article's age moves its score by one learned term per age bucket, the same for " +
        'every reader, as of when the list is ranked (a list is not re-ranked as it ages).',
    },
    {
      kind: 'unknown-values',
      text:
        "Categories and publishers absent from its training data share one 'unknown' input each, so it cannot " +
        "tell them apart: a new publisher's articles are told apart by their words alone.",
    },
  ];
}

function coldStart(card: Omit<ModelCard, 'limitations'>): Limitation[] {
  const limitations: Limitation[] = [
    {
      kind: 'cold-start',
      text: "Readers with no reads yet get the fallback (fresh popular articles, by region when known), not this model's lists.",
    },
  ];
  const slice = card.evaluation?.slices.find((s) => s.slice === newReadersSlice);
  const theirs = ndcgOf(slice);
  const everyone = ndcgOf(card.evaluation?.overall);
  if (slice && theirs?.candidate != null && everyone?.candidate != null) {
    limitations.push({
      kind: 'cold-start',
      text:
        `Readers with few reads before the held-out day (slice ${newReadersSlice}` +
        `${slice.readers === null ? '' : `, ${slice.readers} readers`}) get NDCG@10 ${f(theirs.candidate)}, ` +
        `against ${f(everyone.candidate)} for all readers.`,
    });
  }
  return limitations;
}

function trainingWindow({ trainingData: data }: Omit<ModelCard, 'limitations'>): Limitation[] {
  if (!data) return [];
  const days = (Date.parse(data.window.end) - Date.parse(data.window.start)) / DAY_MS;
  return [
    {
      kind: 'training-window',
      text:
        `It learnt from ${days.toFixed(1)} days of reading (${data.window.start} to ${data.window.end}): ` +
        `${data.rows.readers} readers and ${data.rows.articles} articles; interests and readers outside that window are not in its data.`,
    },
  ];
}

/** The baselines a slice is compared with, as a sentence names them. */
const baselineLabels = {
  popularity: 'popularity',
  categoryPopularity: 'category × popularity',
  recency: 'recency',
} as const;

function sliceLimitations(
  { evaluation }: Omit<ModelCard, 'limitations'>,
  minSliceReaders: number,
): Limitation[] {
  if (!evaluation) return [];
  const limitations: Limitation[] = [];
  for (const slice of [evaluation.overall, ...evaluation.slices]) {
    if (slice.readers !== null && slice.readers < minSliceReaders) {
      limitations.push({
        kind: 'small-slice',
        text:
          `${sliceName(slice)}: only ${slice.readers} held-out readers (fewer than ${minSliceReaders}), ` +
          'so its metrics are noisy and the gate does not judge it.',
      });
      continue;
    }
    const ndcg = ndcgOf(slice);
    if (ndcg?.candidate == null) continue;
    for (const baseline of Object.keys(baselineLabels) as (keyof typeof baselineLabels)[]) {
      const theirs = ndcg[baseline];
      if (theirs !== null && ndcg.candidate < theirs) {
        limitations.push({
          kind: 'weak-slice',
          text: `${sliceName(slice)}: NDCG@10 ${f(ndcg.candidate)} is below the ${baselineLabels[baseline]} baseline's ${f(theirs)}.`,
        });
      }
    }
  }
  return limitations;
}

function weakGroups({ featureImportance }: Omit<ModelCard, 'limitations'>): Limitation[] {
  if (!featureImportance || featureImportance.sample === 0) return [];
  return featureImportance.groups
    .filter((g) => g.share < weakGroupShare)
    .map((g) => ({
      kind: 'weak-group',
      text:
        `${capitalised(featureGroupLabels[g.group])} (${g.group}) barely moves its scores: ${percent(g.share)} of the ` +
        `mean |attribution| over ${featureImportance.sample} held-out pairs.`,
    }));
}

function online({ onlineQuality: quality }: Omit<ModelCard, 'limitations'>): Limitation[] {
  if (quality.status !== 'measured') return [];
  const limitations: Limitation[] = [];
  if (
    quality.liftOverFallback !== null &&
    quality.liftOverFallback < 1 &&
    quality.personalized &&
    quality.fallback
  ) {
    limitations.push({
      kind: 'online',
      text:
        `Online, its lists were read less often than the fallback's: hit rate@10 ${f(quality.personalized.hitRateAt10)} ` +
        `against ${f(quality.fallback.hitRateAt10)} (${quality.window.from} to ${quality.window.to}).`,
    });
  }
  if (quality.hitRateChange !== null && quality.hitRateChange <= -onlineDropWorthSaying) {
    limitations.push({
      kind: 'online',
      text: `Its online hit rate@10 fell ${percent(-quality.hitRateChange)} since its first measured window.`,
    });
  }
  return limitations;
}

const ndcgOf = (slice: SliceMetrics | undefined) => slice?.metrics.find((m) => m.metric === 'ndcgAt10');

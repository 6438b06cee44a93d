import * as tf from '@tensorflow/tfjs';
import { towerFeatureGroups } from '@newsroom/contracts';
import { z } from 'zod';
import { TrainingSet } from '../dataset';
import { ArticleContent, FeatureEncoder, ReaderProfile } from '../feature-encoder';
import { stableHash } from '../held-out';
import { readerAt } from '../train';
import { TwoTowerModel } from '../two-tower';

/** Readers and articles a baseline is the mean of, at most. */
export const baselineSampleSize = 2_000;

/**
 * Where a baseline's sample came from: `training-data`, the model's training dataset (written into
 * the model file at the end of its run); `population`, what a consumer of an older model file
 * without one had at hand (its readers and candidate articles).
 */
export const baselineSources = ['training-data', 'population'] as const;

/**
 * The background attributions are measured from. For each feature group, the mean of its term
 * before the tower's projection (a [dimensions] vector) over a reference sample of readers and
 * articles: a group absent from a coalition takes this value. The baseline reader and article
 * are these means; their score is the baseline score every item's attributions start from.
 */
export const AttributionBaseline = z.object({
  source: z.enum(baselineSources),
  sample: z.object({ readers: z.number().int().min(0), articles: z.number().int().min(0) }),
  terms: z.record(z.enum(towerFeatureGroups), z.array(z.number().finite())),
});
export type AttributionBaseline = z.infer<typeof AttributionBaseline>;

/**
 * Up to `limit` items in the order of their ids' stable hashes: the same items give the same
 * sample wherever it is taken, and it does not follow the ids' own order (time, region…).
 */
export function stableSample<T>(items: readonly T[], id: (item: T) => string, limit: number): T[] {
  return items
    .map((item) => ({ item, key: id(item), hash: stableHash(id(item)) }))
    .sort((a, b) => a.hash - b.hash || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .slice(0, limit)
    .map(({ item }) => item);
}

/** The mean of each feature group's term over these readers and articles (a zero vector for an empty side). */
export function computeAttributionBaseline(
  model: TwoTowerModel,
  encoder: FeatureEncoder,
  readers: readonly ReaderProfile[],
  articles: readonly ArticleContent[],
  source: AttributionBaseline['source'],
): AttributionBaseline {
  const zeros = () => new Array<number>(model.shape.dimensions).fill(0);
  const mean = (term: tf.Tensor2D) => Array.from(term.mean(0).dataSync());
  // The WebAssembly backend traps on an empty tensor: an empty side has no terms to average.
  const reader = tf.tidy(() => {
    if (readers.length === 0) return { recentWords: zeros(), categoryMix: zeros() };
    const terms = model.readerTerms(encoder.readers(readers));
    return { recentWords: mean(terms.recentWords), categoryMix: mean(terms.categoryMix) };
  });
  const article = tf.tidy(() => {
    if (articles.length === 0) return { words: zeros(), category: zeros(), publisher: zeros() };
    const terms = model.articleTerms(encoder.articles(articles));
    return { words: mean(terms.words), category: mean(terms.category), publisher: mean(terms.publisher) };
  });
  return {
    source,
    sample: { readers: readers.length, articles: articles.length },
    terms: {
      'reader.recentWords': reader.recentWords,
      'reader.categoryMix': reader.categoryMix,
      'article.words': article.words,
      'article.category': article.category,
      'article.publisher': article.publisher,
    },
  };
}

/**
 * The baseline of a model from its training dataset: up to `limit` readers with a training read,
 * each as of their last one (the latest state of theirs training saw), and up to `limit` of the
 * file's articles that are not flagged (the candidates' kind), both in stable-hash order of their
 * ids (stableSample).
 */
export function trainingBaseline(
  model: TwoTowerModel,
  encoder: FeatureEncoder,
  set: TrainingSet,
  limit = baselineSampleSize,
): AttributionBaseline {
  const lastTraining = new Map<number, number>();
  for (let i = 0; i < set.examples.count; i++) {
    if (!set.examples.validation[i]) lastTraining.set(set.examples.reader[i], i);
  }
  const readers = stableSample([...lastTraining], ([reader]) => set.readers[reader].userId, limit).map(
    ([, example]) => readerAt(set, example, encoder.config.historyReads),
  );
  const articles = stableSample(
    set.articles.filter((a) => !a.flagged),
    (a) => a.articleId,
    limit,
  );
  return computeAttributionBaseline(model, encoder, readers, articles, 'training-data');
}

import * as tf from '@tensorflow/tfjs';
import { ageBucket } from './article-age';
import { TrainingSet } from './dataset';
import { EncoderConfig, FeatureEncoder, ReaderProfile } from './feature-encoder';
import { TwoTowerModel, WeightValues, weightNames } from './two-tower';

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Softmax temperature of the in-batch scores (cosines). */
  temperature: number;
  seed: number;
  /**
   * Share of training rows whose category, publisher and category mix are hidden: the model must
   * then read the tokens, which is what lets it rank articles of categories it has never seen.
   */
  featureDropout: number;
  dimensions: number;
  articleTokens: number;
  historyReads: number;
  readerTokens: number;
  /** A previous model's weights: every weight of the same shape starts from it… */
  warmStart?: WeightValues;
  /** …and, given the encoder it was trained with, category and publisher rows by name. */
  warmStartEncoder?: EncoderConfig;
  /** Validation metrics of the model after each epoch (recorded in the epoch's stats). */
  validate?: (model: TwoTowerModel, encoder: FeatureEncoder) => Record<string, number>;
  onEpoch?: (stats: EpochStats) => void | Promise<void>;
}

export interface EpochStats {
  epoch: number;
  /** Mean training loss over the epoch's batches. */
  loss: number;
  seconds: number;
  validation?: Record<string, number>;
}

export const defaultTrainOptions: Omit<
  TrainOptions,
  'warmStart' | 'warmStartEncoder' | 'validate' | 'onEpoch'
> = {
  // One pass over a pilot week (~870k reads) already reaches the quality targets in ~3.5 minutes.
  epochs: 1,
  batchSize: 512,
  learningRate: 0.005,
  temperature: 0.1,
  seed: 42,
  featureDropout: 0.5,
  dimensions: 32,
  articleTokens: 24,
  historyReads: 10,
  readerTokens: 64,
};

/**
 * Starts `model` from a previous model's weights. Category and publisher rows follow their names
 * when the previous encoder is known (the window's vocabulary changes: a publisher that left and
 * one that came must not swap rows; row 0, the unknown one, carries over); other weights of the
 * same shape are copied.
 */
function warmStart(
  model: TwoTowerModel,
  encoder: FeatureEncoder,
  saved: WeightValues,
  savedEncoder: EncoderConfig | undefined,
): void {
  const byName = { categories: savedEncoder?.categories, publishers: savedEncoder?.publishers } as const;
  for (const name of weightNames) {
    const previous = saved[name];
    const variable = model.weights[name];
    if (!previous) continue;
    const names = name === 'categories' || name === 'publishers' ? byName[name] : undefined;
    if (names && previous.shape[1] === variable.shape[1]) {
      const d = variable.shape[1] as number;
      const rows = variable.dataSync().slice();
      const own = name === 'categories' ? encoder.config.categories : encoder.config.publishers;
      const copyRow = (from: number, to: number) =>
        rows.set(previous.values.subarray(from * d, (from + 1) * d), to * d);
      copyRow(0, 0);
      own.forEach((item, i) => {
        const at = names.indexOf(item);
        if (at >= 0) copyRow(at + 1, i + 1);
      });
      tf.tidy(() => variable.assign(tf.tensor(rows, variable.shape)));
    } else if (previous.shape.join() === variable.shape.join()) {
      tf.tidy(() => variable.assign(tf.tensor(previous.values, previous.shape)));
    }
  }
}

/** A small, fast, seedable generator (mulberry32): the same seed shuffles the same way everywhere. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The reader as of an example: their latest reads before it (newest first) and category mix. */
export function readerAt(set: TrainingSet, example: number, historyReads: number): ReaderProfile {
  const reader = set.readers[set.examples.reader[example]];
  const end = set.examples.history[example];
  const recent: ReaderProfile['recent'][number][] = [];
  for (let k = end - 1; k >= Math.max(0, end - historyReads); k--) {
    const article = reader.article[k];
    recent.push({ article: article >= 0 ? set.articles[article] : undefined, dwellSeconds: reader.dwell[k] });
  }
  return { recent, categoryMix: set.examples.categoryMix[example] };
}

/**
 * Trains the two-tower model on a dataset's training examples: each read is a positive for its
 * reader, the other articles of the batch are its negatives (in-batch softmax), and longer reads
 * weigh more. Each pair's freshness term is of the article's age when that reader read: a negative
 * is judged at the positive's moment, so the term learns how much fresher what is read is than
 * what was there to read (an article published after the read was not there: no negative). The
 * same data, options and backend give the same weights.
 */
export async function trainTwoTower(
  set: TrainingSet,
  options: TrainOptions,
): Promise<{ model: TwoTowerModel; encoder: FeatureEncoder; epochs: EpochStats[] }> {
  const encoder = FeatureEncoder.fromArticles(set.articles, {
    articleTokens: options.articleTokens,
    historyReads: options.historyReads,
    readerTokens: options.readerTokens,
  });
  const shape = {
    tokenBuckets: set.header.tokenBuckets,
    categorySlots: encoder.categorySlots,
    publisherSlots: encoder.publisherSlots,
    articleTokens: options.articleTokens,
    readerTokens: options.readerTokens,
    dimensions: options.dimensions,
  };
  const model = TwoTowerModel.create(shape, options.seed);
  const optimizer = tf.train.adam(options.learningRate);
  try {
    const epochs = await trainEpochs(set, options, encoder, model, optimizer);
    return { model, encoder, epochs };
  } catch (error) {
    // A failed run (a callback's error, say) leaves no weights behind on the backend's heap.
    model.dispose();
    throw error;
  } finally {
    optimizer.dispose();
  }
}

/**
 * A batch's pairs (reader row, article column): the age bucket of each article when the row's
 * reader read, and which pairs are no negatives — the same article as the row's own, or one
 * published after the read.
 */
export function inBatchPairs(
  batch: readonly number[],
  articleIds: Int32Array,
  readAt: Float64Array,
  publishedAt: Float64Array,
): { ages: Int32Array; excluded: Float32Array } {
  const n = batch.length;
  const ages = new Int32Array(n * n);
  const excluded = new Float32Array(n * n);
  const published = Float64Array.from(articleIds, (a) => publishedAt[a]);
  for (let row = 0; row < n; row++) {
    const at = readAt[batch[row]];
    const own = articleIds[row];
    for (let col = 0, pair = row * n; col < n; col++, pair++) {
      const age = at - published[col];
      ages[pair] = ageBucket(age);
      if (col !== row && (age < 0 || articleIds[col] === own)) excluded[pair] = 1;
    }
  }
  return { ages, excluded };
}

async function trainEpochs(
  set: TrainingSet,
  options: TrainOptions,
  encoder: FeatureEncoder,
  model: TwoTowerModel,
  optimizer: tf.Optimizer,
): Promise<EpochStats[]> {
  if (options.warmStart) warmStart(model, encoder, options.warmStart, options.warmStartEncoder);
  const training = Array.from({ length: set.examples.count }, (_, i) => i).filter(
    (i) => !set.examples.validation[i],
  );
  const random = seededRandom(options.seed);
  const publishedAt = Float64Array.from(set.articles, (a) => Date.parse(a.publishedAt));
  const epochs: EpochStats[] = [];

  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const started = performance.now();
    // Fisher–Yates with the seeded generator.
    for (let i = training.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [training[i], training[j]] = [training[j], training[i]];
    }
    let lossSum = 0;
    let batches = 0;
    for (let from = 0; from + 1 < training.length; from += options.batchSize) {
      const batch = training.slice(from, from + options.batchSize);
      const articleIds = Int32Array.from(batch, (i) => set.examples.article[i]);
      const articles = encoder.articles(Array.from(articleIds, (a) => set.articles[a]));
      const readers = encoder.readers(batch.map((i) => readerAt(set, i, options.historyReads)));
      const weights = Float32Array.from(batch, (i) => Math.log1p(set.examples.dwell[i]) + 1e-3);
      const { ages, excluded } = inBatchPairs(batch, articleIds, set.examples.time, publishedAt);
      for (let row = 0; row < batch.length; row++) {
        if (random() < options.featureDropout) {
          articles.category[row] = 0;
          articles.publisher[row] = 0;
        }
        if (random() < options.featureDropout) {
          readers.categoryMix.fill(0, row * encoder.categorySlots, (row + 1) * encoder.categorySlots);
        }
      }
      const loss = optimizer.minimize(
        () =>
          tf.tidy(() => {
            const n = batch.length;
            const logits = tf
              .matMul(model.readerVectors(readers), model.articleVectors(articles), false, true)
              .add(model.freshnessMatrix(ages, n, n));
            const masked = logits.div(options.temperature).sub(tf.tensor2d(excluded, [n, n]).mul(1e9));
            return tf.losses.softmaxCrossEntropy(tf.eye(n), masked, tf.tensor1d(weights)) as tf.Scalar;
          }),
        true,
        model.trainable,
      );
      if (!loss) throw new Error('the optimizer returned no loss');
      lossSum += (await loss.data())[0];
      loss.dispose();
      batches += 1;
    }
    const stats: EpochStats = {
      epoch,
      loss: lossSum / Math.max(batches, 1),
      seconds: (performance.now() - started) / 1000,
      ...(options.validate ? { validation: options.validate(model, encoder) } : {}),
    };
    epochs.push(stats);
    await options.onEpoch?.(stats);
  }
  centreFreshness(model, set, training, publishedAt);
  return epochs;
}

/**
 * A row's softmax is blind to a constant added to all its pairs, so training fixes only how the
 * age buckets' terms differ: shift them to average 0 over the training reads' own ages. Rankings
 * do not change; an article's age attribution then says how far its age moved its score from a
 * typical read's (as the tower groups' are measured from their means over the training data).
 */
function centreFreshness(
  model: TwoTowerModel,
  set: TrainingSet,
  training: readonly number[],
  publishedAt: Float64Array,
): void {
  if (training.length === 0) return;
  const terms = model.weights.freshness.dataSync();
  let sum = 0;
  for (const i of training)
    sum += terms[ageBucket(set.examples.time[i] - publishedAt[set.examples.article[i]])];
  const mean = sum / training.length;
  tf.tidy(() => model.weights.freshness.assign(model.weights.freshness.sub(mean)));
}

import * as tf from '@tensorflow/tfjs';
import { selectBackend } from './backend';
import { loadDataset } from './dataset';
import { backendUnderTest } from './testing/backends';
import { wholeHistories } from './testing/whole-histories';
import { twoTopicDatasetLines, topicWords as topics } from './testing/two-topic-dataset';
import { heldOutSlice, modelOrders, popularityOrders, rankingReport } from './held-out';
import { defaultTrainOptions, seededRandom, trainTwoTower } from './train';

const options = {
  ...defaultTrainOptions,
  epochs: 10,
  batchSize: 32,
  dimensions: 16,
  learningRate: 0.02,
  seed: 3,
};

describe('trainTwoTower', () => {
  beforeAll(() => selectBackend([backendUnderTest()]));

  it("learns from tokens: a never-seen article on a reader's topic outranks an unrelated one, without retraining", async () => {
    const set = await loadDataset(twoTopicDatasetLines());
    const { model, encoder, epochs } = await trainTwoTower(set, options);
    expect(epochs).toHaveLength(10);
    expect(epochs[9].loss).toBeLessThan(epochs[0].loss);

    // New articles: unknown category and publisher, so only their words can match.
    const random = seededRandom(99);
    const words = (base: number) => Array.from({ length: 8 }, () => base + Math.floor(random() * 40));
    const fresh = encoder.articles([
      { tokenHashes: words(topics.sports), category: 'new', publisher: 'new' },
      { tokenHashes: words(topics.politics), category: 'new', publisher: 'new' },
    ]);
    const readers = wholeHistories(set);
    const scores = model.score(encoder.readers(readers), fresh).arraySync();
    const right = scores.filter((s, r) => (r % 2 ? s[0] > s[1] : s[1] > s[0])).length;
    expect(right).toBe(set.readers.length);
    model.dispose();
  });

  it('learns from a producer that sends reads only, and beats popularity on the sampled held-out protocol', async () => {
    const set = await loadDataset(twoTopicDatasetLines({ impressions: false }));
    const { model, encoder } = await trainTwoTower(set, options);
    const heldOut = heldOutSlice(set);
    const modelNdcg = rankingReport(heldOut, modelOrders(model, encoder, heldOut)).ndcgAt10;
    const popularityNdcg = rankingReport(heldOut, popularityOrders(set, heldOut)).ndcgAt10;
    expect(modelNdcg).toBeGreaterThan(1.5 * popularityNdcg);
    // A slice without readers is scored without touching the backend.
    expect(modelOrders(model, encoder, { ...heldOut, readers: [], articles: new Map() })).toEqual([]);
    model.dispose();
  });

  it('is deterministic for a seed; a warm start begins where the previous model ended, category rows by name', async () => {
    const tensorsBefore = tf.memory().numTensors;
    const set = await loadDataset(twoTopicDatasetLines());
    const first = await trainTwoTower(set, { ...options, epochs: 2 });
    const second = await trainTwoTower(set, { ...options, epochs: 2 });
    const [a, b] = await Promise.all([first.model.weightValues(), second.model.weightValues()]);
    expect(Array.from(b.tokens.values)).toEqual(Array.from(a.tokens.values));
    expect(second.epochs.map((e) => e.loss)).toEqual(first.epochs.map((e) => e.loss));

    const warm = await trainTwoTower(set, { ...options, epochs: 1, seed: 11, warmStart: a });
    const cold = await trainTwoTower(set, { ...options, epochs: 1, seed: 11 });
    expect(warm.epochs[0].loss).toBeLessThan(cold.epochs[0].loss);
    // A new category sorts first: the old categories' rows follow their names, not positions.
    const withArts = twoTopicDatasetLines().map((line) =>
      line.includes('"articleId":"a0","revision"')
        ? line.replace('"category":"politics"', '"category":"arts"')
        : line,
    );
    const moved = await trainTwoTower(await loadDataset(withArts), {
      ...options,
      epochs: 0,
      warmStart: a,
      warmStartEncoder: first.encoder.config,
    });
    expect(moved.encoder.config.categories).toEqual(['arts', 'politics', 'sports']);
    const d = options.dimensions;
    const row = (values: Float32Array, index: number) =>
      Array.from(values.subarray(index * d, (index + 1) * d));
    const movedCategories = (await moved.model.weightValues()).categories.values;
    expect(row(movedCategories, 3)).toEqual(row(a.categories.values, 2)); // sports
    expect(row(movedCategories, 2)).toEqual(row(a.categories.values, 1)); // politics
    for (const run of [first, second, warm, cold, moved]) run.model.dispose();
    // Nothing but the models' weights was left behind, and those are disposed.
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
});

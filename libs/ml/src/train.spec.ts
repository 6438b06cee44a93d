import * as tf from '@tensorflow/tfjs';
import { selectBackend } from './backend';
import { loadDataset } from './dataset';
import { backendUnderTest } from './testing/backends';
import { wholeHistories } from './testing/whole-histories';
import {
  datasetHeader,
  exampleLine,
  twoTopicDatasetLines,
  topicWords as topics,
} from './testing/two-topic-dataset';
import { heldOutSlice, modelOrders, popularityOrders, rankingReport } from './held-out';
import { DatasetLine } from '@newsroom/contracts';
import { ageBucket, ageBucketCount } from './article-age';
import { defaultTrainOptions, inBatchPairs, seededRandom, trainTwoTower } from './train';

const HOUR = 3_600_000;

/**
 * A newsroom whose readers read what is new: an article an hour for 48 hours, all alike (one
 * category, words from one pool), and every read of an article under 2 hours old.
 */
function decayingNewsLines(): string[] {
  const random = seededRandom(5);
  const start = Date.parse('2026-11-10T00:00:00Z');
  const articles = Array.from({ length: 48 }, (_, i) => ({
    id: `n${i}`,
    tokens: [...new Set(Array.from({ length: 8 }, () => 3_000 + Math.floor(random() * 40)))],
  }));
  const lines: DatasetLine[] = [datasetHeader(start, 48, 46)];
  const readers: DatasetLine[] = [];
  for (let r = 0; r < 40; r++) {
    const reads: [string, number, number][] = [];
    const times = Array.from({ length: 14 }, (_, k) =>
      k < 12 ? start + 2 * HOUR + random() * 43 * HOUR : start + 46.5 * HOUR + k * 60_000,
    ).sort((a, b) => a - b);
    times.forEach((at, k) => {
      const newest = Math.floor((at - start) / HOUR);
      const article = articles[newest - Math.floor(random() * 2)];
      lines.push(
        exampleLine({
          split: at >= start + 46 * HOUR ? 'validation' : 'train',
          eventId: `d-${r}-${k}`,
          userId: `r${r}`,
          articleId: article.id,
          at,
          dwellSeconds: 60,
          history: k,
          region: null,
          categoryMix: k === 0 ? {} : { news: 1 },
        }),
      );
      reads.push([article.id, 60, at]);
    });
    readers.push({ kind: 'reader', userId: `r${r}`, reads, shown: [] });
  }
  articles.forEach((a, i) =>
    lines.push({
      kind: 'article',
      articleId: a.id,
      revision: 1,
      category: 'news',
      publisher: 'p',
      language: 'en',
      tokenHashes: a.tokens,
      publishedAt: new Date(start + i * HOUR).toISOString(),
      flagged: false,
    }),
  );
  return [...lines, ...readers].map((l) => JSON.stringify(l));
}

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

  it('learns that news decays: the freshness term of an article under 2 hours old tops every older one', async () => {
    const set = await loadDataset(decayingNewsLines());
    const { model } = await trainTwoTower(set, options);
    const terms = Array.from(model.freshnessTerms(Int32Array.from({ length: ageBucketCount }, (_, b) => b)));
    // Reads are of buckets 0 and 1; the batch's other articles, as negatives, of 0 to 5 (45 hours).
    for (const fresh of [terms[0], terms[1]])
      for (const old of terms.slice(2, 6)) expect(fresh).toBeGreaterThan(old + 0.05);
    // Centred on the reads: averaged over the training reads' own ages the term is 0.
    const own: number[] = [];
    set.examples.time.forEach((at, i) => {
      const published = Date.parse(set.articles[set.examples.article[i]].publishedAt);
      if (!set.examples.validation[i]) own.push(terms[ageBucket(at - published)]);
    });
    expect(Math.abs(own.reduce((a, b) => a + b, 0) / own.length)).toBeLessThan(1e-6);
    // Ages no read or negative had keep their start, shifted alike: no preference among them.
    expect(new Set(terms.slice(7)).size).toBe(1);
    model.dispose();
  });

  it("judges a batch's negatives at each read's moment: an article published after the read is none", () => {
    const t = Date.parse('2026-11-10T12:00:00Z');
    // Rows: examples 0-2 read at t, t + 3 h, t - 1 h; columns: their articles 0, 1, 0.
    const { ages, excluded } = inBatchPairs(
      [0, 1, 2],
      Int32Array.of(0, 1, 0),
      Float64Array.of(t, t + 3 * HOUR, t - HOUR),
      Float64Array.of(t - 30 * 60_000, t + 2 * HOUR),
    );
    expect(Array.from(ages)).toEqual([
      ageBucket(30 * 60_000),
      ageBucket(-2 * HOUR),
      ageBucket(30 * 60_000),
      ageBucket(3.5 * HOUR),
      ageBucket(HOUR),
      ageBucket(3.5 * HOUR),
      ageBucket(-30 * 60_000),
      ageBucket(-3 * HOUR),
      ageBucket(-30 * 60_000),
    ]);
    // Row 0: article 1 was not out yet, article 0 again is its own. Row 2 read before both came out.
    expect(Array.from(excluded)).toEqual([0, 1, 1, 0, 0, 0, 1, 1, 0]);
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

import { DatasetLine, datasetFormat, featureSchema } from '@newsroom/contracts';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from './backend';
import { loadDataset } from './dataset';
import { defaultTrainOptions, seededRandom, trainTwoTower } from './train';

const HOUR = 3_600_000;
const start = Date.parse('2026-11-10T00:00:00Z');
const topics = { sports: 1_000, politics: 2_000 } as const;

/** Two topics, each with its own words; half the readers read only sports, half only politics. */
function twoTopicDataset(): string[] {
  const random = seededRandom(7);
  const pick = (base: number) => Array.from({ length: 8 }, () => base + Math.floor(random() * 40));
  const articles = Array.from({ length: 60 }, (_, i) => {
    const topic = i % 2 ? 'sports' : 'politics';
    return { id: `a${i}`, topic, tokens: [...new Set(pick(topics[topic]))] };
  });
  const lines: DatasetLine[] = [
    {
      kind: 'header',
      format: datasetFormat,
      featureSchemaVersion: featureSchema.version,
      window: { start: new Date(start).toISOString(), end: new Date(start + 48 * HOUR).toISOString() },
      validationFrom: new Date(start + 40 * HOUR).toISOString(),
      recentReads: featureSchema.recentReads,
      tokenBuckets: featureSchema.tokenBuckets,
      popularityBucketMs: featureSchema.popularityBucketMs,
    },
  ];
  const readers: DatasetLine[] = [];
  for (let r = 0; r < 40; r++) {
    const topic = r % 2 ? 'sports' : 'politics';
    const mine = articles.filter((a) => a.topic === topic);
    const reads: [string, number, number][] = [];
    for (let k = 0; k < 15; k++) {
      const article = mine[Math.floor(random() * mine.length)];
      const at = start + (r * 15 + k) * 60_000;
      lines.push({
        kind: 'example',
        split: 'train',
        eventId: `e-${r}-${k}`,
        userId: `r${r}`,
        articleId: article.id,
        occurredAt: new Date(at).toISOString(),
        dwellSeconds: 30 + 60 * random(),
        user: {
          history: k,
          region: null,
          impressions: 0,
          clicks: 0,
          reads: k,
          totalDwellSeconds: 0,
          categoryMix: k === 0 ? {} : { [topic]: 1 },
          lastSeenAt: null,
        },
        article: {
          ageHours: 1,
          reads: { '1h': 0, '24h': 0, '7d': 0 },
          dwellSeconds: { '1h': 0, '24h': 0, '7d': 0 },
          flagged: false,
        },
      });
      reads.push([article.id, 45, at]);
    }
    readers.push({ kind: 'reader', userId: `r${r}`, reads });
  }
  for (const a of articles) {
    lines.push({
      kind: 'article',
      articleId: a.id,
      revision: 1,
      category: a.topic,
      publisher: 'p',
      language: 'en',
      tokenHashes: a.tokens,
      publishedAt: new Date(start).toISOString(),
      flagged: false,
    });
  }
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
  beforeAll(() => selectBackend(['wasm', 'cpu']));

  it("learns from tokens: a never-seen article on a reader's topic outranks an unrelated one, without retraining", async () => {
    const set = await loadDataset(twoTopicDataset());
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
    const readers = set.readers.map((reader) => ({
      recent: Array.from(reader.article)
        .reverse()
        .map((a, k) => ({
          article: set.articles[a],
          dwellSeconds: reader.dwell[reader.dwell.length - 1 - k],
        })),
      categoryMix: {},
    }));
    const scores = model.score(encoder.readers(readers), fresh).arraySync();
    const right = scores.filter((s, r) => (r % 2 ? s[0] > s[1] : s[1] > s[0])).length;
    expect(right).toBe(set.readers.length);
    model.dispose();
  });

  it('is deterministic for a seed, and a warm start begins where the previous model ended', async () => {
    const tensorsBefore = tf.memory().numTensors;
    const set = await loadDataset(twoTopicDataset());
    const first = await trainTwoTower(set, { ...options, epochs: 2 });
    const second = await trainTwoTower(set, { ...options, epochs: 2 });
    const [a, b] = await Promise.all([first.model.weightValues(), second.model.weightValues()]);
    expect(Array.from(b.tokens.values)).toEqual(Array.from(a.tokens.values));
    expect(second.epochs.map((e) => e.loss)).toEqual(first.epochs.map((e) => e.loss));

    const warm = await trainTwoTower(set, { ...options, epochs: 1, seed: 11, warmStart: a });
    const cold = await trainTwoTower(set, { ...options, epochs: 1, seed: 11 });
    expect(warm.epochs[0].loss).toBeLessThan(cold.epochs[0].loss);
    for (const run of [first, second, warm, cold]) run.model.dispose();
    // Nothing but the models' weights was left behind, and those are disposed.
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
});

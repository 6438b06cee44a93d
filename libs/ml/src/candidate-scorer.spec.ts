import * as tf from '@tensorflow/tfjs';
import { selectBackend } from './backend';
import { CandidateScorer } from './candidate-scorer';
import { ArticleContent, FeatureEncoder, ReaderProfile } from './feature-encoder';
import { TwoTowerModel } from './two-tower';

describe('CandidateScorer', () => {
  beforeAll(() => selectBackend(['wasm', 'cpu']));

  const encoder = new FeatureEncoder({
    articleTokens: 8,
    historyReads: 5,
    readerTokens: 16,
    categories: ['politics', 'sport'],
    publishers: ['daily'],
  });
  const article = (i: number): ArticleContent => ({
    tokenHashes: [i % 50, (i * 7) % 50, (i * 13) % 50],
    category: i % 2 ? 'sport' : 'politics',
    publisher: 'daily',
  });
  const articles = Array.from({ length: 300 }, (_, i) => article(i));
  const readers: ReaderProfile[] = Array.from({ length: 300 }, (_, r) => ({
    recent: [{ article: article(r * 3), dwellSeconds: 30 + r }],
    categoryMix: { politics: 0.3, sport: 0.7 },
  }));

  it("ranks each reader's pool by the model's own scores, skipping what is excluded, across chunks", () => {
    const model = TwoTowerModel.create(
      {
        tokenBuckets: 50,
        categorySlots: 3,
        publisherSlots: 2,
        articleTokens: 8,
        readerTokens: 16,
        dimensions: 8,
      },
      3,
    );
    const scorer = new CandidateScorer(model, encoder);
    scorer.setPool(scorer.articleVectors(articles));
    const excluded = readers.map((_, r) => [r % 300, (r + 1) % 300]);
    const before = tf.memory().numTensors;
    const { top, vectors } = scorer.scoreReaders(readers, excluded, 5);
    expect(tf.memory().numTensors).toBe(before);
    expect(vectors).toHaveLength(300 * 8);

    const full = model.score(encoder.readers(readers), encoder.articles(articles));
    const expected = full.arraySync();
    full.dispose();
    for (const r of [0, 1, 255, 256, 299]) {
      const order = expected[r]
        .map((score, col) => ({ score, col }))
        .filter(({ col }) => !excluded[r].includes(col))
        .sort((a, b) => b.score - a.score);
      expect([...top.indices.subarray(r * 5, r * 5 + 5)]).toEqual(order.slice(0, 5).map((o) => o.col));
      expect(top.scores[r * 5]).toBeCloseTo(order[0].score, 4);
    }
    scorer.dispose();
  });
});

import * as tf from '@tensorflow/tfjs';
import { computeAttributionBaseline } from './attribution/attribution-baseline';
import { GroupAttributor } from './attribution/group-attributor';
import { selectBackend } from './backend';
import { CandidateScorer } from './candidate-scorer';
import { backendUnderTest } from './testing/backends';
import { ArticleContent, FeatureEncoder, ReaderProfile } from './feature-encoder';
import { TwoTowerModel } from './two-tower';

describe('CandidateScorer', () => {
  beforeAll(() => selectBackend([backendUnderTest()]));

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

  it("ranks each reader's pool by the model's own scores plus each article's freshness term, skipping what is excluded, across chunks", () => {
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
    const freshness = Float32Array.from(articles, (_, i) => (i % 7) * 0.05);
    scorer.setPool(scorer.articleVectors(articles), undefined, freshness);
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
        .map((score, col) => ({ score: score + freshness[col], col }))
        .filter(({ col }) => !excluded[r].includes(col))
        .sort((a, b) => b.score - a.score);
      expect([...top.indices.subarray(r * 5, r * 5 + 5)]).toEqual(order.slice(0, 5).map((o) => o.col));
      expect(top.scores[r * 5]).toBeCloseTo(order[0].score, 4);
    }
    scorer.dispose();
  });
  it("explains each reader's top k across chunks: six values adding up to the item's score minus the baseline's, the last its freshness term", () => {
    const model = TwoTowerModel.create(
      {
        tokenBuckets: 50,
        categorySlots: 3,
        publisherSlots: 2,
        articleTokens: 8,
        readerTokens: 16,
        dimensions: 8,
      },
      4,
    );
    const scorer = new CandidateScorer(model, encoder);
    const attributor = new GroupAttributor(
      model,
      computeAttributionBaseline(model, encoder, readers.slice(0, 50), articles.slice(0, 50), 'population'),
    );
    scorer.explainWith(attributor);
    // 3 of the 300 readers are offered only 2 articles: their top 5 is short.
    const pool = articles.slice(0, 40);
    const freshness = Float32Array.from(pool, (_, i) => 0.2 - (i % 4) * 0.1);
    scorer.setPool(scorer.articleVectors(pool), scorer.articleCoalitions(pool), freshness);
    const excluded = readers.map((_, r) => (r % 100 === 7 ? Array.from({ length: 38 }, (_, i) => i) : []));
    const before = tf.memory().numTensors;
    const { top, explained } = scorer.scoreReaders(readers, excluded, 5);
    expect(tf.memory().numTensors).toBe(before);
    if (!explained) throw new Error('no explanation');
    expect(explained.readerCoalitions).toHaveLength(300 * 4 * 8);
    expect(explained.attributions).toHaveLength(300 * 5 * 6);
    let listed = 0;
    for (let r = 0; r < 300; r++) {
      for (let j = 0; j < 5; j++) {
        const at = r * 5 + j;
        if (top.indices[at] < 0) continue;
        listed++;
        const values = explained.attributions.subarray(at * 6, at * 6 + 6);
        const total = values.reduce((a, b) => a + b, 0);
        expect(Math.abs(total - (top.scores[at] - attributor.baselineScore))).toBeLessThan(1e-5);
        expect(values[5]).toBe(freshness[top.indices[at]]);
      }
    }
    expect(listed).toBe(297 * 5 + 3 * 2);
    // Without coalitions in the pool, nothing is explained; the scores are the same.
    scorer.setPool(scorer.articleVectors(pool), undefined, freshness);
    const plain = scorer.scoreReaders(readers, excluded, 5);
    expect(plain.explained).toBeUndefined();
    expect(plain.top.indices).toEqual(top.indices);
    plain.top.scores.forEach((score, at) => {
      if (top.indices[at] >= 0) expect(Math.abs(score - top.scores[at])).toBeLessThan(1e-6);
    });
    scorer.dispose();
    expect(tf.memory().numTensors).toBeLessThan(before);
  });
});

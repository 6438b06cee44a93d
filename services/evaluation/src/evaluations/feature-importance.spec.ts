import * as tf from '@tensorflow/tfjs';
import { featureGroups, towerFeatureGroups } from '@newsroom/contracts';
import {
  FeatureEncoder,
  ageBucket,
  ageBucketCount,
  GroupAttributor,
  TwoTowerModel,
  heldOutSlice,
  loadDataset,
  modelOrders,
  selectBackend,
  trainingBaseline,
} from '@newsroom/ml';
import { twoTopicDatasetLines } from '@newsroom/ml/testing';
import { featureImportance, importanceSample } from './feature-importance';

describe('feature importance', () => {
  beforeAll(() => selectBackend(['wasm', 'cpu']));

  it('samples held-out readers in a stable order, one listed article each before a second, within the top 10', async () => {
    const set = await loadDataset(twoTopicDatasetLines({ readers: 40 }));
    const heldOut = heldOutSlice(set);
    const orders = heldOut.readers.map((r) => [...r.candidates].sort());
    const all = importanceSample(heldOut, orders);
    // Every candidate of each reader (they have under 10), each once.
    expect(all).toHaveLength(orders.reduce((n, o) => n + Math.min(o.length, 10), 0));
    expect(new Set(all.map((p) => `${p.reader} ${p.articleId}`)).size).toBe(all.length);
    const few = importanceSample(heldOut, orders, 25);
    expect(few).toEqual(all.slice(0, 25));
    // The first pass holds every reader once, at ranks spread over the list.
    const first = all.slice(0, heldOut.readers.length);
    expect(new Set(first.map((p) => p.reader)).size).toBe(heldOut.readers.length);
    expect(new Set(first.map((p) => orders[p.reader].indexOf(p.articleId))).size).toBeGreaterThan(3);
    // Only what the model lists: a reader with 20 candidates is sampled within its top 10.
    const long = orders.map((o, i) =>
      i === 0 ? [...o, ...Array.from({ length: 14 }, (_, k) => `x${k}`)] : o,
    );
    expect(
      importanceSample(heldOut, long)
        .filter((p) => p.reader === 0)
        .every((p) => long[0].indexOf(p.articleId) < 10),
    ).toBe(true);
  });

  it('is the mean |Shapley value| per group over the sample, from the baseline given', async () => {
    const set = await loadDataset(twoTopicDatasetLines({ readers: 40 }));
    const heldOut = heldOutSlice(set);
    const encoder = FeatureEncoder.fromArticles(set.articles, {
      articleTokens: 8,
      historyReads: 5,
      readerTokens: 16,
    });
    const model = TwoTowerModel.create(
      {
        tokenBuckets: set.header.tokenBuckets,
        categorySlots: encoder.categorySlots,
        publisherSlots: encoder.publisherSlots,
        articleTokens: 8,
        readerTokens: 16,
        dimensions: 8,
      },
      9,
    );
    // Ages moved scores by a term per bucket: 0.03 a bucket, from -0.1.
    tf.tidy(() =>
      model.weights.freshness.assign(
        tf.range(0, ageBucketCount).mul(0.03).sub(0.1).reshape([ageBucketCount, 1]),
      ),
    );
    const baseline = trainingBaseline(model, encoder, set);
    const orders = modelOrders(model, encoder, heldOut);
    const importance = featureImportance(model, encoder, baseline, heldOut, orders);

    const pairs = importanceSample(heldOut, orders);
    expect(importance.sample).toBe(pairs.length);
    const attributor = new GroupAttributor(model, baseline);
    expect(importance.baselineScore).toBe(attributor.baselineScore);
    const values = attributor.attributePairs(
      encoder.readers(pairs.map((p) => heldOut.readers[p.reader].profile)),
      encoder.articles(pairs.map((p) => heldOut.articles.get(p.articleId) ?? set.articles[0])),
    );
    towerFeatureGroups.forEach((group, g) => {
      let total = 0;
      for (let i = 0; i < pairs.length; i++) total += Math.abs(values[i * featureGroups.length + g]);
      expect(importance.values[group]).toBeCloseTo(total / pairs.length, 6);
      expect(importance.values[group]).toBeGreaterThan(0);
    });
    // The age's value is its term, of the article's age at the slice's start.
    const age = pairs.map((p) => {
      const published = Date.parse(heldOut.articles.get(p.articleId)?.publishedAt ?? '');
      return Math.abs(ageBucket(heldOut.at - published) * 0.03 - 0.1);
    });
    expect(importance.values['article.age']).toBeCloseTo(age.reduce((a, b) => a + b, 0) / pairs.length, 6);
    attributor.dispose();
    model.dispose();
  });
});

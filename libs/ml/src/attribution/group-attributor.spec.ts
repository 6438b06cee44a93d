import * as tf from '@tensorflow/tfjs';
import { featureGroups, towerFeatureGroups } from '@newsroom/contracts';
import { selectBackend } from '../backend';
import { loadDataset } from '../dataset';
import {
  ArticleContent,
  ArticleInputs,
  FeatureEncoder,
  ReaderInputs,
  ReaderProfile,
} from '../feature-encoder';
import { backendUnderTest, twoTopicDatasetLines } from '../testing';
import { TwoTowerModel } from '../two-tower';
import { computeAttributionBaseline, trainingBaseline } from './attribution-baseline';
import { GroupAttributor, attributePair, attributionRecord, pairAttributions } from './group-attributor';

/** Float32 throughout: values that should agree do within this. */
const tolerance = 1e-5;

const encoder = new FeatureEncoder({
  articleTokens: 6,
  historyReads: 4,
  readerTokens: 10,
  categories: ['politics', 'science', 'sport'],
  publishers: ['daily', 'weekly'],
});
const shape = {
  tokenBuckets: 80,
  categorySlots: encoder.categorySlots,
  publisherSlots: encoder.publisherSlots,
  articleTokens: 6,
  readerTokens: 10,
  dimensions: 8,
};
const categories = ['politics', 'science', 'sport', 'unknown-to-the-model'];
const article = (i: number): ArticleContent => ({
  tokenHashes: [(i * 7) % 80, (i * 11 + 3) % 80, (i * 13 + 5) % 80, i % 80],
  category: categories[i % 4],
  publisher: ['daily', 'weekly', 'elsewhere'][i % 3],
});
const reader = (r: number): ReaderProfile => ({
  recent: [0, 1, 2].map((k) => ({ article: article(r * 5 + k), dwellSeconds: 10 + 20 * k + r })),
  categoryMix: { [categories[r % 4]]: 0.6, [categories[(r + 1) % 4]]: 0.4 },
});
const articles = Array.from({ length: 12 }, (_, i) => article(i));
const readers = Array.from({ length: 9 }, (_, r) => reader(r));

/** Every reader's tower attributions for every article: [readers][articles][5]. */
function attributeAll(attributor: GroupAttributor, r: ReaderInputs, a: ArticleInputs): number[][][] {
  const d = attributor.model.shape.dimensions;
  const [readerCoalitions, articleCoalitions] = tf.tidy(() => [
    attributor.readerCoalitions(r).dataSync(),
    attributor.articleCoalitions(a).dataSync(),
  ]);
  return Array.from({ length: r.count }, (_, i) =>
    Array.from({ length: a.count }, (_, j) => {
      const values = new Float64Array(towerFeatureGroups.length);
      attributePair(readerCoalitions, i * 4 * d, articleCoalitions, j * 8 * d, d, values, 0);
      return [...values];
    }),
  );
}

/** Shapley by definition: the mean marginal contribution of each player over all 5! orderings. */
function permutationShapley(value: (mask: number) => number, players: number): number[] {
  const phi = new Array<number>(players).fill(0);
  let orderings = 0;
  const visit = (mask: number, previous: number) => {
    if (mask === (1 << players) - 1) return void orderings++;
    for (let p = 0; p < players; p++) {
      if (mask & (1 << p)) continue;
      const next = mask | (1 << p);
      const before = orderings;
      const current = value(next);
      visit(next, current);
      phi[p] += (current - previous) * (orderings - before);
    }
  };
  visit(0, value(0));
  return phi.map((total) => total / orderings);
}

describe('GroupAttributor', () => {
  let model: TwoTowerModel;
  beforeAll(async () => {
    await selectBackend([backendUnderTest()]);
    model = TwoTowerModel.create(shape, 17);
  });
  afterAll(() => model.dispose());

  it('is efficient: each pair’s five values add up to the model’s score minus the baseline score', () => {
    const baseline = computeAttributionBaseline(model, encoder, readers, articles, 'population');
    const attributor = new GroupAttributor(model, baseline);
    const r = encoder.readers(readers);
    const a = encoder.articles(articles);
    const scores = model.score(r, a);
    const expected = scores.arraySync();
    scores.dispose();
    const phi = attributeAll(attributor, r, a);
    let spread = 0;
    phi.forEach((row, i) =>
      row.forEach((values, j) => {
        expect(values).toHaveLength(towerFeatureGroups.length);
        const total = values.reduce((x, y) => x + y, 0);
        expect(Math.abs(total - (expected[i][j] - attributor.baselineScore))).toBeLessThan(tolerance);
        spread = Math.max(spread, ...values.map(Math.abs));
      }),
    );
    // Not trivially so: the values are far from zero.
    expect(spread).toBeGreaterThan(0.05);
    attributor.dispose();
  });

  it('agrees with a brute force that scores the model itself with groups swapped for a reference’s, over all 5! orderings', () => {
    // A baseline of one reader and one article: an absent group is then exactly that reference's
    // input, so every coalition is a real pair of inputs the model can score.
    const referenceReader = reader(40);
    const referenceArticle = article(41);
    const baseline = computeAttributionBaseline(
      model,
      encoder,
      [referenceReader],
      [referenceArticle],
      'population',
    );
    const attributor = new GroupAttributor(model, baseline);
    const ref = { reader: encoder.readers([referenceReader]), article: encoder.articles([referenceArticle]) };
    const k = encoder.config.readerTokens;
    const m = encoder.config.articleTokens;
    const slots = encoder.categorySlots;
    const hybridReader = (of: ReaderInputs, row: number, mask: number): ReaderInputs => {
      const words = mask & 1 ? { inputs: of, row } : { inputs: ref.reader, row: 0 };
      const mix = mask & 2 ? { inputs: of, row } : { inputs: ref.reader, row: 0 };
      return {
        count: 1,
        tokens: words.inputs.tokens.slice(words.row * k, (words.row + 1) * k),
        tokenWeights: words.inputs.tokenWeights.slice(words.row * k, (words.row + 1) * k),
        categoryMix: mix.inputs.categoryMix.slice(mix.row * slots, (mix.row + 1) * slots),
      };
    };
    const hybridArticle = (of: ArticleInputs, row: number, mask: number): ArticleInputs => {
      const pick = (bit: number) => (mask & bit ? { inputs: of, row } : { inputs: ref.article, row: 0 });
      const words = pick(1);
      return {
        count: 1,
        tokens: words.inputs.tokens.slice(words.row * m, (words.row + 1) * m),
        tokenWeights: words.inputs.tokenWeights.slice(words.row * m, (words.row + 1) * m),
        category: Int32Array.of(pick(2).inputs.category[pick(2).row]),
        publisher: Int32Array.of(pick(4).inputs.publisher[pick(4).row]),
      };
    };
    const r = encoder.readers(readers.slice(0, 4));
    const a = encoder.articles(articles.slice(0, 5));
    const phi = attributeAll(attributor, r, a);
    const modelScore = (reader: ReaderInputs, article: ArticleInputs) => {
      const score = model.score(reader, article);
      try {
        return score.dataSync()[0];
      } finally {
        score.dispose();
      }
    };
    for (let i = 0; i < r.count; i++) {
      for (let j = 0; j < a.count; j++) {
        const scored = new Map<number, number>();
        const value = (mask: number) => {
          if (!scored.has(mask))
            scored.set(mask, modelScore(hybridReader(r, i, mask & 3), hybridArticle(a, j, mask >> 2)));
          return scored.get(mask) as number;
        };
        const expected = permutationShapley(value, towerFeatureGroups.length);
        phi[i][j].forEach((v, g) => expect(Math.abs(v - expected[g])).toBeLessThan(tolerance));
      }
    }
    expect(Math.abs(attributor.baselineScore - modelScore(ref.reader, ref.article))).toBeLessThan(tolerance);
    attributor.dispose();
  });

  it('gives the tower vectors for the full coalitions, and the same values however the pairs are batched', () => {
    const baseline = computeAttributionBaseline(model, encoder, readers, articles, 'population');
    const attributor = new GroupAttributor(model, baseline);
    const r = encoder.readers(readers);
    const a = encoder.articles(articles);
    const d = shape.dimensions;
    const [readerCoalitions, articleCoalitions, readerVectors, articleVectors] = tf.tidy(() => [
      attributor.readerCoalitions(r).dataSync(),
      attributor.articleCoalitions(a).dataSync(),
      model.readerVectors(r).dataSync(),
      model.articleVectors(a).dataSync(),
    ]);
    for (let i = 0; i < r.count; i++)
      for (let j = 0; j < d; j++)
        expect(Math.abs(readerCoalitions[(i * 4 + 3) * d + j] - readerVectors[i * d + j])).toBeLessThan(1e-6);
    for (let i = 0; i < a.count; i++)
      for (let j = 0; j < d; j++)
        expect(Math.abs(articleCoalitions[(i * 8 + 7) * d + j] - articleVectors[i * d + j])).toBeLessThan(
          1e-6,
        );
    const batched = attributeAll(attributor, r, a);
    // The freshness term, outside the towers, is its own value.
    const pair = pairAttributions(
      readerCoalitions.subarray(2 * 4 * d, 3 * 4 * d),
      articleCoalitions.subarray(5 * 8 * d, 6 * 8 * d),
      d,
      0.125,
    );
    expect(pair).toHaveLength(featureGroups.length);
    batched[2][5].forEach((value, g) => expect(Math.abs(value - pair[g])).toBeLessThan(tolerance));
    expect(pair[featureGroups.indexOf('article.age')]).toBe(0.125);
    const record = attributionRecord(pair);
    expect(Object.keys(record)).toEqual([...featureGroups]);
    const rounded = Object.values(record);
    expect(Math.abs(rounded.reduce((a, b) => a + b, 0) - pair.reduce((a, b) => a + b, 0))).toBeLessThan(1e-6);
    for (const value of rounded)
      expect(value.toExponential().replace(/e.*|-|\./g, '').length).toBeLessThanOrEqual(7);
    const pairs = attributor.attributePairs(
      encoder.readers([readers[2], readers[4]]),
      encoder.articles([articles[5], articles[1]]),
      Float32Array.of(0.5, -0.25),
    );
    const groups = featureGroups.length;
    [batched[2][5], batched[4][1]].forEach((values, p) =>
      values.forEach((value, g) => expect(Math.abs(pairs[p * groups + g] - value)).toBeLessThan(tolerance)),
    );
    expect([pairs[groups - 1], pairs[2 * groups - 1]]).toEqual([0.5, -0.25]);
    attributor.dispose();
  });
});

describe('trainingBaseline', () => {
  beforeAll(() => selectBackend([backendUnderTest()]));

  it('averages a stable sample of the training data’s readers and unflagged articles, the same every time', async () => {
    const set = await loadDataset(twoTopicDatasetLines({ readers: 30 }));
    const trained = FeatureEncoder.fromArticles(set.articles, {
      articleTokens: 6,
      historyReads: 4,
      readerTokens: 10,
    });
    const model = TwoTowerModel.create(
      {
        ...shape,
        tokenBuckets: set.header.tokenBuckets,
        categorySlots: trained.categorySlots,
        publisherSlots: trained.publisherSlots,
      },
      3,
    );
    const all = trainingBaseline(model, trained, set);
    expect(all.source).toBe('training-data');
    expect(all.sample).toEqual({ readers: 30, articles: set.articles.length });
    for (const group of towerFeatureGroups) {
      expect(all.terms[group]).toHaveLength(shape.dimensions);
      expect(all.terms[group].some((v) => v !== 0)).toBe(true);
    }
    expect(trainingBaseline(model, trained, set)).toEqual(all);
    // A smaller sample is a different mean, of the sizes asked for.
    const some = trainingBaseline(model, trained, set, 10);
    expect(some.sample).toEqual({ readers: 10, articles: 10 });
    expect(some.terms['reader.recentWords']).not.toEqual(all.terms['reader.recentWords']);
    model.dispose();
  });
});

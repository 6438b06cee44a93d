import { ArtifactStore } from '@newsroom/artifacts';
import { articleTokenHashes, featureGroups, newEvent, topics } from '@newsroom/contracts';
import {
  ArticleContent,
  AttributionBaseline,
  FeatureEncoder,
  GroupAttributor,
  TwoTowerModel,
  computeAttributionBaseline,
  readerProfileFromFeatures,
  saveModel,
  selectBackend,
} from '@newsroom/ml';
import { untrainedTwoTower } from '@newsroom/ml/testing';
import { Json, ServiceHandle, ServiceWorld, serviceWorld } from '@newsroom/platform/testing';
import { waitFor } from '@newsroom/testing';
import { randomUUID } from 'node:crypto';

/** Float32 scores and attributions: what should agree does within this. */
const tolerance = 1e-5;

/**
 * Every item batch scoring lists says where it came from, its category and publisher, and (model
 * items, and new articles placed into explained lists) its exact Shapley values per feature
 * group, adding up to its score minus the list's baseline score; lists carry the model's lineage.
 */
describe('batch scoring: attributions', () => {
  let world: ServiceWorld;
  let scoring: ServiceHandle;
  let model: TwoTowerModel;
  let encoder: FeatureEncoder;
  let attributor: GroupAttributor;
  const readers = 120;
  const articles = 90;
  const categories = ['politics', 'sport', 'science'];
  const datasetId = 'ab'.repeat(32);
  const now = Date.now();

  const article = (i: number) => ({
    articleId: `a-${i}`,
    title: `${categories[i % 3]} story ${i} about ${['rates', 'elections', 'climate', 'cup'][i % 4]}`,
    body: `Body of story ${i}, mostly ${categories[i % 3]}.`,
    category: categories[i % 3],
    publisher: `publisher-${i % 4}`,
    publishedAt: new Date(now - (i % 24) * 3_600_000 - 60_000).toISOString(),
  });
  const features = (a: ReturnType<typeof article>) => ({
    articleId: a.articleId,
    revision: 1,
    category: a.category,
    publisher: a.publisher,
    tokenHashes: articleTokenHashes(a.title, a.body),
    publishedAt: a.publishedAt,
    reads: { '1h': 0, '24h': 0, '7d': 0 },
    dwellSeconds: { '1h': 0, '24h': 0, '7d': 0 },
    windowsAt: new Date(now).toISOString(),
    flagged: false,
    version: 1,
  });
  const reader = (r: number) => ({
    userId: `u-${r}`,
    region: 'africa',
    categoryMix: { [categories[r % 3]]: 0.7, [categories[(r + 1) % 3]]: 0.3 },
    recentReads: [0, 1, 2].map((k) => ({
      articleId: `a-${(r * 7 + k) % articles}`,
      dwellSeconds: 20 + 10 * k,
      at: new Date(now - (k + 1) * 60_000).toISOString(),
    })),
    impressions: 3,
    clicks: 3,
    reads: 3,
    totalDwellSeconds: 90,
    lastSeenAt: new Date(now).toISOString(),
    version: 1,
  });
  const contents = new Map<string, ArticleContent>(
    Array.from({ length: articles }, (_, i) => {
      const f = features(article(i));
      return [f.articleId, f];
    }),
  );
  const profileOf = (r: number) => readerProfileFromFeatures(reader(r), (id) => contents.get(id));

  /** Each reader's latest list of a model, from recommendations.generated. */
  const latestLists = async (modelVersion: string): Promise<Map<string, Json>> => {
    const latest = new Map<string, Json>();
    for (const { payload } of await world.readAll(topics.recommendationsGenerated.name)) {
      if (payload.modelVersion !== modelVersion) continue;
      if ((latest.get(payload.userId)?.revision ?? 0) < payload.revision) latest.set(payload.userId, payload);
    }
    return latest;
  };
  const promote = async (
    modelVersion: string,
    sequence: number,
    artifact: { uri: string; sha256: string },
  ) => {
    await world.promote(modelVersion, artifact, sequence);
    await waitFor(
      `${modelVersion} scored`,
      async () =>
        (await world.readAll(topics.scoringCompleted.name)).some(
          (e) => e.payload.modelVersion === modelVersion,
        ),
      { timeoutMs: 120_000, intervalMs: 250 },
    );
  };
  /** The model's own attributions of a reader's article, computed here. */
  const expectedAttributions = (r: number, articleId: string) => {
    const content = contents.get(articleId);
    if (!content) throw new Error(`no article ${articleId}`);
    return attributor.attributePairs(encoder.readers([profileOf(r)]), encoder.articles([content]));
  };
  const expectExplained = (item: Json, baselineScore: number) => {
    expect(Object.keys(item.attributions).sort()).toEqual([...featureGroups].sort());
    const total = featureGroups.reduce((sum, group) => sum + item.attributions[group], 0);
    expect(Math.abs(total - (item.score - baselineScore))).toBeLessThan(tolerance);
  };

  beforeAll(async () => {
    await selectBackend(['wasm', 'cpu']);
    ({ model, encoder } = untrainedTwoTower([...contents.values()], 11));
    world = await serviceWorld();
    scoring = await world.start('batch-scoring', {
      ML_BACKENDS: 'wasm,cpu',
      SCORING_SHARDS: '2',
      SCORING_WORKERS: '1',
      SCORING_FALLBACK_INTERVAL_MS: '300',
    });
    await world.publish(
      topics.featuresArticles,
      Array.from({ length: articles }, (_, i) => features(article(i))).map((a) => ({
        key: a.articleId,
        value: newEvent(topics.featuresArticles.name, a, 'test'),
      })),
    );
    await world.publish(
      topics.featuresUsers,
      Array.from({ length: readers }, (_, r) => reader(r)).map((u) => ({
        key: u.userId,
        value: newEvent(topics.featuresUsers.name, u, 'test'),
      })),
    );
    await waitFor(
      'features stored',
      async () =>
        (await world.query(scoring, `SELECT count(*)::int AS n FROM $schema.readers`))[0].n === readers &&
        (await world.query(scoring, `SELECT count(*)::int AS n FROM $schema.articles`))[0].n === articles,
      { timeoutMs: 60_000, intervalMs: 250 },
    );
  }, 120_000);

  afterAll(async () => {
    attributor?.dispose();
    model?.dispose();
    await world?.tearDown();
  }, 60_000);

  it('lists every model item with its origin, category, publisher and five attributions adding up to score − baseline', async () => {
    // A baseline of a few readers and articles, as training would store (from its dataset).
    const baseline: AttributionBaseline = computeAttributionBaseline(
      model,
      encoder,
      [0, 1, 2, 3].map(profileOf),
      [...contents.values()].slice(0, 10),
      'training-data',
    );
    attributor = new GroupAttributor(model, baseline);
    const artifact = await saveModel(new ArtifactStore(world.artifactDir), model, encoder, {
      attributionBaseline: baseline,
      lineage: { datasetId, featureSchemaVersion: 1 },
    });
    await promote('v-explained', 1, artifact);

    const lists = await latestLists('v-explained');
    expect(lists.size).toBe(readers);
    for (const list of lists.values()) {
      expect(list).toMatchObject({ datasetId, featureSchemaVersion: 1 });
      expect(Math.abs(list.attributionBaseline - attributor.baselineScore)).toBeLessThan(1e-6);
      expect(list.items).toHaveLength(50);
      for (const item of list.items) {
        const content = contents.get(item.articleId);
        expect(item).toMatchObject({
          origin: 'model',
          category: content?.category,
          publisher: content?.publisher,
        });
        expectExplained(item, list.attributionBaseline);
      }
    }
    // The values are the model's: the same computed here from the reader's features and the article's.
    for (const r of [0, 41, 119]) {
      for (const item of lists.get(`u-${r}`).items.slice(0, 5)) {
        const expected = expectedAttributions(r, item.articleId);
        featureGroups.forEach((group, g) =>
          expect(Math.abs(item.attributions[group] - expected[g])).toBeLessThan(tolerance),
        );
      }
    }
  }, 180_000);

  it('explains a new article placed into lists between runs, exactly, as a fresh item', async () => {
    const before = await latestLists('v-explained');
    const like = article(Number(before.get('u-5').items[0].articleId.slice(2)));
    const fresh = `fresh-${randomUUID()}`;
    const content = {
      tokenHashes: articleTokenHashes(like.title, like.body),
      category: like.category,
      publisher: like.publisher,
    };
    contents.set(fresh, content);
    await world.publish(topics.articlesIngested, [
      {
        key: fresh,
        value: newEvent(
          topics.articlesIngested.name,
          {
            ...like,
            eventId: randomUUID(),
            articleId: fresh,
            url: `https://example.com/${fresh}`,
            publishedAt: new Date().toISOString(),
            revision: 1,
            ingestedAt: new Date().toISOString(),
          },
          'test',
        ),
      },
    ]);
    const holding = await waitFor(
      `${fresh} placed into lists`,
      async () => {
        const lists = [...(await latestLists('v-explained')).values()].filter((l) =>
          l.items.some((i: Json) => i.articleId === fresh),
        );
        return lists.length > 0 ? lists : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    for (const list of holding) {
      const item = list.items.find((i: Json) => i.articleId === fresh);
      expect(item).toMatchObject({ origin: 'fresh', category: like.category, publisher: like.publisher });
      expectExplained(item, list.attributionBaseline);
      const expected = expectedAttributions(Number(list.userId.slice(2)), fresh);
      featureGroups.forEach((group, g) =>
        expect(Math.abs(item.attributions[group] - expected[g])).toBeLessThan(tolerance),
      );
      // The rest of the list keeps what it was announced with.
      expect(list).toMatchObject({ datasetId, featureSchemaVersion: 1 });
      expect(list.items.filter((i: Json) => i.origin === 'model')).toHaveLength(49);
    }
  }, 60_000);

  it('explains lists of a model file without a baseline from the replica’s own, without lineage', async () => {
    const artifact = await saveModel(new ArtifactStore(world.artifactDir), model, encoder);
    await promote('v-older-file', 2, artifact);
    const lists = await latestLists('v-older-file');
    expect(lists.size).toBe(readers);
    const baselines = new Set([...lists.values()].map((l) => l.attributionBaseline));
    expect(baselines.size).toBe(1);
    const [baselineScore] = baselines;
    expect(typeof baselineScore).toBe('number');
    // The mean of the replica's readers (all 120 have read something) and candidates (every article).
    const population = new GroupAttributor(
      model,
      computeAttributionBaseline(
        model,
        encoder,
        Array.from({ length: readers }, (_, r) => profileOf(r)),
        [...contents.values()],
        'population',
      ),
    );
    expect(Math.abs(baselineScore - population.baselineScore)).toBeLessThan(1e-6);
    expect(population.baselineScore).not.toBe(attributor.baselineScore);
    population.dispose();
    for (const list of lists.values()) {
      expect(list.datasetId).toBeUndefined();
      expect(list.featureSchemaVersion).toBeUndefined();
      for (const item of list.items) expectExplained(item, baselineScore);
    }
  }, 180_000);
  it('gives fallback items their category and publisher (for serving’s editorial caps)', async () => {
    const fallbacks = await waitFor('fallback lists', async () => {
      const all = (await world.readAll(topics.recommendationsFallback.name)).map((e) => e.payload);
      return all.length > 0 ? all : undefined;
    });
    const items = fallbacks.flatMap((f) => f.items);
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) {
      const content = contents.get(item.articleId);
      expect(item).toMatchObject({ category: content?.category, publisher: content?.publisher });
      expect(item.category).toEqual(expect.any(String));
    }
  });
});

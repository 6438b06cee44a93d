import { newEvent, recommendationListSize, topics } from '@newsroom/contracts';
import { selectBackend } from '@newsroom/ml';
import { savedUntrainedTwoTower } from '@newsroom/ml/testing';
import { Json, ServiceHandle, ServiceWorld, serviceWorld } from '@newsroom/platform/testing';
import { uniqueName, waitFor } from '@newsroom/testing';

/**
 * Two batch-scoring replicas on one schema: the first is killed (SIGKILL) in the middle of a run;
 * the second takes over the shards left, including the one the first held when it died, and
 * every reader still ends with one complete list.
 */
describe('batch scoring: a replica killed mid-run', () => {
  let world: ServiceWorld;
  const schema = uniqueName('scoring');
  const readers = 4_000;
  const articles = 400;
  const shards = 64;
  const env = {
    ML_BACKENDS: 'wasm,cpu',
    SCORING_SHARDS: String(shards),
    SCORING_WORKERS: '1',
    SCORING_SHARD_LEASE_MS: '2000',
  };
  const topicsOf = ['politics', 'sport', 'science', 'culture', 'economy'];
  const now = Date.now();

  const article = (i: number) => ({
    articleId: `a-${i}`,
    revision: 1,
    category: topicsOf[i % topicsOf.length],
    publisher: `publisher-${i % 3}`,
    // Words of the article's topic (a range of hash buckets per topic) plus a few of its own.
    tokenHashes: [...new Set([(i % 5) * 100 + (i % 37), (i % 5) * 100 + (i % 11), 1_000 + i, 2_000 + i])],
    publishedAt: new Date(now - (i % 24) * 3_600_000).toISOString(),
    reads: { '1h': 0, '24h': 0, '7d': 0 },
    dwellSeconds: { '1h': 0, '24h': 0, '7d': 0 },
    windowsAt: new Date(now).toISOString(),
    flagged: false,
    version: 1,
  });
  const reader = (r: number) => ({
    userId: `u-${r}`,
    categoryMix: { [topicsOf[r % 5]]: 1 },
    recentReads: [0, 1, 2].map((k) => ({
      articleId: `a-${(r * 7 + k * 5) % articles}`,
      dwellSeconds: 30 + k,
      at: new Date(now - k * 60_000).toISOString(),
    })),
    impressions: 3,
    clicks: 3,
    reads: 3,
    totalDwellSeconds: 93,
    lastSeenAt: new Date(now).toISOString(),
    version: 1,
  });

  beforeAll(async () => {
    await selectBackend(['wasm', 'cpu']);
    world = await serviceWorld();
  }, 60_000);

  afterAll(() => world?.tearDown(), 60_000);

  it('redoes the dead replica’s share: every reader ends with a complete list, announced once as complete', async () => {
    const first = await world.start('batch-scoring', env, schema);
    const catalog = Array.from({ length: articles }, (_, i) => article(i));
    await world.publish(
      topics.featuresArticles,
      catalog.map((a) => ({ key: a.articleId, value: newEvent(topics.featuresArticles.name, a, 'test') })),
    );
    await world.publish(
      topics.featuresUsers,
      Array.from({ length: readers }, (_, r) => reader(r)).map((u) => ({
        key: u.userId,
        value: newEvent(topics.featuresUsers.name, u, 'test'),
      })),
    );
    const count = async (table: string) =>
      (await world.query(first, `SELECT count(*)::int AS n FROM $schema.${table}`))[0].n;
    await waitFor(
      'features stored',
      async () => (await count('readers')) === readers && (await count('articles')) === articles,
      {
        timeoutMs: 60_000,
        intervalMs: 250,
      },
    );

    const artifact = await savedUntrainedTwoTower(world.artifactDir, catalog, 5);
    await world.promote('v-crash', artifact);

    const doneShards = async () =>
      (await world.query(first, `SELECT count(*)::int AS n FROM $schema.run_shards WHERE status = 'done'`))[0]
        .n;
    await waitFor('a few shards done', async () => (await doneShards()) >= 3, {
      timeoutMs: 60_000,
      intervalMs: 10,
    });
    await first.process.stop('SIGKILL');
    const doneAtKill = await doneShards();
    expect(doneAtKill).toBeLessThan(shards);

    const second: ServiceHandle = await world.start('batch-scoring', env, schema);
    const [completed] = await waitFor(
      'scoring.completed',
      async () => {
        const events = await world.readAll(topics.scoringCompleted.name);
        return events.length > 0 ? events : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    expect(completed.payload).toMatchObject({
      modelVersion: 'v-crash',
      readersScored: readers,
      articlesScored: articles,
    });
    expect(await world.readAll(topics.scoringCompleted.name)).toHaveLength(1);

    // Both replicas did part of the run; the second redid what the first left, held shards included.
    const owners = await world.query(second, `SELECT DISTINCT owner FROM $schema.run_shards`);
    expect(owners).toHaveLength(2);
    const lists = await world.query(second, `SELECT user_id, items FROM $schema.lists`);
    expect(lists).toHaveLength(readers);
    for (const list of lists) expect(list.items).toHaveLength(recommendationListSize);

    // Every list announced is whole; the latest revision of each reader is its stored list.
    const announced: Json[] = await world.readAll(topics.recommendationsGenerated.name);
    for (const event of announced) expect(event.payload.items).toHaveLength(recommendationListSize);
    const latest = new Map<string, Json>();
    for (const { payload } of announced) {
      if ((latest.get(payload.userId)?.revision ?? 0) < payload.revision) latest.set(payload.userId, payload);
    }
    expect(latest.size).toBe(readers);
    const stored = new Map(lists.map((l) => [l.user_id, l.items]));
    for (const [userId, payload] of latest) expect(payload.items).toEqual(stored.get(userId));
    // A reader's reads are never offered back.
    const some = latest.get('u-11');
    expect(some.items.map((i: Json) => i.articleId)).not.toContain(reader(11).recentReads[0].articleId);
  }, 240_000);
});

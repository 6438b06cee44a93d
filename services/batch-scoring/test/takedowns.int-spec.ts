import { articleTokenHashes, newEvent, topics } from '@newsroom/contracts';
import { selectBackend } from '@newsroom/ml';
import { savedUntrainedTwoTower } from '@newsroom/ml/testing';
import { Json, ServiceHandle, ServiceWorld, serviceWorld } from '@newsroom/platform/testing';
import { waitFor } from '@newsroom/testing';
import { randomUUID } from 'node:crypto';

/**
 * Batch scoring's part of takedowns: a flag takes the article out of every stored list and is
 * confirmed once, however often it is delivered; an article flagged before it arrived is stored
 * flagged, so the freshness path never offers it and the fallback never lists it.
 */
describe('batch scoring: takedowns', () => {
  let world: ServiceWorld;
  let scoring: ServiceHandle;
  const readers = 200;
  const articles = 120;
  const categories = ['politics', 'sport', 'science', 'culture'];
  const now = Date.now();

  const article = (i: number) => ({
    articleId: `a-${i}`,
    title: `${categories[i % 4]} story ${i} about ${['rates', 'elections', 'climate', 'cup'][i % 4]}`,
    body: `Body of story ${i}, mostly ${categories[i % 4]}.`,
    category: categories[i % 4],
    publisher: `publisher-${i % 3}`,
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
    categoryMix: { [categories[r % 4]]: 1 },
    // Reads of a few articles: the fallback's popular part is short, the rest is the newest articles.
    recentReads: [0, 1].map((k) => ({
      articleId: `a-${(r + k) % 10}`,
      dwellSeconds: 30,
      at: new Date(now - (k + 1) * 60_000).toISOString(),
    })),
    impressions: 2,
    clicks: 2,
    reads: 2,
    totalDwellSeconds: 60,
    lastSeenAt: new Date(now).toISOString(),
    version: 1,
  });
  /** An `articles.ingested` event of a new article written like `like`. */
  const ingested = (articleId: string, like: ReturnType<typeof article>) =>
    newEvent(
      topics.articlesIngested.name,
      {
        ...like,
        eventId: randomUUID(),
        articleId,
        url: `https://example.com/${articleId}`,
        publishedAt: new Date().toISOString(),
        revision: 1,
        ingestedAt: new Date().toISOString(),
      },
      'test',
    );
  const flag = (articleId: string, flagged: boolean, takedownId?: string) =>
    newEvent(
      topics.articlesFlagged.name,
      { articleId, flagged, reason: 'misinformation', actor: 'moderator', takedownId },
      'test',
    );
  const confirmations = async (): Promise<Json[]> =>
    (await world.readAll(topics.takedownConfirmed.name)).map((e) => e.payload);
  const listsHolding = async (articleId: string): Promise<number> =>
    (
      await world.query(scoring, `SELECT count(*)::int AS n FROM $schema.lists WHERE items @> $1::jsonb`, [
        JSON.stringify([{ articleId }]),
      ])
    )[0].n;

  beforeAll(async () => {
    await selectBackend(['wasm', 'cpu']);
    world = await serviceWorld();
    scoring = await world.start('batch-scoring', {
      ML_BACKENDS: 'wasm,cpu',
      SCORING_SHARDS: '2',
      SCORING_WORKERS: '1',
      SCORING_FALLBACK_INTERVAL_MS: '300',
    });
    const catalog = Array.from({ length: articles }, (_, i) => article(i));
    await world.publish(
      topics.featuresArticles,
      catalog.map((a) => ({
        key: a.articleId,
        value: newEvent(topics.featuresArticles.name, features(a), 'test'),
      })),
    );
    await world.publish(
      topics.featuresUsers,
      Array.from({ length: readers }, (_, r) => reader(r)).map((u) => ({
        key: u.userId,
        value: newEvent(topics.featuresUsers.name, u, 'test'),
      })),
    );
    const artifact = await savedUntrainedTwoTower(world.artifactDir, catalog.map(features), 7);
    await waitFor(
      'features stored',
      async () =>
        (await world.query(scoring, `SELECT count(*)::int AS n FROM $schema.readers`))[0].n === readers &&
        (await world.query(scoring, `SELECT count(*)::int AS n FROM $schema.articles`))[0].n === articles,
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    await world.promote('v-takedowns', artifact);
    await waitFor(
      'scoring.completed',
      async () => (await world.readAll(topics.scoringCompleted.name)).length > 0,
      {
        timeoutMs: 120_000,
        intervalMs: 250,
      },
    );
  }, 240_000);

  afterAll(() => world?.tearDown(), 60_000);

  it('takes a flagged article out of every stored list and confirms the takedown once, redelivered or not', async () => {
    const [top] = await world.query(
      scoring,
      `SELECT item->>'articleId' AS article_id, count(*)::int AS n
       FROM $schema.lists, jsonb_array_elements(items) AS item GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1`,
    );
    expect(top.n).toBeGreaterThan(1);
    const itemsOf = async () =>
      new Map(
        (await world.query(scoring, `SELECT user_id, items FROM $schema.lists ORDER BY user_id`)).map((l) => [
          l.user_id,
          l.items,
        ]),
      );
    const before = await itemsOf();
    const [takedownId, later] = [randomUUID(), randomUUID()];
    const decision = flag(top.article_id, true, takedownId);
    // Delivered twice, then an unflag and a later flag behind it in the article's partition.
    for (const value of [decision, decision, flag(top.article_id, false), flag(top.article_id, true, later)])
      await world.publish(topics.articlesFlagged, [{ key: top.article_id, value }]);
    const confirmed = await waitFor('the later takedown confirmed', async () => {
      const all = await confirmations();
      return all.some((c) => c.takedownId === later)
        ? all.filter((c) => c.articleId === top.article_id)
        : undefined;
    });
    expect(confirmed.map((c) => c.takedownId)).toEqual([takedownId, later]);
    expect(confirmed[0]).toEqual({
      takedownId,
      articleId: top.article_id,
      holder: 'batch-scoring',
      instance: expect.stringMatching(/^batch-scoring@.+:\d+:/),
      confirmedAt: expect.any(String),
    });
    // Confirmed in the transaction that withdrew it: no stored list holds it once confirmed, and
    // every other item stays as it was, in its order.
    expect(await listsHolding(top.article_id)).toBe(0);
    const after = await itemsOf();
    for (const [userId, items] of before)
      expect(after.get(userId)).toEqual(items.filter((i: Json) => i.articleId !== top.article_id));
    // Each withdrawn list is announced as stored, under its new revision, with its lineage.
    const stored = new Map(
      (await world.query(scoring, `SELECT user_id, revision FROM $schema.lists`)).map((l) => [
        l.user_id,
        l.revision,
      ]),
    );
    const holders = [...before].filter(([, items]) =>
      items.some((i: Json) => i.articleId === top.article_id),
    );
    const announced = await waitFor('the withdrawn lists announced', async () => {
      const latest = new Map<string, Json>();
      for (const event of await world.readAll(topics.recommendationsGenerated.name))
        if ((latest.get(event.payload.userId)?.payload.revision ?? 0) < event.payload.revision)
          latest.set(event.payload.userId, event);
      return holders.every(([userId]) => latest.get(userId)?.payload.revision === stored.get(userId))
        ? latest
        : undefined;
    });
    for (const [userId] of holders) {
      const event = announced.get(userId);
      expect(topics.recommendationsGenerated.value.safeParse(event).success).toBe(true);
      expect(event.payload).toMatchObject({ userId, modelVersion: 'v-takedowns', items: after.get(userId) });
    }
  });

  it('never offers or lists an article flagged before it arrived, while one written the same way enters lists', async () => {
    const [favourite] = await world.query(
      scoring,
      `SELECT items->0->>'articleId' AS article_id FROM $schema.lists ORDER BY user_id LIMIT 1`,
    );
    const like = article(Number(favourite.article_id.slice(2)));
    const [early, control, takedownId] = [`early-${randomUUID()}`, `control-${randomUUID()}`, randomUUID()];
    await world.publish(topics.articlesFlagged, [{ key: early, value: flag(early, true, takedownId) }]);
    await waitFor('the early takedown confirmed', async () =>
      (await confirmations()).some((c) => c.takedownId === takedownId),
    );
    await world.publish(
      topics.articlesIngested,
      [early, control].map((id) => ({ key: id, value: ingested(id, like) })),
    );
    await waitFor(`${control} in lists`, async () => (await listsHolding(control)) > 0, {
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    // The two went to partitions of their own: the control's being listed says nothing of the early one.
    const stored = await waitFor(`${early} stored`, async () => {
      const [row] = await world.query(scoring, `SELECT flagged FROM $schema.articles WHERE article_id = $1`, [
        early,
      ]);
      return row;
    });
    expect(stored).toEqual({ flagged: true });
    expect(await listsHolding(early)).toBe(0);
    // The fallback tops up with the newest articles: the control, not the early-flagged one.
    const fallbacks = await waitFor('a fallback with the control', async () => {
      const all = (await world.readAll(topics.recommendationsFallback.name)).map((e) => e.payload);
      return all.some((f) => f.items.some((i: Json) => i.articleId === control)) ? all : undefined;
    });
    expect(fallbacks.flatMap((f) => f.items).filter((i: Json) => i.articleId === early)).toEqual([]);
  });
});

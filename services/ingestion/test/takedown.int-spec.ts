import { topics } from '@newsroom/contracts';
import { World, startEndingNow, worldConfig } from '@newsroom/datagen';
import { selectBackend } from '@newsroom/ml';
import { savedUntrainedTwoTower } from '@newsroom/ml/testing';
import { Json, ServiceHandle, ServiceWorld, serviceWorld, testAdminKey } from '@newsroom/platform/testing';
import { uniqueName, waitFor } from '@newsroom/testing';
import { randomUUID } from 'node:crypto';

const auditorKey = 'tests-auditor-key-0123456789';

/**
 * Takedowns from the flag to the receipt, every service a real process on real Kafka and
 * PostgreSQL: ingestion takes the flag, the feature store, batch scoring and two serving replicas
 * (one schema, each its own consumer group and index) each confirm removing the article, and
 * monitoring's receipt lists them all. An article flagged before it was ingested is confirmed the
 * same way and never reaches a list or a reader.
 */
describe('takedowns end to end', () => {
  let world: ServiceWorld;
  let ingestion: ServiceHandle;
  let featureStore: ServiceHandle;
  let scoring: ServiceHandle;
  let replicas: ServiceHandle[];
  let monitoring: ServiceHandle;

  const adminKeys = `tests:${testAdminKey}`;
  const recommend = async (replica: ServiceHandle, userId: string, limit = 10): Promise<string[]> => {
    const { status, body } = await replica.get(
      `/v1/users/${encodeURIComponent(userId)}/recommendations?limit=${limit}`,
    );
    expect(status).toBe(200);
    return body.items.map((i: Json) => i.articleId);
  };
  const receipt = async (takedownId: string): Promise<{ status: number; body: Json }> => {
    const response = await fetch(`${monitoring.process.url}/v1/takedowns/${takedownId}`, {
      headers: { 'x-api-key': auditorKey },
    });
    return { status: response.status, body: await response.json() };
  };
  const completeReceipt = (takedownId: string) =>
    waitFor(
      `the receipt of ${takedownId} complete`,
      async () => {
        const { status, body } = await receipt(takedownId);
        return status === 200 && body.complete ? body : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
  const listsHolding = async (articleId: string): Promise<string[]> =>
    (
      await world.query(
        scoring,
        `SELECT user_id FROM $schema.lists WHERE items @> $1::jsonb ORDER BY user_id`,
        [JSON.stringify([{ articleId }])],
      )
    ).map((r) => r.user_id);
  /** The instances of a service as its vitals name them. */
  const vitalsInstances = async (service: string): Promise<string[]> =>
    [
      ...new Set(
        (await world.readAll(topics.serviceVitals.name))
          .filter((e) => e.payload.service === service)
          .map((e) => e.payload.instance as string),
      ),
    ].sort();

  beforeAll(async () => {
    await selectBackend(['wasm', 'cpu']);
    world = await serviceWorld();
    const fast = { VITALS_INTERVAL_MS: '1000' };
    [ingestion, featureStore, scoring, monitoring] = await Promise.all([
      world.start('ingestion', { ...fast, INGESTION_ADMIN_API_KEYS: adminKeys }),
      world.start('feature-store', {
        ...fast,
        FEATURES_PUBLISH_INTERVAL_MS: '100',
        FEATURES_REPUBLISH_USERS_AFTER_MS: '0',
      }),
      world.start('batch-scoring', {
        ...fast,
        ML_BACKENDS: 'wasm,cpu',
        SCORING_SHARDS: '4',
        SCORING_WORKERS: '1',
        SCORING_REFRESH_INTERVAL_MS: '500',
        SCORING_FALLBACK_INTERVAL_MS: '1000',
      }),
      world.start('monitoring', { ...fast, MONITORING_AUDITOR_API_KEYS: `auditor:${auditorKey}` }),
    ]);
    // Two replicas of one deployment: one schema, each its own consumer group (its own index).
    const servingSchema = uniqueName('serving');
    replicas = [];
    for (const replica of ['serving-a', 'serving-b'])
      replicas.push(
        await world.start(
          'serving',
          { ...fast, KAFKA_GROUP_ID: `${world.kafkaTopics.prefix}${replica}` },
          servingSchema,
        ),
      );

    await world.publishWorld(new World(worldConfig('small', { start: startEndingNow(2) })), featureStore);
    const readers = (
      await world.query(featureStore, 'SELECT count(*)::int AS n FROM $schema.user_features')
    )[0].n;
    await waitFor(
      'every reader in batch scoring',
      async () =>
        (await world.query(scoring, 'SELECT count(*)::int AS n FROM $schema.readers'))[0].n === readers,
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    // The champion: an untrained two-tower model over the world's categories and publishers (what
    // it ranks does not matter here, only that readers have lists).
    const contents = (
      await world.query(
        featureStore,
        'SELECT category, publisher, token_hashes FROM $schema.article_features',
      )
    ).map((r) => ({ category: r.category, publisher: r.publisher, tokenHashes: r.token_hashes }));
    const artifact = await savedUntrainedTwoTower(world.artifactDir, contents, 11);
    await world.promote('v-takedown', artifact);
    await waitFor(
      'scoring.completed',
      async () => (await world.readAll(topics.scoringCompleted.name)).length > 0,
      {
        timeoutMs: 120_000,
        intervalMs: 500,
      },
    );
  }, 420_000);

  afterAll(() => world?.tearDown(), 60_000);

  it('confirms a flag by every holder, each serving replica for itself; the receipt completes and no replica serves the article again', async () => {
    // The article in the most top-10s, and the readers it is shown to.
    const [{ article_id: articleId }] = await world.query(
      scoring,
      `SELECT item->>'articleId' AS article_id FROM $schema.lists, jsonb_array_elements(items) WITH ORDINALITY AS i(item, rank)
       WHERE rank <= 10 GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`,
    );
    const holders = await listsHolding(articleId);
    expect(holders.length).toBeGreaterThan(1);
    // Both replicas serve it before the flag (each holds the lists in its own index).
    for (const replica of replicas)
      await waitFor(`${articleId} served by ${replica.process.url}`, async () =>
        (await recommend(replica, holders[0], 50)).includes(articleId),
      );

    const flagged = await ingestion.post(`/v1/articles/${articleId}/flag`, { reason: 'misinformation' });
    expect(flagged.status).toBe(200);
    const { takedownId } = flagged.body;
    expect(takedownId).toMatch(/^[0-9a-f-]{36}$/);
    const acknowledged = Date.now();

    const done = await completeReceipt(takedownId);
    const servingInstances = await vitalsInstances('serving');
    expect(servingInstances).toHaveLength(2);
    expect(done).toMatchObject({
      takedownId,
      articleId,
      reason: 'misinformation',
      actor: 'tests',
      complete: true,
      completedAt: expect.any(String),
      impressionsAfterFlag: 0,
    });
    const byHolder = (holder: string) => done.holders.filter((h: Json) => h.holder === holder);
    expect(byHolder('feature-store')).toHaveLength(1);
    expect(byHolder('batch-scoring')).toHaveLength(1);
    expect(
      byHolder('serving')
        .map((h: Json) => h.instance)
        .sort(),
    ).toEqual(servingInstances);
    const confirmedAt = done.holders.map((h: Json) => Date.parse(h.confirmedAt));
    expect(Date.parse(done.completedAt)).toBeGreaterThanOrEqual(Math.max(...confirmedAt));
    const after = (at: string) => `${Date.parse(at) - Date.parse(done.flaggedAt)} ms`;
    process.stdout.write(
      `takedown of an article in ${holders.length} lists: ` +
        `${done.holders.map((h: Json) => `${h.holder} ${after(h.confirmedAt)}`).join(', ')} after the flag ` +
        `(receipt complete ${Date.now() - acknowledged} ms after the flag was acknowledged, as polled)\n`,
    );

    // Once confirmed, gone: from every stored list, and from every answer of either replica.
    expect(await listsHolding(articleId)).toEqual([]);
    for (const replica of replicas)
      for (const userId of holders) {
        const items = await recommend(replica, userId, 50);
        expect(items).not.toContain(articleId);
      }
    // The holders' confirmations on the topic are the ones the receipt lists.
    const confirmations = (await world.readAll(topics.takedownConfirmed.name))
      .map((e) => e.payload)
      .filter((c) => c.takedownId === takedownId);
    expect(confirmations).toHaveLength(4);
  });

  it('never serves an article flagged before it was ingested, while one written the same way is served', async () => {
    const early = `early-${randomUUID()}`;
    const flagged = await ingestion.post(`/v1/articles/${early}/flag`, { reason: 'known fabricated story' });
    expect(flagged.status).toBe(200);
    const { takedownId } = flagged.body;

    // Written like a reader's favourite (so the freshness path offers it to them), with a control
    // written the same way and not flagged.
    const [{ user_id: reader, article_id: favouriteId }] = await world.query(
      scoring,
      `SELECT user_id, items->0->>'articleId' AS article_id FROM $schema.lists ORDER BY user_id LIMIT 1`,
    );
    const [favourite] = await world.query(
      ingestion,
      'SELECT title, body, category, publisher FROM $schema.articles WHERE article_id = $1',
      [favouriteId],
    );
    const control = `control-${randomUUID()}`;
    const written = (articleId: string) => ({
      ...favourite,
      eventId: randomUUID(),
      articleId,
      url: `https://example.com/${articleId}`,
      publishedAt: new Date().toISOString(),
    });
    const posted = await ingestion.post('/v1/articles', { items: [written(early), written(control)] });
    expect(posted.body).toMatchObject({ accepted: 2 });
    for (const replica of replicas)
      await waitFor(
        `${control} served to ${reader}`,
        async () => (await recommend(replica, reader, 50)).includes(control),
        { timeoutMs: 30_000, intervalMs: 200 },
      );
    for (const replica of replicas) expect(await recommend(replica, reader, 50)).not.toContain(early);
    expect((await listsHolding(control)).length).toBeGreaterThan(0);
    expect(await listsHolding(early)).toEqual([]);
    // Stored flagged by every service that keeps articles.
    const flags = await Promise.all([
      world.query(ingestion, 'SELECT flagged FROM $schema.articles WHERE article_id = $1', [early]),
      world.query(featureStore, 'SELECT flagged FROM $schema.article_features WHERE article_id = $1', [
        early,
      ]),
      world.query(scoring, 'SELECT flagged FROM $schema.articles WHERE article_id = $1', [early]),
    ]);
    expect(flags).toEqual([[{ flagged: true }], [{ flagged: true }], [{ flagged: true }]]);
    const fallbacks = (await world.readAll(topics.recommendationsFallback.name)).flatMap(
      (e) => e.payload.items,
    );
    expect(fallbacks.filter((i: Json) => i.articleId === early)).toEqual([]);
    // Every holder confirmed the takedown, though none held the article when it was flagged.
    const done = await completeReceipt(takedownId);
    expect(done.holders.map((h: Json) => h.holder).sort()).toEqual([
      'batch-scoring',
      'feature-store',
      'serving',
      'serving',
    ]);
    expect(done.impressionsAfterFlag).toBe(0);
  });
});

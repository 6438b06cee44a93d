import { topics } from '@newsroom/contracts';
import { selectBackend } from '@newsroom/ml';
import { savedUntrainedTwoTower } from '@newsroom/ml/testing';
import { Json, ServiceHandle, ServiceWorld, serviceWorld, testAdminKey } from '@newsroom/platform/testing';
import { uniqueName, waitFor } from '@newsroom/testing';

/**
 * A reader's data on request, end to end: ingestion, the feature store, batch scoring, two serving
 * replicas and monitoring hold something about the reader; an export gathers every holder's part
 * and an erasure removes (or anonymises) it everywhere, each with a receipt of every holder's
 * confirmation. Another reader's data is left as it was.
 */
describe('reader data: export and erasure across every service', () => {
  let world: ServiceWorld;
  let ingestion: ServiceHandle;
  let featureStore: ServiceHandle;
  let scoring: ServiceHandle;
  let monitoring: ServiceHandle;
  const servingReplicas: ServiceHandle[] = [];
  const adminKeys = `tests:${testAdminKey}`;
  const categories = ['politics', 'sport', 'science'];
  const now = Date.now();
  const articles = Array.from({ length: 30 }, (_, i) => ({
    eventId: `article-${i}`,
    articleId: `a-${i}`,
    title: `${categories[i % 3]} story number ${i}`,
    body: `words about ${categories[i % 3]} and item ${i}`,
    category: categories[i % 3],
    publisher: `publisher-${i % 2}`,
    url: `https://news.example/a-${i}`,
    publishedAt: new Date(now - (i + 1) * 60_000).toISOString(),
  }));
  const reads = (userId: string, offset: number) =>
    Array.from({ length: 6 }, (_, k) => ({
      eventId: `${userId}-read-${k}`,
      userId,
      articleId: `a-${(offset + k * 3) % articles.length}`,
      type: 'read',
      dwellSeconds: 40 + k,
      occurredAt: new Date(now - (10 - k) * 1_000).toISOString(),
      region: 'africa',
    }));
  const subject = 'reader-erased';
  const bystander = 'reader-kept';

  const admin = async (method: 'GET' | 'POST', path: string) => {
    const response = await fetch(`${monitoring.process.url}${path}`, {
      method,
      headers: { 'x-api-key': testAdminKey },
    });
    return { status: response.status, body: (await response.json()) as Json };
  };
  const completedReceipt = (requestId: string) =>
    waitFor(
      `every holder's confirmation of ${requestId}`,
      async () => {
        const { body } = await admin('GET', `/v1/reader-data-requests/${requestId}`);
        return body.complete ? body : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
  const recommendations = async (replica: ServiceHandle, userId: string) =>
    (await replica.get(`/v1/users/${userId}/recommendations`)).body;
  const count = async (service: ServiceHandle, sql: string, params: unknown[]) =>
    (await world.query(service, sql, params))[0].n as number;

  beforeAll(async () => {
    await selectBackend(['wasm', 'cpu']);
    world = await serviceWorld();
    const servingSchema = uniqueName('serving');
    [ingestion, featureStore, scoring, monitoring] = await Promise.all([
      world.start('ingestion'),
      world.start('feature-store', { FEATURES_REPUBLISH_USERS_AFTER_MS: '0' }),
      world.start('batch-scoring', { ML_BACKENDS: 'wasm,cpu', SCORING_WORKERS: '1' }),
      world.start('monitoring', { MONITORING_ADMIN_API_KEYS: adminKeys, VITALS_INTERVAL_MS: '1000' }),
    ]);
    for (const replica of ['a', 'b'])
      servingReplicas.push(
        await world.start(
          'serving',
          { KAFKA_GROUP_ID: `${world.kafkaTopics.prefix}serving-${replica}`, VITALS_INTERVAL_MS: '1000' },
          servingSchema,
        ),
      );
  }, 180_000);

  afterAll(() => world?.tearDown(), 60_000);

  it('exports every holder’s part, then erases the reader everywhere with a receipt, leaving others alone', async () => {
    // The reader's history reaches every holder: warehouse, features, scoring's copy, lists.
    await world.publish(
      topics.articlesRaw,
      articles.map((a) => ({ key: a.articleId, value: a as never })),
    );
    await world.publish(
      topics.interactionsRaw,
      [...reads(subject, 0), ...reads(bystander, 1)].map((r) => ({ key: r.userId, value: r as never })),
    );
    await waitFor(
      'both readers in batch scoring',
      async () => (await count(scoring, `SELECT count(*)::int AS n FROM $schema.readers`, [])) === 2,
      { timeoutMs: 90_000, intervalMs: 250 },
    );
    const artifact = await savedUntrainedTwoTower(
      world.artifactDir,
      articles.map((a) => ({ tokenHashes: [], category: a.category, publisher: a.publisher })),
      3,
    );
    await world.promote('v-reader-data', artifact);
    for (const replica of servingReplicas)
      await waitFor(
        'both readers personalized on every replica',
        async () =>
          (await recommendations(replica, subject)).source === 'personalized' &&
          (await recommendations(replica, bystander)).source === 'personalized',
        { timeoutMs: 90_000, intervalMs: 250 },
      );
    await waitFor(
      'the served lists in monitoring, both serving replicas live',
      async () =>
        (await count(monitoring, `SELECT count(*)::int AS n FROM $schema.served_lists WHERE user_id = $1`, [
          subject,
        ])) >= 2 &&
        (await count(
          monitoring,
          `SELECT count(*)::int AS n FROM $schema.service_instances WHERE service = 'serving' AND NOT stopping`,
          [],
        )) === 2,
      { timeoutMs: 60_000, intervalMs: 250 },
    );

    // Export: every holder answers, serving once per replica; the parts hold the reader's records.
    const exportRequest = await admin('POST', `/v1/readers/${subject}/export`);
    expect(exportRequest.status).toBe(202);
    const exported = await completedReceipt(exportRequest.body.requestId);
    expect(exported.holders.map((h: Json) => h.holder)).toEqual([
      'ingestion',
      'feature-store',
      'batch-scoring',
      'serving',
      'serving',
      'monitoring',
    ]);
    const document = (await admin('GET', `/v1/reader-data-requests/${exportRequest.body.requestId}/export`))
      .body;
    expect(document.data.ingestion.interactions).toHaveLength(6);
    expect(document.data['feature-store'].interactionLog).toHaveLength(6);
    expect(document.data['feature-store'].userFeatures[0]).toMatchObject({ user_id: subject, reads: 6 });
    expect(document.data['batch-scoring'].lists[0]).toMatchObject({
      user_id: subject,
      model_version: 'v-reader-data',
    });
    expect(document.data.serving.lists[0]).toMatchObject({ user_id: subject });
    expect(document.data.monitoring.served_lists.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(document.data)).not.toContain(bystander);

    // Erasure: confirmed by every holder; nothing names the reader any more, the other reader is intact.
    const servedBefore = await count(monitoring, `SELECT count(*)::int AS n FROM $schema.served_lists`, []);
    const erasure = await admin('POST', `/v1/readers/${subject}/erasure`);
    expect(erasure.status).toBe(202);
    const erased = await completedReceipt(erasure.body.requestId);
    const records = Object.fromEntries(erased.holders.map((h: Json) => [h.holder, h.records]));
    // Batch scoring may have forgotten the reader already, from the feature store's emptied record.
    expect(records).toMatchObject({ ingestion: 6, 'feature-store': 7 });
    expect(records.monitoring).toBeGreaterThanOrEqual(2);

    const named = (service: ServiceHandle, table: string) =>
      count(service, `SELECT count(*)::int AS n FROM $schema.${table} WHERE user_id = $1`, [subject]);
    expect(await named(ingestion, 'interactions')).toBe(0);
    expect(await named(featureStore, 'interaction_log')).toBe(0);
    expect(await named(scoring, 'readers')).toBe(0);
    expect(await named(scoring, 'lists')).toBe(0);
    expect(await named(servingReplicas[0], 'lists')).toBe(0);
    expect(await named(monitoring, 'served_lists')).toBe(0);
    expect(await named(monitoring, 'reader_hours')).toBe(0);
    const [features] = await world.query(
      featureStore,
      `SELECT * FROM $schema.user_features WHERE user_id = $1`,
      [subject],
    );
    expect(features).toMatchObject({ reads: 0, impressions: 0, category_dwell: {}, region: null });
    // Anonymised, not deleted: the quality figures keep their lists.
    expect(await count(monitoring, `SELECT count(*)::int AS n FROM $schema.served_lists`, [])).toBe(
      servedBefore,
    );
    for (const replica of servingReplicas)
      expect((await recommendations(replica, subject)).source).toBe('fallback');

    // The compacted topics' latest record of the reader keeps nothing of them.
    const latest = async (topic: string) =>
      (await world.readAll(topic)).filter((e: Json) => e.payload.userId === subject).at(-1).payload;
    expect(await latest(topics.featuresUsers.name)).toMatchObject({
      recentReads: [],
      categoryMix: {},
      reads: 0,
      erasedAt: expect.any(String),
    });
    expect((await latest(topics.recommendationsGenerated.name)).items).toEqual([]);

    expect(
      await count(ingestion, `SELECT count(*)::int AS n FROM $schema.interactions WHERE user_id = $1`, [
        bystander,
      ]),
    ).toBe(6);
    for (const replica of servingReplicas)
      expect((await recommendations(replica, bystander)).source).toBe('personalized');
  }, 300_000);
});

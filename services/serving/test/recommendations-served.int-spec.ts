import { articleTokenHashes, topics } from '@newsroom/contracts';
import { World, startEndingNow, worldConfig } from '@newsroom/datagen';
import { Json, ServiceHandle, ServiceWorld, serviceWorld, testAdminKey } from '@newsroom/platform/testing';
import { waitFor } from '@newsroom/testing';
import { randomUUID } from 'node:crypto';

/**
 * The demo's flow on the `small` world, every service a real process on real Kafka and
 * PostgreSQL: ingestion → feature store → snapshot → training → evaluation → promotion → batch
 * scoring → serving. Then what readers see: personalized lists, the fallback, flags, new articles.
 */
describe('recommendations served', () => {
  let world: ServiceWorld;
  let ingestion: ServiceHandle;
  let featureStore: ServiceHandle;
  let training: ServiceHandle;
  let scoring: ServiceHandle;
  let serving: ServiceHandle;
  let sim: World;
  let activeReaders: string[];
  let completed: Json;

  const adminKeys = `tests:${testAdminKey}`;
  const ml = { ML_BACKENDS: 'wasm,cpu' };
  const recommend = (userId: string, query = '') =>
    serving.get(`/v1/users/${encodeURIComponent(userId)}/recommendations${query}`);

  beforeAll(async () => {
    world = await serviceWorld();
    sim = new World(worldConfig('small', { start: startEndingNow(2) }));
    [ingestion, featureStore, training, , , scoring, serving] = await Promise.all([
      world.start('ingestion', { INGESTION_ADMIN_API_KEYS: adminKeys }),
      world.start('feature-store', {
        FEATURES_ADMIN_API_KEYS: adminKeys,
        FEATURES_PUBLISH_INTERVAL_MS: '100',
      }),
      world.start('training', {
        ...ml,
        TRAINING_ADMIN_API_KEYS: adminKeys,
        TRAINING_EPOCHS: '2',
        TRAINING_BATCH_SIZE: '128',
        TRAINING_POLL_INTERVAL_MS: '200',
      }),
      world.start('evaluation', { ...ml, EVALUATION_MIN_BASELINE_RATIO: '0.01' }),
      world.start('registry', { REGISTRY_ADMIN_API_KEYS: adminKeys }),
      world.start('batch-scoring', {
        ...ml,
        SCORING_SHARDS: '8',
        SCORING_WORKERS: '2',
        SCORING_REFRESH_INTERVAL_MS: '500',
        SCORING_FALLBACK_INTERVAL_MS: '1000',
      }),
      world.start('serving'),
    ]);
    await world.publishWorld(sim, featureStore);
    // A run scores the readers batch scoring holds when it starts: wait until it holds every
    // reader's latest features (they reach it through Kafka after the feature store has them).
    await waitFor(
      "every reader's latest features in batch scoring",
      async () =>
        (
          await world.query(
            featureStore,
            `SELECT count(*)::int AS n FROM $schema.user_features f
               LEFT JOIN "${scoring.schema}".readers r USING (user_id)
              WHERE r.version IS NULL OR r.version < f.version`,
          )
        )[0].n === 0,
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    const posted = await training.post('/v1/training-runs', { reason: 'demo flow' });
    expect(posted.status).toBe(202);
    completed = await waitFor(
      'scoring.completed',
      async () => (await world.readAll(topics.scoringCompleted.name))[0]?.payload,
      { timeoutMs: 240_000, intervalMs: 500 },
    );
    const readers = await world.query(
      scoring,
      `SELECT user_id FROM $schema.readers WHERE jsonb_array_length(recent_reads) > 0 ORDER BY user_id`,
    );
    activeReaders = readers.map((r) => r.user_id);
  }, 420_000);

  afterAll(() => world?.tearDown(), 60_000);

  it('scores every reader with the promoted champion and serves each active reader 10 personalized items', async () => {
    const promoted = (await world.readAll(topics.modelPromoted.name))[0].payload;
    expect(completed).toMatchObject({
      modelVersion: promoted.modelVersion,
      readersScored: activeReaders.length,
    });
    expect(activeReaders.length).toBeGreaterThan(150);
    // serving has consumed the lists once the last reader's is there
    await waitFor(
      'every list in serving',
      async () =>
        (await world.query(serving, 'SELECT count(*)::int AS n FROM $schema.lists'))[0].n >=
        activeReaders.length,
    );
    for (const userId of activeReaders) {
      const { status, body } = await recommend(userId);
      expect(status).toBe(200);
      expect(body).toMatchObject({ userId, source: 'personalized', modelVersion: promoted.modelVersion });
      expect(body.items).toHaveLength(10);
      expect(body.items.map((i: Json) => i.rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      const scores = body.items.map((i: Json) => i.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
    }
  });

  it('never offers a reader what they have read, and answers up to 50 items', async () => {
    const rows = await world.query(
      scoring,
      `SELECT user_id, recent_reads FROM $schema.readers WHERE jsonb_array_length(recent_reads) > 0 LIMIT 40`,
    );
    for (const row of rows) {
      const { body } = await recommend(row.user_id, '?limit=50');
      expect(body.items.length).toBe(50);
      const read = new Set(row.recent_reads.map((r: Json) => r.articleId));
      expect(body.items.filter((i: Json) => read.has(i.articleId))).toEqual([]);
    }
  });

  it('gives an unknown reader the fresh popular fallback, by region when one is given', async () => {
    const unknown = `never-seen-${randomUUID()}`;
    const overall = await waitFor('the fallback in serving', async () => {
      const { body } = await recommend(unknown);
      return body.items.length === 10 ? body : undefined;
    });
    expect(overall).toMatchObject({ userId: unknown, source: 'fallback', modelVersion: null });
    const africa = (await recommend(unknown, '?region=africa&limit=20')).body;
    expect(africa).toMatchObject({ source: 'fallback' });
    expect(africa.items).toHaveLength(20);
    const regional = await world.readAll(topics.recommendationsFallback.name);
    const latestAfrica = regional.filter((e) => e.payload.scope === 'africa').at(-1).payload;
    expect(africa.items.map((i: Json) => i.articleId)).toEqual(
      latestAfrica.items.slice(0, 20).map((i: Json) => i.articleId),
    );
    // A region the platform is not configured for is no region: the overall fallback.
    const elsewhere = (await recommend(unknown, '?region=mars')).body;
    expect(elsewhere).toMatchObject({ source: 'fallback' });
    expect(elsewhere.items.map((i: Json) => i.articleId)).toEqual(
      (await recommend(unknown)).body.items.map((i: Json) => i.articleId),
    );
  });

  it('answers 400 naming what is wrong', async () => {
    for (const query of [
      '?limit=0',
      '?limit=51',
      '?limit=ten',
      `?region=${'x'.repeat(101)}`,
      '?colour=blue',
    ]) {
      const { status, body } = await recommend(activeReaders[0], query);
      expect(status).toBe(400);
      expect(JSON.stringify(body)).toMatch(/limit|region|colour/);
    }
  });

  it('puts a new article matching a reader into their list without retraining', async () => {
    const reader = activeReaders[7];
    const before = (await recommend(reader)).body;
    // Written like the reader's favourite: its words, category and publisher, under a new id.
    const [favourite] = await world.query(
      ingestion,
      'SELECT title, body, category, publisher FROM $schema.articles WHERE article_id = $1',
      [before.items[0].articleId],
    );
    const fresh = {
      ...favourite,
      eventId: randomUUID(),
      articleId: `fresh-${randomUUID()}`,
      url: `https://example.com/${randomUUID()}`,
      publishedAt: new Date().toISOString(),
    };
    expect(articleTokenHashes(fresh.title, fresh.body).length).toBeGreaterThan(3);
    await world.publisher.publish(topics.articlesRaw, [{ key: fresh.articleId, value: fresh }]);
    const after = await waitFor(
      `${fresh.articleId} in ${reader}'s list`,
      async () => {
        const { body } = await recommend(reader);
        return body.items.some((i: Json) => i.articleId === fresh.articleId) ? body : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(after.modelVersion).toBe(before.modelVersion);
    expect(await world.readAll(topics.modelTrained.name)).toHaveLength(1);
  });

  it('drops a flagged article from every list, within seconds', async () => {
    const counts = new Map<string, number>();
    const lists = new Map<string, string[]>();
    for (const userId of activeReaders) {
      const ids = (await recommend(userId)).body.items.map((i: Json) => i.articleId);
      lists.set(userId, ids);
      for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    const [articleId, holders] = [...counts].sort((a, b) => b[1] - a[1])[0];
    expect(holders).toBeGreaterThan(1);
    const flagged = await ingestion.post(`/v1/articles/${articleId}/flag`, { reason: 'misinformation' });
    expect(flagged.status).toBeLessThan(300);
    const acknowledged = Date.now();
    // The design asks for 2 s; the deadline leaves room for a busy CI machine, the figure is printed.
    const pass = await waitFor(
      `${articleId} gone from every list`,
      async () => {
        const started = Date.now();
        for (const [userId, ids] of lists) {
          if (!ids.includes(articleId)) continue;
          const { body } = await recommend(userId);
          if (body.items.some((i: Json) => i.articleId === articleId)) return undefined;
          expect(body.items).toHaveLength(10);
        }
        return { started, ended: Date.now() };
      },
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    process.stdout.write(
      `flagged article gone from ${holders} lists ${pass.ended - acknowledged} ms after the flag was acknowledged ` +
        `(seen in a pass of ${pass.ended - pass.started} ms)\n`,
    );
    // …and batch scoring withdrew it from its stored lists, announced as new revisions.
    await waitFor(
      'the flagged article out of the stored lists',
      async () =>
        (
          await world.query(
            scoring,
            `SELECT count(*)::int AS n FROM $schema.lists WHERE items @> $1::jsonb`,
            [JSON.stringify([{ articleId }])],
          )
        )[0].n === 0,
    );
  });

  it('logs every response on recommendations.served', async () => {
    const served = await waitFor(
      'served events',
      async () => {
        const events = await world.readAll(topics.recommendationsServed.name);
        return events.length >= activeReaders.length ? events : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 250 },
    );
    const one = served.find((e) => e.payload.source === 'personalized').payload;
    expect(one).toMatchObject({
      requestId: expect.any(String),
      userId: expect.any(String),
      source: 'personalized',
    });
    expect(one.items.length).toBeGreaterThan(0);
    // A request that named a region carries it (online quality is measured per region).
    expect(served.filter((e) => e.payload.region === 'africa').map((e) => e.payload.source)).toContain(
      'fallback',
    );
  });
});

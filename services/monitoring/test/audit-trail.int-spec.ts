import { newEvent, topics } from '@newsroom/contracts';
import { Json, ServiceHandle, ServiceWorld, serviceWorld } from '@newsroom/platform/testing';
import { waitFor } from '@newsroom/testing';

const DAY_MS = 86_400_000;
const auditorKey = 'tests-auditor-key-0123456789';
const adminKey = 'tests-admin-key-for-monitoring-0123';
const dataset = 'a'.repeat(64);

/**
 * The "why shown" trail (real Kafka, PostgreSQL and monitoring process; the test plays serving):
 * each served response is stored once, however often it is delivered, in the partition of the day
 * it was served — created ahead, or on demand for a late record — and read back by article and by
 * reader behind the auditor key, a page at a time; days past retention are dropped whole.
 */
describe('monitoring: the audit trail', () => {
  let world: ServiceWorld;
  let monitoring: ServiceHandle;
  const now = Date.now();
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const monitoringEnv = (retentionDays: number) => ({
    MONITORING_AUDITOR_API_KEYS: `auditor:${auditorKey}`,
    MONITORING_ADMIN_API_KEYS: `admin:${adminKey}`,
    MONITORING_AUDIT_RETENTION_DAYS: String(retentionDays),
    MONITORING_AUDIT_PARTITIONS_AHEAD_DAYS: '2',
  });

  const audit = async (path: string, key: string | null = auditorKey) => {
    const response = await fetch(`${monitoring.process.url}${path}`, {
      headers: key ? { 'x-api-key': key } : {},
    });
    return { status: response.status, body: (await response.json()) as Json };
  };
  const served = (
    requestId: string,
    userId: string,
    servedAt: number,
    articleIds: string[],
    extra: Json = {},
  ) => ({
    key: userId,
    value: newEvent(
      topics.recommendationsServed.name,
      {
        requestId,
        userId,
        modelVersion: 'v7',
        source: 'personalized' as const,
        region: 'africa' as const,
        generatedAt: new Date(servedAt - 3_600_000).toISOString(),
        items: articleIds.map((articleId, k) => ({
          articleId,
          rank: k + 1,
          score: 1 - k / 10,
          origin: k === 0 ? ('fresh' as const) : ('list' as const),
        })),
        servedAt: new Date(servedAt).toISOString(),
        datasetId: dataset,
        featureSchemaVersion: 1,
        ...extra,
      },
      'tests',
    ),
  });
  const count = async (table: string, where = 'true'): Promise<number> =>
    (await world.query(monitoring, `SELECT count(*)::int AS n FROM $schema.${table} WHERE ${where}`))[0].n;
  /** Publishes a marker response and waits for it: everything published before it was handled. */
  const settle = async (marker: string) => {
    await world.publish(topics.recommendationsServed, [served(marker, 'marker-reader', now, ['marker'])]);
    await waitFor(
      `${marker} in the trail`,
      async () => (await count('audit_responses', `request_id = '${marker}'`)) === 1,
      {
        timeoutMs: 60_000,
      },
    );
  };
  const partitionDays = async (table: string): Promise<string[]> =>
    (
      await world.query(
        monitoring,
        `SELECT child.relname AS name FROM pg_inherits i
         JOIN pg_class child ON child.oid = i.inhrelid JOIN pg_class parent ON parent.oid = i.inhparent
         JOIN pg_namespace n ON n.oid = parent.relnamespace
         WHERE n.nspname = $1 AND parent.relname = $2 ORDER BY 1`,
        [monitoring.schema, table],
      )
    ).map((r: Json) => r.name.slice(-8));
  const dayName = (day: number) => new Date(day).toISOString().slice(0, 10).replace(/-/g, '');

  beforeAll(async () => {
    world = await serviceWorld(1);
    monitoring = await world.start('monitoring', monitoringEnv(30));
  }, 120_000);

  afterAll(() => world?.tearDown(), 60_000);

  it('creates the partitions of today and the days ahead at start-up', async () => {
    const expected = [0, 1, 2].map((k) => dayName(today + k * DAY_MS));
    expect(await partitionDays('audit_responses')).toEqual(expected);
    expect(await partitionDays('audit_exposures')).toEqual(expected);
  });

  it('stores each response once, however often it comes, and answers by article and by reader', async () => {
    const first = served('req-1', 'reader-1', now - 3_000, ['art-1', 'art-2', 'art-3'], {
      filtered: [
        { articleId: 'art-9', reason: 'flagged' },
        { articleId: 'art-8', reason: 'editorial-cap', rule: 'publisher:daily-planet' },
      ],
    });
    await world.publish(topics.recommendationsServed, [
      first,
      served('req-2', 'reader-2', now - 2_000, ['art-2', 'art-1']),
      served('req-3', 'reader-1', now - 1_000, ['art-4', 'art-1'], {
        source: 'fallback',
        modelVersion: null,
      }),
      first, // the same response again, as a producer retrying would send it
    ]);
    await settle('marker-1');
    expect(await count('audit_responses', `user_id <> 'marker-reader'`)).toBe(3);
    expect(await count('audit_exposures', `user_id <> 'marker-reader'`)).toBe(7);

    const exposures = await audit('/v1/audit/articles/art-1/exposures');
    expect(exposures.status).toBe(200);
    expect(exposures.body).toMatchObject({ articleId: 'art-1', from: null, to: null, nextCursor: null });
    expect(exposures.body.items).toEqual([
      {
        servedAt: new Date(now - 3_000).toISOString(),
        userId: 'reader-1',
        requestId: 'req-1',
        rank: 1,
        score: 1,
        origin: 'fresh',
        modelVersion: 'v7',
        source: 'personalized',
        region: 'africa',
        datasetId: dataset,
        featureSchemaVersion: 1,
        generatedAt: new Date(now - 3_000 - 3_600_000).toISOString(),
      },
      expect.objectContaining({
        userId: 'reader-2',
        requestId: 'req-2',
        rank: 2,
        score: 0.9,
        origin: 'list',
      }),
      expect.objectContaining({
        userId: 'reader-1',
        requestId: 'req-3',
        source: 'fallback',
        modelVersion: null,
      }),
    ]);

    const impressions = await audit('/v1/audit/users/reader-1/impressions');
    expect(impressions.body.items.map((i: Json) => i.requestId)).toEqual(['req-1', 'req-3']);
    expect(impressions.body.items[0]).toMatchObject({
      modelVersion: 'v7',
      datasetId: dataset,
      featureSchemaVersion: 1,
      items: [
        { rank: 1, articleId: 'art-1', score: 1, origin: 'fresh' },
        { rank: 2, articleId: 'art-2', score: 0.9, origin: 'list' },
        { rank: 3, articleId: 'art-3', score: 0.8, origin: 'list' },
      ],
      filtered: [
        { articleId: 'art-9', reason: 'flagged' },
        { articleId: 'art-8', reason: 'editorial-cap', rule: 'publisher:daily-planet' },
      ],
    });
  }, 90_000);

  it('pages with a cursor and bounds by from and to', async () => {
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const page: { body: Json } = await audit(
        `/v1/audit/articles/art-1/exposures?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      pages.push(page.body.items.map((i: Json) => i.requestId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(pages).toEqual([['req-1', 'req-2'], ['req-3']]);

    const from = new Date(now - 2_500).toISOString();
    const to = new Date(now - 1_000).toISOString();
    const bounded = await audit(`/v1/audit/articles/art-1/exposures?from=${from}&to=${to}`);
    expect(bounded.body).toMatchObject({ from, to });
    expect(bounded.body.items.map((i: Json) => i.requestId)).toEqual(['req-2']);
    const none = await audit(
      `/v1/audit/users/reader-1/impressions?to=${new Date(now - 3_000).toISOString()}`,
    );
    expect(none.body.items).toEqual([]);
  });

  it('answers only an auditor or admin key, and names a wrong field', async () => {
    expect((await audit('/v1/audit/users/reader-1/impressions', null)).status).toBe(401);
    expect((await audit('/v1/audit/users/reader-1/impressions', 'not-a-key-0123456789')).status).toBe(401);
    expect((await audit('/v1/audit/users/reader-1/impressions', adminKey)).body.items).toHaveLength(2);
    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=many', 'limit'],
      ['from=yesterday', 'from'],
      ['cursor=nonsense', 'cursor'],
      [`from=${new Date(now).toISOString()}&to=${new Date(now - 1).toISOString()}`, 'to'],
      ['page=2', 'page'],
    ]) {
      const answer = await audit(`/v1/audit/articles/art-1/exposures?${query}`);
      expect([query, answer.status]).toEqual([query, 400]);
      expect(answer.body.message).toContain(`${field}:`);
    }
  });

  it('creates the partition of a late record on demand, and keeps nothing past retention', async () => {
    const late = today - 10 * DAY_MS + 3_600_000;
    await world.publish(topics.recommendationsServed, [
      served('req-late', 'reader-3', late, ['art-1']),
      served('req-expired', 'reader-3', today - 40 * DAY_MS, ['art-1']),
    ]);
    await settle('marker-2');
    expect(await partitionDays('audit_responses')).toContain(dayName(today - 10 * DAY_MS));
    expect(await partitionDays('audit_exposures')).toContain(dayName(today - 10 * DAY_MS));
    expect(await partitionDays('audit_responses')).not.toContain(dayName(today - 40 * DAY_MS));
    const impressions = await audit('/v1/audit/users/reader-3/impressions');
    expect(impressions.body.items.map((i: Json) => [i.requestId, i.servedAt])).toEqual([
      ['req-late', new Date(late).toISOString()],
    ]);
  }, 90_000);

  it('stores nothing twice when every record is delivered again, and drops days past a shorter retention', async () => {
    const foldedLists = async (): Promise<number> =>
      (
        await world.query(
          monitoring,
          `SELECT sum(value)::int AS n FROM $schema.hourly_counts WHERE metric = 'served-lists'`,
        )
      )[0].n;
    const before = {
      responses: await count('audit_responses', `served_at >= '${new Date(today).toISOString()}'`),
      exposures: await count('audit_exposures', `served_at >= '${new Date(today).toISOString()}'`),
      folded: await foldedLists(),
    };
    await monitoring.process.stop();
    // A new consumer group reads the topic from its start, and with the folded offsets forgotten
    // every response reaches the trail again.
    await world.query(monitoring, `DELETE FROM $schema.consumed_offsets`);
    monitoring = await world.start(
      'monitoring',
      { ...monitoringEnv(5), KAFKA_GROUP_ID: `${world.kafkaTopics.prefix}monitoring-again` },
      monitoring.schema,
    );
    await settle('marker-3');
    // The counters, which trust the offsets, counted every response again: they were redelivered.
    expect(await foldedLists()).toBe(2 * before.folded + 1);
    expect(await count('audit_responses', `served_at >= '${new Date(today).toISOString()}'`)).toBe(
      before.responses + 1,
    );
    expect(await count('audit_exposures', `served_at >= '${new Date(today).toISOString()}'`)).toBe(
      before.exposures + 1,
    );
    // Ten days ago is past five days' retention: its partitions are gone, and its record with them.
    expect(await partitionDays('audit_responses')).not.toContain(dayName(today - 10 * DAY_MS));
    expect(await partitionDays('audit_exposures')).not.toContain(dayName(today - 10 * DAY_MS));
    expect((await audit('/v1/audit/users/reader-3/impressions')).body.items).toEqual([]);
  }, 120_000);
});

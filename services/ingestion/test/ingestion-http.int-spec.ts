import { allTopics, topicExamples, topics } from '@newsroom/contracts';
import { physicalTopic } from '@newsroom/messaging';
import { TestTopics, createTestTopics, readMessages } from '@newsroom/messaging/testing';
import { ServiceProcess, startService, testServers, uniqueName } from '@newsroom/testing';
import { DataSource } from 'typeorm';

const PRODUCER_KEY = 'producer-key-0123456789';
const ROTATED_KEY = 'producer-key-next-0123456789';
const BURST_KEY = 'burst-key-0123456789abcdef';
const MODERATOR_KEY = 'moderator-key-0123456789abcdef';

interface ErrorBody {
  message: string;
  errors: { index: number; field: string; message: string }[];
}
interface ResultBody {
  accepted: number;
  duplicates: number;
  rejected: ErrorBody['errors'];
  warnings: (ErrorBody['errors'][number] & { reason: string })[];
}

describe('ingestion over HTTP (real service process, Kafka and PostgreSQL)', () => {
  // Keys are spread over the tests so that only the burst test meets the rate limit (5/s, bursts of 10).
  let kafkaTopics: TestTopics;
  let service: ServiceProcess;
  let db: DataSource;
  const schema = uniqueName('warehouse');

  beforeAll(async () => {
    kafkaTopics = await createTestTopics(allTopics, 1);
    db = await new DataSource({ type: 'postgres', url: testServers().databaseUrl }).initialize();
    service = await startService('ingestion', {
      DB_SCHEMA: schema,
      KAFKA_TOPIC_PREFIX: kafkaTopics.prefix,
      INGESTION_API_KEYS: `producer:${PRODUCER_KEY},producer-next:${ROTATED_KEY},burst:${BURST_KEY}`,
      INGESTION_MODERATOR_API_KEYS: `moderator:${MODERATOR_KEY}`,
      INGESTION_MAX_BATCH_ITEMS: '100',
      INGESTION_RATE_LIMIT_PER_SECOND: '5',
      HTTP_BODY_LIMIT_BYTES: String(256 * 1024),
    });
  });

  afterAll(async () => {
    await service?.stop();
    await db?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db?.destroy();
    await kafkaTopics?.remove();
  });

  const post = (path: string, body: unknown, key?: string) =>
    fetch(`${service.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const read = (i: number) => ({
    ...topicExamples.interactionsRaw.value,
    eventId: `http-${i}`,
    userId: `reader-${i}`,
  });
  const article = (eventId: string, title: string) => ({
    ...topicExamples.articlesRaw.value,
    eventId,
    title,
    articleId: 'art-http',
  });

  it('stores the valid items of a mixed batch and lists the invalid ones by index and field', async () => {
    const items = [
      read(1),
      { ...read(2), dwellSeconds: -1 },
      read(3),
      { ...read(4), type: 'like', colour: 'red' },
      read(5),
    ];
    const response = await post('/v1/interactions', { items }, PRODUCER_KEY);
    expect(response.status).toBe(202);
    const body = (await response.json()) as ResultBody;
    expect(body.accepted).toBe(3);
    expect(body.duplicates).toBe(0);
    expect(body.rejected).toEqual([
      { index: 1, field: 'dwellSeconds', message: expect.any(String) },
      { index: 3, field: 'type', message: expect.any(String) },
    ]);
    const rows = await db.query(`SELECT event_id FROM "${schema}".interactions ORDER BY event_id`);
    expect(rows.map((r: { event_id: string }) => r.event_id)).toEqual(['http-1', 'http-3', 'http-5']);

    const again = await (
      await post('/v1/interactions', { items: [read(1), read(3), read(6)] }, ROTATED_KEY)
    ).json();
    expect(again).toEqual({ accepted: 1, duplicates: 2, rejected: [], warnings: [] });
  });

  it("keeps another producer's reads: an unknown region as reported, an invalid region and unknown fields dropped, each a warning", async () => {
    const items = [
      { ...read(20), region: 'latam' },
      { ...read(21), region: '' },
      { ...read(22), visitCount: 3, section: 'metro' },
    ];
    const response = await post('/v1/interactions', { items }, PRODUCER_KEY);
    expect(response.status).toBe(202);
    const body = (await response.json()) as ResultBody;
    expect(body).toMatchObject({ accepted: 3, duplicates: 0, rejected: [] });
    expect(body.warnings).toEqual([
      {
        index: 0,
        field: 'region',
        reason: 'unknown-value',
        message: expect.stringContaining('PLATFORM_REGIONS'),
      },
      { index: 1, field: 'region', reason: 'invalid', message: expect.stringContaining('dropped') },
      { index: 2, field: 'visitCount', reason: 'unknown-field', message: 'not in the contract (ignored)' },
      { index: 2, field: 'section', reason: 'unknown-field', message: 'not in the contract (ignored)' },
    ]);
    const rows = await db.query(
      `SELECT event_id, region FROM "${schema}".interactions WHERE event_id IN ('http-20', 'http-21', 'http-22') ORDER BY event_id`,
    );
    expect(rows).toEqual([
      { event_id: 'http-20', region: 'latam' },
      { event_id: 'http-21', region: null },
      { event_id: 'http-22', region: 'africa' },
    ]);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    for (const [reason, field] of [
      ['unknown-value', 'region'],
      ['invalid', 'region'],
      ['unknown-field', 'visitCount'],
    ]) {
      expect(metrics).toContain(
        `ingestion_field_warnings_total{kind="interaction",source="http",reason="${reason}",field="${field}"} 1`,
      );
    }
  });

  it('takes a NUL character record by record: a NUL id rejects its record, a NUL attribute is dropped', async () => {
    const items = [read(30), { ...read(31), userId: 'reader-\u0000' }, { ...read(32), sessionId: 's\u0000' }];
    const response = await post('/v1/interactions', { items }, ROTATED_KEY);
    expect(response.status).toBe(202);
    const body = (await response.json()) as ResultBody;
    expect(body).toMatchObject({
      accepted: 2,
      rejected: [{ index: 1, field: 'userId', message: expect.stringContaining('NUL') }],
      warnings: [{ index: 2, field: 'sessionId', reason: 'invalid' }],
    });
    // Elsewhere a NUL is refused whole, before it reaches PostgreSQL.
    const flag = await post('/v1/articles/a-%00/flag', { reason: 'x' }, MODERATOR_KEY);
    expect(flag.status).toBe(400);
  });

  it('answers 400 naming the field when a single object is invalid', async () => {
    const response = await post('/v1/interactions', { ...read(7), occurredAt: 'yesterday' }, PRODUCER_KEY);
    expect(response.status).toBe(400);
    const body = (await response.json()) as ErrorBody;
    expect(body.errors).toEqual([{ index: 0, field: 'occurredAt', message: expect.any(String) }]);
    expect(body.message).toContain('occurredAt');
    expect(JSON.stringify(body)).not.toMatch(/\bat .*\.js:\d+/);
  });

  it('answers 401 without a key or with a wrong one, 403 for a producer key on moderation', async () => {
    expect((await post('/v1/interactions', read(8))).status).toBe(401);
    const wrong = await post('/v1/interactions', read(8), 'not-a-key-at-all');
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({
      statusCode: 401,
      message: 'invalid API key',
      error: 'Unauthorized',
    });
    expect((await post('/v1/articles/art-http/flag', { reason: 'x' }, PRODUCER_KEY)).status).toBe(403);
  });

  it('answers 413 for a body over the byte limit or a batch over the item limit', async () => {
    const huge = JSON.stringify({ items: [{ ...read(9), sessionId: 'x'.repeat(300 * 1024) }] });
    expect((await post('/v1/interactions', huge, PRODUCER_KEY)).status).toBe(413);
    const tooMany = await post(
      '/v1/interactions',
      { items: Array.from({ length: 101 }, (_, i) => read(100 + i)) },
      PRODUCER_KEY,
    );
    expect(tooMany.status).toBe(413);
    expect(((await tooMany.json()) as ErrorBody).message).toContain('at most 100 items');
  });

  it('rate-limits each key with 429 and Retry-After, leaving other keys alone', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 15; i++) {
      const response = await post('/v1/interactions', read(300), BURST_KEY);
      statuses.push(response.status);
      if (response.status === 429) retryAfter = response.headers.get('retry-after');
    }
    expect(statuses.slice(0, 10).every((s) => s === 202)).toBe(true);
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect((await post('/v1/interactions', read(301), PRODUCER_KEY)).status).toBe(202);
  });

  it('keeps article revisions and emits one articles.ingested per revision', async () => {
    expect((await post('/v1/articles', article('rev-1', 'First title'), ROTATED_KEY)).status).toBe(202);
    expect(
      (
        await post(
          '/v1/articles',
          { items: [article('rev-2', 'Corrected title'), article('rev-1', 'First title')] },
          ROTATED_KEY,
        )
      ).status,
    ).toBe(202);
    const [current] = await db.query(
      `SELECT title, revision FROM "${schema}".articles WHERE article_id = 'art-http'`,
    );
    expect(current).toEqual({ title: 'Corrected title', revision: 2 });
    const events = (
      await readMessages(
        kafkaTopics.kafka,
        physicalTopic(kafkaTopics.prefix, topics.articlesIngested.name),
        2,
      )
    ).map((m) => JSON.parse(m.value!.toString()));
    expect(events.map((e) => [e.payload.revision, e.payload.title])).toEqual([
      [1, 'First title'],
      [2, 'Corrected title'],
    ]);
  });

  it('flags and unflags an article with a moderator key, logging who and why, and publishing each decision', async () => {
    expect((await post('/v1/articles/art-http/flag', {}, MODERATOR_KEY)).status).toBe(400);
    const flag = await post('/v1/articles/art-http/flag', { reason: 'fabricated quote' }, MODERATOR_KEY);
    const flagBody = (await flag.json()) as { takedownId: string };
    expect(flagBody).toEqual({ articleId: 'art-http', flagged: true, takedownId: expect.any(String) });
    const [row] = await db.query(`SELECT flagged FROM "${schema}".articles WHERE article_id = 'art-http'`);
    expect(row.flagged).toBe(true);
    const unflag = await post('/v1/articles/art-http/unflag', { reason: 'quote verified' }, MODERATOR_KEY);
    expect(await unflag.json()).toEqual({ articleId: 'art-http', flagged: false });
    const decisions = (
      await readMessages(kafkaTopics.kafka, physicalTopic(kafkaTopics.prefix, topics.articlesFlagged.name), 2)
    ).map((m) => JSON.parse(m.value!.toString()).payload);
    expect(decisions).toEqual([
      {
        articleId: 'art-http',
        flagged: true,
        reason: 'fabricated quote',
        actor: 'moderator',
        takedownId: flagBody.takedownId,
      },
      { articleId: 'art-http', flagged: false, reason: 'quote verified', actor: 'moderator' },
    ]);
    const log = await db.query(`SELECT flagged, actor FROM "${schema}".moderation_log ORDER BY id`);
    expect(log).toEqual([
      { flagged: true, actor: 'moderator' },
      { flagged: false, actor: 'moderator' },
    ]);
  });

  it('flags an article before it is ingested: it arrives flagged, and a later revision keeps the flag', async () => {
    const flag = await post(
      '/v1/articles/art-early/flag',
      { reason: 'known propaganda source' },
      MODERATOR_KEY,
    );
    expect(flag.status).toBe(200);
    expect(await flag.json()).toEqual({
      articleId: 'art-early',
      flagged: true,
      takedownId: expect.any(String),
    });
    const early = (eventId: string) => ({ ...article(eventId, 'Early'), articleId: 'art-early' });
    expect((await post('/v1/articles', early('early-1'), PRODUCER_KEY)).status).toBe(202);
    expect((await post('/v1/articles', early('early-2'), PRODUCER_KEY)).status).toBe(202);
    const rows = await db.query(
      `SELECT revision, flagged FROM "${schema}".articles WHERE article_id = 'art-early'`,
    );
    expect(rows).toEqual([{ revision: 2, flagged: true }]);
  });
});

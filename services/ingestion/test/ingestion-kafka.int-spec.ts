import { allTopics, topics } from '@newsroom/contracts';
import { physicalTopic } from '@newsroom/messaging';
import {
  TestTopics,
  createTestTopics,
  exactProducer,
  readMessages,
  topicSize,
} from '@newsroom/messaging/testing';
import { startService, testServers, uniqueName, waitFor } from '@newsroom/testing';
import { DataSource } from 'typeorm';
import { interactionsStream } from './interactions-stream';

describe('ingestion from interactions.raw (real Kafka, PostgreSQL and service process)', () => {
  const stream = interactionsStream();
  let db: DataSource;

  beforeAll(async () => {
    db = await new DataSource({ type: 'postgres', url: testServers().databaseUrl }).initialize();
  });
  afterAll(() => db.destroy());

  /** A fresh world per test: topics, schema, consumer group. */
  async function setUp() {
    const kafkaTopics = await createTestTopics(allTopics, 3);
    const schema = uniqueName('warehouse');
    const env: Record<string, string> = {
      DB_SCHEMA: schema,
      KAFKA_TOPIC_PREFIX: kafkaTopics.prefix,
      KAFKA_GROUP_ID: uniqueName('ingestion'),
    };
    const producer = exactProducer(kafkaTopics.kafka);
    await producer.connect();
    await producer.send({
      topic: physicalTopic(kafkaTopics.prefix, topics.interactionsRaw.name),
      messages: stream.records,
    });
    await producer.disconnect();
    // What the service reads is exactly the stream: every count below depends on it.
    expect(
      await topicSize(kafkaTopics.kafka, physicalTopic(kafkaTopics.prefix, topics.interactionsRaw.name)),
    ).toBe(stream.records.length);
    const stored = async () =>
      (await db.query(`SELECT count(*)::int AS n FROM "${schema}".interactions`))[0].n as number;
    const unpublished = async () =>
      (await db.query(`SELECT count(*)::int AS n FROM "${schema}".outbox WHERE published_at IS NULL`))[0]
        .n as number;
    const tearDown = async () => {
      await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await kafkaTopics.remove();
    };
    return { kafkaTopics, schema, env, stored, unpublished, tearDown };
  }

  const sizeOf = (kafkaTopics: TestTopics, name: string) =>
    topicSize(kafkaTopics.kafka, physicalTopic(kafkaTopics.prefix, name));

  async function expectExactOutcome(
    world: Awaited<ReturnType<typeof setUp>>,
    { exactlyOnceOnTopic }: { exactlyOnceOnTopic: boolean },
  ) {
    const { kafkaTopics, schema } = world;
    const rows: { event_id: string }[] = await db.query(`SELECT event_id FROM "${schema}".interactions`);
    expect(rows).toHaveLength(stream.valid.length);
    expect(new Set(rows.map((r) => r.event_id))).toEqual(new Set(stream.valid.map((v) => v.eventId)));

    const ingestedCount = await sizeOf(kafkaTopics, topics.interactionsIngested.name);
    const ingested = await readMessages(
      kafkaTopics.kafka,
      physicalTopic(kafkaTopics.prefix, topics.interactionsIngested.name),
      ingestedCount,
    );
    const events = ingested.map((m) => JSON.parse(m.value!.toString()));
    // One event per stored row: same event ids however often a crash made the relay publish it.
    expect(new Set(events.map((e) => e.payload.eventId))).toEqual(
      new Set(stream.valid.map((v) => v.eventId)),
    );
    expect(new Set(events.map((e) => e.eventId)).size).toBe(stream.valid.length);
    if (exactlyOnceOnTopic) expect(ingestedCount).toBe(stream.valid.length);
    expect(ingested.every((m) => m.key === JSON.parse(m.value!.toString()).payload.userId)).toBe(true);

    const rejectedCount = await sizeOf(kafkaTopics, topics.ingestionRejected.name);
    const rejected = (
      await readMessages(
        kafkaTopics.kafka,
        physicalTopic(kafkaTopics.prefix, topics.ingestionRejected.name),
        rejectedCount,
      )
    ).map((m) => JSON.parse(m.value!.toString()));
    if (exactlyOnceOnTopic) expect(rejectedCount).toBe(stream.malformed.length);
    const byPayload = new Map(rejected.map((e) => [e.payload.originalPayload, e.payload]));
    expect(byPayload.size).toBe(stream.malformed.length);
    for (const m of stream.malformed) {
      const payload = byPayload.get(m.raw);
      expect(payload).toMatchObject({ sourceTopic: topics.interactionsRaw.name, reason: m.reason });
      expect(payload.errors.map((e: { field: string }) => e.field)).toContain(m.field);
    }
    return { ingestedCount, rejectedCount };
  }

  it('stores exactly the valid unique interactions, rejects each malformed one, and emits one event per row', async () => {
    const world = await setUp();
    const service = await startService('ingestion', world.env);
    try {
      await waitFor(
        'every valid interaction stored and published',
        async () => (await world.stored()) === stream.valid.length && (await world.unpublished()) === 0,
        { timeoutMs: 90_000, intervalMs: 250 },
      );
      await waitFor('rejections published', async () => {
        const published = await sizeOf(world.kafkaTopics, topics.ingestionRejected.name);
        // Thrown, so that a timeout says how far it got; more than expected fails below, with the count.
        if (published < stream.malformed.length) {
          throw new Error(`${published} of ${stream.malformed.length} on ingestion.rejected`);
        }
        return true;
      });
      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      // Without a crash, a message goes out twice only when a relay batch failed after the broker
      // had it (a timeout on a loaded machine): then the topics hold at least one of each.
      expect(metrics).toMatch(/^outbox_relay_failures_total \d+$/m);
      const relayFailures = Number(/^outbox_relay_failures_total (\d+)$/m.exec(metrics)![1]);
      if (relayFailures > 0) process.stdout.write(`outbox relay failures: ${relayFailures}\n`);
      await expectExactOutcome(world, { exactlyOnceOnTopic: relayFailures === 0 });
      expect(metrics).toContain(
        `ingestion_events_total{kind="interaction",source="kafka",outcome="accepted"} ${stream.valid.length}`,
      );
      expect(metrics).toContain(
        `ingestion_events_total{kind="interaction",source="kafka",outcome="duplicate"} 500`,
      );
      expect(metrics).toContain(
        `ingestion_events_total{kind="interaction",source="kafka",outcome="rejected"} ${stream.malformed.length}`,
      );
      expect(metrics).toContain(
        'ingestion_rejected_fields_total{kind="interaction",reason="schema-invalid",field="dwellSeconds"} 25',
      );
      expect(metrics).toMatch(/ingestion_late_events_total\{kind="interaction"\} \d+/);
      // Producers' differences are kept and counted, not rejected.
      const warned = (reason: string, field: string, count: number) =>
        `ingestion_field_warnings_total{kind="interaction",source="kafka",reason="${reason}",field="${field}"} ${count}`;
      expect(metrics).toContain(warned('unknown-value', 'region', stream.warnings.unknownRegion));
      expect(metrics).toContain(warned('invalid', 'region', stream.warnings.invalidRegion));
      expect(metrics).toContain(warned('unknown-field', 'section', stream.warnings.unknownField));
      const regions: { region: string | null; n: number }[] = await db.query(
        `SELECT region, count(*)::int AS n FROM "${world.schema}".interactions GROUP BY region ORDER BY region`,
      );
      expect(regions).toEqual([
        { region: 'africa', n: stream.valid.filter((v) => v.region === 'africa').length },
        { region: 'latam', n: 94 },
        { region: null, n: 94 },
      ]);
    } finally {
      await service.stop();
      await world.tearDown();
    }
  });

  it('loses and duplicates nothing when the process is SIGKILLed twice mid-stream', async () => {
    const world = await setUp();
    // A killed member leaves the group only when its session expires: keep that short here.
    world.env = { ...world.env, KAFKA_SESSION_TIMEOUT_MS: '6000', KAFKA_HEARTBEAT_INTERVAL_MS: '500' };
    let service = await startService('ingestion', world.env);
    try {
      for (const threshold of [1_500, 5_000]) {
        await waitFor(
          `${threshold} stored before the kill`,
          async () => (await world.stored()) >= threshold,
          {
            timeoutMs: 90_000,
            intervalMs: 20,
          },
        );
        await service.stop('SIGKILL');
        service = await startService('ingestion', world.env);
      }
      await waitFor(
        'every valid interaction stored and published',
        async () => (await world.stored()) === stream.valid.length && (await world.unpublished()) === 0,
        { timeoutMs: 90_000, intervalMs: 250 },
      );
      await waitFor(
        'every rejection published',
        async () =>
          (await sizeOf(world.kafkaTopics, topics.ingestionRejected.name)) >= stream.malformed.length,
      );
      const { ingestedCount } = await expectExactOutcome(world, { exactlyOnceOnTopic: false });
      // Re-publications after a kill carry the same event id; say how many there were.
      process.stdout.write(
        `interactions.ingested: ${ingestedCount} messages for ${stream.valid.length} rows\n`,
      );
    } finally {
      await service.stop();
      await world.tearDown();
    }
  });
});

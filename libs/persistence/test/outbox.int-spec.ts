import { newEvent, topicExamples, topics } from '@newsroom/contracts';
import { ConsumerRunner, EventPublisher, SerializedMessage, physicalTopic } from '@newsroom/messaging';
import { TestTopics, createTestTopics, readMessages } from '@newsroom/messaging/testing';
import { testServers, uniqueName, waitFor } from '@newsroom/testing';
import { DataSource } from 'typeorm';
import { Inbox, Outbox, OutboxRelay, RetentionJob, createSchemaDataSource, migrateSchema } from '../src';
import { TestSchema, createTestSchema } from '../src/testing';

const topic = topics.articlesFlagged;
const flagEvent = (i: number) =>
  newEvent(
    topic.name,
    { ...topicExamples.articlesFlagged.value.payload, articleId: `art-${i}` },
    'outbox-test',
  );

/** A publisher that dies after the broker acknowledged its Nth batch, before the relay could commit. */
class CrashingPublisher extends EventPublisher {
  private batches = 0;
  constructor(
    kafka: ConstructorParameters<typeof EventPublisher>[0],
    prefix: string,
    private readonly crashAfterBatch: number,
  ) {
    super(kafka, prefix);
  }
  override async publishSerialized(t: string, messages: SerializedMessage[]): Promise<void> {
    await super.publishSerialized(t, messages);
    if (++this.batches === this.crashAfterBatch) throw new Error('relay process killed');
  }
}

describe('transactional outbox, relay and inbox on real PostgreSQL and Kafka', () => {
  let db: TestSchema;
  let kafkaTopics: TestTopics;
  const outbox = new Outbox();
  const inbox = new Inbox();

  beforeAll(async () => {
    db = await createTestSchema();
    await db.dataSource.query(`CREATE TABLE "${db.schema}".flags (article_id text PRIMARY KEY)`);
    kafkaTopics = await createTestTopics([topic], 2);
  });

  afterAll(async () => {
    await db.drop();
    await kafkaTopics.remove();
  });

  it('writes the business row and the outbox row together, or neither', async () => {
    await expect(
      db.dataSource.transaction(async (manager) => {
        await manager.query(`INSERT INTO "${db.schema}".flags VALUES ('art-rolled-back')`);
        await outbox.enqueue(manager, topic, [{ key: 'art-rolled-back', value: flagEvent(0) }]);
        throw new Error('failure after the business write');
      }),
    ).rejects.toThrow('failure after the business write');
    const [{ flags, events }] = await db.dataSource.query(
      `SELECT (SELECT count(*) FROM "${db.schema}".flags)::int AS flags, (SELECT count(*) FROM "${db.schema}".outbox)::int AS events`,
    );
    expect({ flags, events }).toEqual({ flags: 0, events: 0 });
  });

  it('refuses an outbox message that breaks its contract, naming the field', async () => {
    const broken = { ...flagEvent(1), payload: { ...flagEvent(1).payload, flagged: 'yes' } };
    await expect(
      db.dataSource.transaction((manager) =>
        outbox.enqueue(manager, topic, [{ key: 'art-1', value: broken as never }]),
      ),
    ).rejects.toThrow(/payload\.flagged/);
  });

  it('publishes every row at least once when a relay dies mid-batch, and the inbox stores each once', async () => {
    const count = 300;
    const events = Array.from({ length: count }, (_, i) => flagEvent(i + 1));
    await db.dataSource.transaction((manager) =>
      outbox.enqueue(
        manager,
        topic,
        events.map((e) => ({ key: e.payload.articleId, value: e })),
      ),
    );

    // First relay: its second batch reaches Kafka, then the process "dies" before marking the rows.
    const crashing = new OutboxRelay(
      db.dataSource,
      new CrashingPublisher(kafkaTopics.kafka, kafkaTopics.prefix, 2),
      {
        pollIntervalMs: 10,
        idlePollMs: 200,
        batchSize: 100,
      },
    );
    await expect(crashing.relayBatch()).resolves.toBe(100);
    await expect(crashing.relayBatch()).rejects.toThrow('relay process killed');

    // A second relay (another replica, or the restarted one) publishes what is left, again.
    const publisher = new EventPublisher(kafkaTopics.kafka, kafkaTopics.prefix);
    const relay = new OutboxRelay(db.dataSource, publisher, {
      pollIntervalMs: 10,
      idlePollMs: 200,
      batchSize: 100,
    });
    relay.start();
    await waitFor('outbox drained', async () => {
      const [{ n }] = await db.dataSource.query(
        `SELECT count(*)::int AS n FROM "${db.schema}".outbox WHERE published_at IS NULL`,
      );
      return n === 0;
    });
    await relay.stop();

    const onKafka = await readMessages(
      kafkaTopics.kafka,
      physicalTopic(kafkaTopics.prefix, topic.name),
      count + 100,
    );
    expect(onKafka).toHaveLength(count + 100); // the 100 rows of the crashed batch went out twice
    expect(new Set(onKafka.map((m) => JSON.parse(m.value!.toString()).eventId)).size).toBe(count);

    // An idempotent consumer: the inbox claim and the business write share one transaction.
    const consumer = new ConsumerRunner(
      kafkaTopics.kafka,
      publisher,
      {
        groupId: uniqueName('flags'),
        topicPrefix: kafkaTopics.prefix,
        sessionTimeoutMs: 10_000,
        heartbeatIntervalMs: 1_000,
        maxAttempts: 3,
        retryBackoffMs: 20,
        outageMaxBackoffMs: 200,
        handlerStallMs: 60_000,
        partitionsConsumedConcurrently: 2,
        logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
      },
      [
        {
          topic: topic.name,
          schema: topic.value,
          handler: async (message) => {
            const event = message.value as ReturnType<typeof flagEvent>;
            await db.dataSource.transaction(async (manager) => {
              if (!(await inbox.claimOne(manager, 'flags-test', event.eventId))) return;
              await manager.query(`INSERT INTO "${db.schema}".flags VALUES ($1)`, [event.payload.articleId]);
            });
          },
        },
      ],
    );
    await consumer.start();
    await waitFor(
      'every message consumed',
      async () => (await consumer.lag()).every((p) => p.lag === 0) || undefined,
      {
        timeoutMs: 60_000,
      },
    );
    await consumer.stop();
    await publisher.disconnect();

    const [{ rows, distinct }] = await db.dataSource.query(
      `SELECT count(*)::int AS rows, count(DISTINCT article_id)::int AS distinct FROM "${db.schema}".flags`,
    );
    expect({ rows, distinct }).toEqual({ rows: count, distinct: count });
  });

  it('claims an event delivered twice in one batch once, and none of a batch handled before', async () => {
    const events = ['e-1', 'e-2', 'e-1', 'e-3', 'e-2'].map((eventId, at) => ({ eventId, at }));
    const first = await db.dataSource.transaction((manager) =>
      inbox.claimEvents(manager, 'twice-test', events),
    );
    expect(first.map((e) => e.at)).toEqual([0, 1, 3]);
    const again = await db.dataSource.transaction((manager) =>
      inbox.claimEvents(manager, 'twice-test', events),
    );
    expect(again).toEqual([]);
  });
});

describe('outbox relays on several replicas', () => {
  it('publish one key in order: one relay per schema publishes at a time', async () => {
    const db = await createTestSchema();
    const kafkaTopics = await createTestTopics([topic], 1);
    const publisher = new EventPublisher(kafkaTopics.kafka, kafkaTopics.prefix);
    try {
      const events = Array.from({ length: 600 }, (_, i) => flagEvent(i));
      await db.dataSource.transaction((manager) =>
        new Outbox().enqueue(
          manager,
          topic,
          events.map((e) => ({ key: 'art-same', value: e })),
        ),
      );
      const replicas = [1, 2, 3].map(
        () =>
          new OutboxRelay(db.dataSource, publisher, { pollIntervalMs: 5, idlePollMs: 200, batchSize: 50 }),
      );
      replicas.forEach((r) => r.start());
      await waitFor('outbox drained', async () => (await replicas[0].backlog()).pending === 0);
      await Promise.all(replicas.map((r) => r.stop()));
      const onKafka = await readMessages(
        kafkaTopics.kafka,
        physicalTopic(kafkaTopics.prefix, topic.name),
        600,
      );
      expect(onKafka.map((m) => JSON.parse(m.value!.toString()).payload.articleId)).toEqual(
        events.map((e) => e.payload.articleId),
      );
    } finally {
      await publisher.disconnect();
      await db.drop();
      await kafkaTopics.remove();
    }
  });
});

describe('retention', () => {
  it('deletes old published outbox rows and old inbox entries, and keeps the rest', async () => {
    const db = await createTestSchema();
    try {
      const s = `"${db.schema}"`;
      await db.dataSource.query(
        `INSERT INTO ${s}.outbox (topic, key, value, published_at) VALUES
         ('t', 'k', 'old', now() - interval '2 days'), ('t', 'k', 'recent', now()), ('t', 'k', 'pending', NULL)`,
      );
      await db.dataSource.query(
        `INSERT INTO ${s}.inbox (consumer, event_id, processed_at) VALUES ('c', 'old', now() - interval '30 days'), ('c', 'recent', now())`,
      );
      const job = new RetentionJob(db.dataSource, {
        keepPublishedOutboxMs: 86_400_000,
        keepInboxMs: 14 * 86_400_000,
        intervalMs: 60_000,
      });
      await expect(job.runOnce()).resolves.toEqual({ outbox: 1, inbox: 1 });
      expect(
        (await db.dataSource.query(`SELECT value FROM ${s}.outbox ORDER BY id`)).map(
          (r: { value: string }) => r.value,
        ),
      ).toEqual(['recent', 'pending']);
      expect(
        (await db.dataSource.query(`SELECT event_id FROM ${s}.inbox`)).map(
          (r: { event_id: string }) => r.event_id,
        ),
      ).toEqual(['recent']);
    } finally {
      await db.drop();
    }
  });
});

describe('migrations', () => {
  it('are applied once when several replicas start at the same time', async () => {
    const schema = uniqueName('replicas');
    const replicas: DataSource[] = Array.from({ length: 4 }, () =>
      createSchemaDataSource({ url: testServers().databaseUrl, schema, poolSize: 2 }),
    );
    await Promise.all(replicas.map((r) => r.initialize()));
    try {
      const applied = await Promise.all(replicas.map((r) => migrateSchema(r)));
      expect(applied.map((a) => a.length).sort()).toEqual([0, 0, 0, 1]);
      const [{ n }] = await replicas[0].query(`SELECT count(*)::int AS n FROM "${schema}".migrations`);
      expect(n).toBe(1);
    } finally {
      await replicas[0].query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await Promise.all(replicas.map((r) => r.destroy()));
    }
  });
});

describe('outbox messages built by the database (enqueueSelected)', () => {
  let db: TestSchema;
  const outbox = new Outbox();
  const rowsOf = (): Promise<{ key: string; value: string }[]> =>
    db.dataSource.query(`SELECT key, value FROM "${db.schema}".outbox ORDER BY id`);

  beforeAll(async () => {
    db = await createTestSchema();
    await db.dataSource.query(
      `CREATE TABLE "${db.schema}".reasons (article_id text PRIMARY KEY, reason text)`,
    );
    await db.dataSource.query(
      `INSERT INTO "${db.schema}".reasons VALUES ('art-2', 'propaganda'), ('art-1', 'misinformation'), ('art-0', NULL)`,
    );
  });

  afterAll(() => db.drop());

  // Events built here without their bulk; the query puts in what the table holds.
  const select = `SELECT e.key, jsonb_set(e.value, '{payload,reason}', coalesce(to_jsonb(r.reason), 'null'::jsonb))::json AS value
    FROM jsonb_to_recordset($1::jsonb) AS e(key text, value jsonb)
    JOIN "$schema".reasons AS r ON r.article_id = e.key WHERE r.article_id = ANY($2::text[]) ORDER BY e.key`;
  const skeletons = (ids: string[]) =>
    JSON.stringify(
      ids.map((id, i) => ({
        key: id,
        value: {
          ...flagEvent(i),
          payload: { ...flagEvent(i).payload, articleId: id, reason: 'placeholder' },
        },
      })),
    );

  it('writes the rows the query yields, in its order, with the table’s values, and says how many', async () => {
    const enqueued = await db.dataSource.transaction((manager) =>
      outbox.enqueueSelected(manager, topic, select.replace('$schema', db.schema), [
        skeletons(['art-2', 'art-1']),
        ['art-2', 'art-1'],
      ]),
    );
    expect(enqueued).toBe(2);
    const rows = await rowsOf();
    expect(rows.map((r) => [r.key, JSON.parse(r.value).payload.reason])).toEqual([
      ['art-1', 'misinformation'],
      ['art-2', 'propaganda'],
    ]);
    expect(topic.value.safeParse(JSON.parse(rows[0].value)).success).toBe(true);
  });

  it('enqueues nothing when the query yields nothing', async () => {
    const before = (await rowsOf()).length;
    await expect(
      db.dataSource.transaction((manager) =>
        outbox.enqueueSelected(manager, topic, select.replace('$schema', db.schema), [
          skeletons(['art-9']),
          ['art-9'],
        ]),
      ),
    ).resolves.toBe(0);
    expect(await rowsOf()).toHaveLength(before);
  });

  it('refuses what breaks the contract, naming the field, and rolls back every row', async () => {
    const before = (await rowsOf()).length;
    await expect(
      db.dataSource.transaction((manager) =>
        outbox.enqueueSelected(manager, topic, select.replace('$schema', db.schema), [
          skeletons(['art-0', 'art-1']),
          ['art-0', 'art-1'],
        ]),
      ),
    ).rejects.toThrow(/payload\.reason/);
    expect(await rowsOf()).toHaveLength(before);
  });
});

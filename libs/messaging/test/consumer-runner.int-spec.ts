import { deadLetterTopicName, topicExamples, topics } from '@newsroom/contracts';
import { uniqueName, waitFor } from '@newsroom/testing';
import { Producer } from 'kafkajs';
import {
  ConsumerRunner,
  ConsumerRunnerOptions,
  EventPublisher,
  InboundMessage,
  MessageBatch,
  deadLetterHeaders,
  physicalTopic,
} from '../src';
import { TestTopics, createTestTopics, exactProducer, readMessages, topicSize } from '../src/testing';

const topic = topics.interactionsRaw;
const interaction = (i: number) => ({
  ...topicExamples.interactionsRaw.value,
  eventId: `evt-${i}`,
  userId: `user-${i % 50}`,
});

describe('ConsumerRunner on a real broker', () => {
  let testTopics: TestTopics;
  let publisher: EventPublisher;
  let producer: Producer;
  const runners: ConsumerRunner[] = [];

  const options = (overrides: Partial<ConsumerRunnerOptions> = {}): ConsumerRunnerOptions => ({
    groupId: uniqueName('group'),
    topicPrefix: testTopics.prefix,
    sessionTimeoutMs: 10_000,
    heartbeatIntervalMs: 1_000,
    maxAttempts: 5,
    retryBackoffMs: 20,
    outageMaxBackoffMs: 200,
    handlerStallMs: 120_000,
    partitionsConsumedConcurrently: 1,
    onFatal: (error) => {
      throw error;
    },
    logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
    ...overrides,
  });

  const start = async (opts: ConsumerRunnerOptions, handler: (m: InboundMessage) => Promise<void>) => {
    const runner = new ConsumerRunner(testTopics.kafka, publisher, opts, [
      { topic: topic.name, schema: topic.value, handler },
    ]);
    runners.push(runner);
    await runner.start();
    return runner;
  };

  const startBatch = async (
    opts: ConsumerRunnerOptions,
    batchHandler: (b: MessageBatch) => Promise<void>,
    deliverInvalid = false,
  ) => {
    const runner = new ConsumerRunner(testTopics.kafka, publisher, opts, [
      { topic: topic.name, schema: topic.value, batchHandler, deliverInvalid },
    ]);
    runners.push(runner);
    await runner.start();
    return runner;
  };
  const eventIds = (b: MessageBatch) => b.messages.map((m) => (m.value as { eventId: string }).eventId);

  const sendRaw = (values: (string | object)[], partition?: number) =>
    producer.send({
      topic: physicalTopic(testTopics.prefix, topic.name),
      messages: values.map((v, i) => ({
        key: `k-${i}`,
        value: typeof v === 'string' ? v : JSON.stringify(v),
        partition,
      })),
    });

  beforeEach(async () => {
    testTopics = await createTestTopics([topic], 3);
    publisher = new EventPublisher(testTopics.kafka, testTopics.prefix);
    producer = exactProducer(testTopics.kafka);
    await producer.connect();
  });

  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
    await producer.disconnect();
    await publisher.disconnect();
    await testTopics.remove();
  });

  it('handles 999 good messages, dead-letters the 1 poison with its origin, and catches up to lag 0', async () => {
    const values: (string | object)[] = Array.from({ length: 1000 }, (_, i) => interaction(i));
    values[500] = '{"eventId": "evt-500", this is not json';
    await sendRaw(values);

    const handled = new Set<string>();
    const runner = await start(options(), async (m) => {
      handled.add((m.value as { eventId: string }).eventId);
    });

    await waitFor('999 handled', () => handled.size === 999, { timeoutMs: 60_000 });
    const [dead] = await readMessages(
      testTopics.kafka,
      physicalTopic(testTopics.prefix, deadLetterTopicName(topic.name)),
      1,
    );
    expect(dead.value?.toString()).toBe(values[500]);
    expect(dead.headers).toMatchObject({
      [deadLetterHeaders.topic]: topic.name,
      [deadLetterHeaders.reason]: 'undecodable',
      [deadLetterHeaders.attempts]: '1',
    });
    expect(Number(dead.headers[deadLetterHeaders.partition])).toBeGreaterThanOrEqual(0);
    expect(dead.headers[deadLetterHeaders.offset]).toMatch(/^\d+$/);
    expect(dead.headers[deadLetterHeaders.error]).toContain('not JSON');
    expect(handled.has('evt-500')).toBe(false);

    const lag = await waitFor('lag back to 0', async () => {
      const rows = await runner.lag();
      return rows.every((r) => r.lag === 0) && rows;
    });
    expect(lag).toHaveLength(3);
  });

  it('dead-letters a schema-invalid record naming the field, and goes on', async () => {
    await sendRaw([{ ...interaction(1), dwellSeconds: -5 }, interaction(2)], 0);
    const handled: string[] = [];
    await start(options(), async (m) => {
      handled.push((m.value as { eventId: string }).eventId);
    });
    const [dead] = await readMessages(
      testTopics.kafka,
      physicalTopic(testTopics.prefix, deadLetterTopicName(topic.name)),
      1,
    );
    expect(dead.headers[deadLetterHeaders.reason]).toBe('schema-invalid');
    expect(dead.headers[deadLetterHeaders.error]).toContain('dwellSeconds');
    await waitFor('the good record handled', () => handled.includes('evt-2'));
    expect(handled).toEqual(['evt-2']);
  });

  it('retries a handler that fails twice, and its effect happens once', async () => {
    await sendRaw([interaction(7)], 0);
    const attempts: number[] = [];
    const effects: string[] = [];
    await start(options(), async (m) => {
      attempts.push(m.attempt);
      if (m.attempt <= 2) throw new Error('database briefly unavailable');
      effects.push((m.value as { eventId: string }).eventId);
    });
    await waitFor('the effect', () => effects.length === 1);
    expect(attempts).toEqual([1, 2, 3]);
    expect(effects).toEqual(['evt-7']);
  });

  it('dead-letters a record whose handler still fails after maxAttempts, with the attempt count', async () => {
    await sendRaw([interaction(9)], 0);
    await start(options({ maxAttempts: 3 }), async () => {
      throw new Error('always broken');
    });
    const [dead] = await readMessages(
      testTopics.kafka,
      physicalTopic(testTopics.prefix, deadLetterTopicName(topic.name)),
      1,
    );
    expect(dead.headers).toMatchObject({
      [deadLetterHeaders.reason]: 'handler-failed',
      [deadLetterHeaders.error]: 'always broken',
      [deadLetterHeaders.attempts]: '3',
    });
  });

  it('retries through a dependency outage longer than maxAttempts: nothing dead-lettered, handled once, reported meanwhile', async () => {
    await sendRaw([interaction(11), interaction(12)], 0);
    const refused = () =>
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    let outageCalls = 0;
    const effects: string[] = [];
    const runner = await start(options({ maxAttempts: 3, outageMaxBackoffMs: 50 }), async (m) => {
      if (outageCalls < 20) {
        outageCalls++;
        throw refused();
      }
      effects.push((m.value as { eventId: string }).eventId);
    });
    const waiting = await waitFor('the runner to report the wait', () => runner.waitingOnDependency);
    expect(waiting).toMatchObject({ topic: topic.name, error: expect.stringContaining('ECONNREFUSED') });
    await waitFor('both handled', () => effects.length === 2);
    expect(effects).toEqual(['evt-11', 'evt-12']);
    expect(outageCalls).toBe(20);
    expect(runner.waitingOnDependency).toBeUndefined();
    const dlq = physicalTopic(testTopics.prefix, deadLetterTopicName(topic.name));
    expect(await topicSize(testTopics.kafka, dlq)).toBe(0);
  });

  it('does not commit the offset of a failing handler: it is redelivered after a restart', async () => {
    await sendRaw([interaction(1), interaction(2), interaction(3)], 0);
    const groupId = uniqueName('group');
    const seen: string[] = [];
    const first = await start(options({ groupId, maxAttempts: 1_000 }), async (m) => {
      const id = (m.value as { eventId: string }).eventId;
      seen.push(id);
      if (id === 'evt-2') throw new Error('cannot handle evt-2 yet');
    });
    await waitFor('evt-2 retried a few times', () => seen.filter((id) => id === 'evt-2').length >= 3);
    await first.stop();

    const admin = testTopics.kafka.admin();
    await admin.connect();
    const [committed] = await admin.fetchOffsets({
      groupId,
      topics: [physicalTopic(testTopics.prefix, topic.name)],
    });
    await admin.disconnect();
    // evt-1 (offset 0) is committed; the next record to read is evt-2 (offset 1), never evt-3.
    expect(committed.partitions.find((p) => p.partition === 0)?.offset).toBe('1');
    expect(seen).not.toContain('evt-3');

    const redelivered: string[] = [];
    await start(options({ groupId }), async (m) => {
      redelivered.push((m.value as { eventId: string }).eventId);
    });
    await waitFor('evt-2 and evt-3 after restart', () => redelivered.length === 2);
    expect(redelivered).toEqual(['evt-2', 'evt-3']);
  });

  it('keeps its group membership through a handler running twice the session timeout', async () => {
    await sendRaw([interaction(1), interaction(2)], 0);
    const sessionTimeoutMs = 6_000;
    const handled: string[] = [];
    const runner = await start(options({ sessionTimeoutMs, heartbeatIntervalMs: 500 }), async (m) => {
      const id = (m.value as { eventId: string }).eventId;
      // The long handler is the behaviour under test: it outlives two session timeouts.
      if (id === 'evt-1') await new Promise((resolve) => setTimeout(resolve, 2 * sessionTimeoutMs));
      handled.push(id);
    });
    await waitFor('both handled', () => handled.length === 2, { timeoutMs: 60_000 });
    expect(handled).toEqual(['evt-1', 'evt-2']);
    expect(runner.joinCount).toBe(1);
  });

  describe('batch handlers', () => {
    it('get the valid records of a fetch together; invalid ones go to the DLQ', async () => {
      const values: (string | object)[] = Array.from({ length: 500 }, (_, i) => interaction(i));
      values[10] = 'not json';
      await sendRaw(values, 0);
      const batches: string[][] = [];
      await startBatch(options(), async (b) => {
        batches.push(eventIds(b));
      });
      await waitFor('499 handled', () => batches.flat().length === 499);
      expect(Math.max(...batches.map((b) => b.length))).toBeGreaterThan(1);
      expect(batches.flat()).toEqual(values.flatMap((v, i) => (i === 10 ? [] : [`evt-${i}`])));
      const [dead] = await readMessages(
        testTopics.kafka,
        physicalTopic(testTopics.prefix, deadLetterTopicName(topic.name)),
        1,
      );
      expect(dead.headers[deadLetterHeaders.reason]).toBe('undecodable');
    });

    it('can take invalid records themselves instead of the DLQ', async () => {
      await sendRaw([interaction(1), '{"broken"', { ...interaction(2), type: 'like' }], 0);
      const invalid: { reason: string; offset: string; raw: string; fields: string[] }[] = [];
      const valid: string[] = [];
      await startBatch(
        options(),
        async (b) => {
          valid.push(...eventIds(b));
          invalid.push(
            ...b.invalid.map((i) => ({
              reason: i.reason,
              offset: i.offset,
              raw: i.raw,
              fields: i.errors.map((e) => e.field),
            })),
          );
        },
        true,
      );
      await waitFor('all three seen', () => valid.length + invalid.length === 3);
      expect(valid).toEqual(['evt-1']);
      expect(invalid).toEqual([
        { reason: 'undecodable', offset: '1', raw: '{"broken"', fields: ['(root)'] },
        {
          reason: 'schema-invalid',
          offset: '2',
          raw: JSON.stringify({ ...interaction(2), type: 'like' }),
          fields: ['type'],
        },
      ]);
    });

    it('retry a whole batch through a dependency outage, without splitting it or dead-lettering', async () => {
      await sendRaw(
        Array.from({ length: 30 }, (_, i) => interaction(i)),
        0,
      );
      let failures = 0;
      const sizes: number[] = [];
      await startBatch(options({ maxAttempts: 2, outageMaxBackoffMs: 50 }), async (b) => {
        if (failures++ < 6) throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
        sizes.push(b.messages.length);
      });
      await waitFor('30 handled', () => sizes.reduce((a, b) => a + b, 0) === 30);
      expect(Math.max(...sizes)).toBeGreaterThan(1);
      const dlq = physicalTopic(testTopics.prefix, deadLetterTopicName(topic.name));
      expect(await topicSize(testTopics.kafka, dlq)).toBe(0);
    });

    it('isolate a record that keeps failing: the rest are handled, it alone is dead-lettered', async () => {
      await sendRaw(
        Array.from({ length: 30 }, (_, i) => interaction(i)),
        0,
      );
      const handled = new Set<string>();
      await startBatch(options({ maxAttempts: 2 }), async (b) => {
        if (eventIds(b).includes('evt-13')) throw new Error('evt-13 violates a constraint');
        eventIds(b).forEach((id) => handled.add(id));
      });
      const [dead] = await readMessages(
        testTopics.kafka,
        physicalTopic(testTopics.prefix, deadLetterTopicName(topic.name)),
        1,
      );
      expect(JSON.parse(dead.value!.toString()).eventId).toBe('evt-13');
      expect(dead.headers[deadLetterHeaders.error]).toBe('evt-13 violates a constraint');
      await waitFor('29 handled', () => handled.size === 29);
      expect(handled.has('evt-13')).toBe(false);
    });
  });
});

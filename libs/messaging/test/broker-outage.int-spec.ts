import { topicExamples, topics } from '@newsroom/contracts';
import { waitFor } from '@newsroom/testing';
import { Kafka, logLevel } from 'kafkajs';
import { ConsumerRunner, EventPublisher, InboundMessage, ensureTopics, planTopics } from '../src';
import { PrivateKafka, exactProducer, startPrivateKafka } from '../src/testing';

const topic = topics.interactionsRaw;

/**
 * A consumer whose broker is away longer than its client retries: kafkajs crashes the client and
 * restarts it, again and again, for as long as the outage lasts. Those crashes are the broker's,
 * not the consumer's: it must neither give up (exit) nor lose its place, and must report the wait.
 * Found by the fault suite: serving exited after six such crashes on a quiet topic.
 */
describe('ConsumerRunner through a broker outage longer than its client retries', () => {
  let kafka: PrivateKafka;

  beforeAll(async () => {
    kafka = await startPrivateKafka();
    await ensureTopics(
      kafka.client('setup'),
      planTopics([topic], { partitions: 1, replicationFactor: 1, retentionMs: 3_600_000 }),
    );
  }, 120_000);
  afterAll(() => kafka?.destroy(), 60_000);

  const send = async (key: string) => {
    const producer = exactProducer(kafka.client('producer'));
    await producer.connect();
    try {
      const value = { ...topicExamples.interactionsRaw.value, eventId: key };
      await producer.send({ topic: topic.name, acks: -1, messages: [{ key, value: JSON.stringify(value) }] });
    } finally {
      await producer.disconnect();
    }
  };

  /** A consumer on a client that gives up fast, so that a failure makes it crash many times. */
  const fastCrashingRunner = (groupId: string, topicName: string) => {
    const client = new Kafka({
      clientId: groupId,
      brokers: [kafka.brokers],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1_000,
      retry: { initialRetryTime: 100, maxRetryTime: 300, retries: 1 },
    });
    const publisher = new EventPublisher(client, '');
    const fatal: Error[] = [];
    const warnings: string[] = [];
    const handled: string[] = [];
    const runner = new ConsumerRunner(
      client,
      publisher,
      {
        groupId,
        topicPrefix: '',
        sessionTimeoutMs: 10_000,
        heartbeatIntervalMs: 1_000,
        maxAttempts: 3,
        retryBackoffMs: 20,
        outageMaxBackoffMs: 200,
        handlerStallMs: 120_000,
        partitionsConsumedConcurrently: 1,
        onFatal: (error) => fatal.push(error),
        logger: { log: () => undefined, warn: (m) => warnings.push(m), error: () => undefined },
      },
      [
        {
          topic: topicName,
          schema: topic.value,
          handler: async (m: InboundMessage) => {
            handled.push((m.value as { eventId: string }).eventId);
          },
        },
      ],
    );
    const stop = async () => {
      await runner.stop();
      await publisher.disconnect();
    };
    return { runner, fatal, warnings, handled, stop };
  };

  it('restarts its client through every crash of the outage, reports it, and consumes again after', async () => {
    const { runner, fatal, warnings, handled, stop } = fastCrashingRunner('outage-group', topic.name);
    try {
      await runner.start();
      await send('before');
      // Handled and committed: what the outage must not make it lose or repeat.
      await waitFor(
        'the record before the outage handled and committed',
        async () => handled.includes('before') && (await runner.lag()).every((p) => p.lag === 0),
        { timeoutMs: 60_000 },
      );

      await kafka.kill();
      // Well past the crashes in a row after which a consumer failing for its own reasons exits.
      await waitFor('the client crashed 10 times', () => runner.crashCount >= 10, { timeoutMs: 120_000 });
      expect(runner.waitingOnDependency).toMatchObject({
        what: 'consumer group outage-group',
        error: expect.any(String),
      });
      // Told at once, then every 30 s: not once per crash.
      expect(warnings.filter((w) => w.includes('cannot reach the broker')).length).toBeLessThanOrEqual(
        1 + Math.floor((Date.now() - runner.waitingOnDependency!.since) / 30_000),
      );

      await kafka.start();
      await send('after');
      await waitFor('the record after the outage handled', () => handled.includes('after'), {
        timeoutMs: 90_000,
      });
      expect(fatal).toEqual([]);
      expect(handled).toEqual(['before', 'after']);
      expect(runner.waitingOnDependency).toBeUndefined();
    } finally {
      await stop();
    }
  }, 300_000);

  it('still gives up on crashes of its own making: a dead letter that cannot be written, six times in a row', async () => {
    // A topic without its dead-letter topic (the broker creates none): an undecodable record can go nowhere.
    const orphan = 'orphan.raw';
    const admin = kafka.client('setup').admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: orphan, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = exactProducer(kafka.client('producer'));
    await producer.connect();
    await producer.send({ topic: orphan, acks: -1, messages: [{ key: 'k', value: '{ not json' }] });
    await producer.disconnect();

    const { runner, fatal, stop } = fastCrashingRunner('orphan-group', orphan);
    try {
      await runner.start();
      await waitFor('the consumer to give up', () => fatal.length > 0, { timeoutMs: 120_000 });
      expect(fatal[0].message).toMatch(/^consumer crashed 6 time\(s\) in a row/);
      expect(runner.waitingOnDependency).toBeUndefined();
    } finally {
      await stop();
    }
  }, 300_000);
});

import { TopicDefinition } from '@newsroom/contracts';
import { testServers, uniqueName } from '@newsroom/testing';
import { Kafka, Producer } from 'kafkajs';
import { createKafka } from '../kafka-client';
import { deleteTopics, ensureTopics, planTopics } from '../topic-admin';

export interface TestTopics {
  /** Prefix to give services and publishers (KAFKA_TOPIC_PREFIX) so they use these topics. */
  prefix: string;
  kafka: Kafka;
  /** Deletes the topics again. */
  remove(): Promise<void>;
}

/** Creates the given contract topics (and their dead-letter topics) under a prefix unique to the caller. */
export async function createTestTopics(
  definitions: readonly TopicDefinition[],
  partitions = 3,
): Promise<TestTopics> {
  const prefix = `${uniqueName('t')}.`;
  const kafka = createKafka({
    brokers: testServers().kafkaBrokers.split(','),
    security: {},
    clientId: 'newsroom-tests',
  });
  const plans = planTopics(definitions, { partitions, replicationFactor: 1, retentionMs: 3_600_000 }, prefix);
  await ensureTopics(kafka, plans);
  return {
    prefix,
    kafka,
    remove: () =>
      deleteTopics(
        kafka,
        plans.map((p) => p.name),
      ),
  };
}

/**
 * A producer for tests that count what a topic holds: idempotent, so that a send the client retries
 * on a busy machine (a request timeout) does not write its records twice. A plain kafkajs producer
 * does, and a rejected record written twice is two records at two offsets.
 */
export function exactProducer(kafka: Kafka): Producer {
  return kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
}

export interface ReadMessage {
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  partition: number;
  offset: string;
  /** The record's time (ms since the epoch as text): when its producer sent it. */
  timestamp: string;
}

/** Reads every message of a topic from the beginning until `count` have arrived (or the deadline). */
export async function readMessages(
  kafka: Kafka,
  topic: string,
  count: number,
  timeoutMs = 30_000,
): Promise<ReadMessage[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('reader'), maxWaitTimeInMs: 100 });
  const messages: ReadMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`only ${messages.length} of ${count} messages on ${topic} after ${timeoutMs} ms`)),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: async ({ message, partition }) => {
          messages.push({
            key: message.key?.toString() ?? null,
            value: message.value,
            partition,
            offset: message.offset,
            timestamp: message.timestamp,
            headers: Object.fromEntries(
              Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
            ),
          });
          if (messages.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

/** How many messages a topic holds now, over all its partitions. */
export async function topicSize(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Every message a topic holds now, in order within each partition. */
export async function readAllMessages(kafka: Kafka, topic: string): Promise<ReadMessage[]> {
  const size = await topicSize(kafka, topic);
  return size === 0 ? [] : readMessages(kafka, topic, size);
}

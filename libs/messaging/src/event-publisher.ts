import { counter } from '@newsroom/observability';
import { TopicDefinition, parseMessage } from '@newsroom/contracts';
import { CompressionTypes, Kafka, Producer } from 'kafkajs';
import { z } from 'zod';
import { physicalTopic } from './kafka-client';
import { OutboundMessage } from './message';
import { injectTraceHeaders, withProducerSpan } from './trace-context';

/** A message whose value is already serialized (dead letters, outbox rows validated when written). */
export interface SerializedMessage {
  key: string | null;
  value: string | Buffer;
  headers?: Record<string, string>;
}

const published = counter('kafka_messages_published_total', 'Messages published to Kafka', ['topic']);

/**
 * Publishes typed events: every value is checked against its topic's contract before it leaves,
 * the producer is idempotent with acks from all in-sync replicas, and `publish` resolves only
 * once the broker has acknowledged the whole batch.
 */
export class EventPublisher {
  private readonly producer: Producer;
  private connecting?: Promise<void>;
  /** The last send: the next one starts once it has settled. */
  private sending: Promise<unknown> = Promise.resolve();

  constructor(
    kafka: Kafka,
    private readonly topicPrefix: string,
  ) {
    // Idempotence in kafkajs needs at most one request in flight per broker.
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
  }

  connect(): Promise<void> {
    // A failed connection is forgotten, so the next publish tries again instead of failing forever.
    this.connecting ??= this.producer.connect().catch((error: Error) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  async disconnect(): Promise<void> {
    if (!this.connecting) return;
    this.connecting = undefined;
    await this.producer.disconnect();
  }

  async publish<T extends TopicDefinition>(
    topic: T,
    messages: OutboundMessage<z.input<T['value']>>[],
  ): Promise<void> {
    const serialized = messages.map((message, index) => {
      const value = parseMessage(topic, message.key, message.value, `message ${index} for ${topic.name}`);
      return { key: message.key, value: JSON.stringify(value), headers: message.headers };
    });
    await this.publishSerialized(topic.name, serialized);
  }

  /**
   * `continueTrace`: the messages carry the trace of what wrote them (the outbox relay), and the
   * publish continues it (see withProducerSpan). Otherwise (a dead letter, a replay) the publish is
   * part of the work at hand, and a message keeps the trace it carries.
   */
  async publishSerialized(
    logicalTopic: string,
    messages: SerializedMessage[],
    { continueTrace = false }: { continueTrace?: boolean } = {},
  ): Promise<void> {
    if (messages.length === 0) return;
    // One send at a time. kafkajs' idempotent producer numbers a send's records when the send
    // starts: with two in flight, one retried after a timeout reaches the broker behind the other,
    // out of sequence, and fails for good (OUT_OF_ORDER_SEQUENCE_NUMBER, tulios/kafkajs#598). Seen
    // in the demo's publisher (4 sends in flight) on a machine busy building Jaeger.
    // Connected in its turn: after a reconnection that the send before it may have asked for.
    const turn = this.sending.then(async () => {
      await this.connect();
      await this.send(logicalTopic, messages, continueTrace);
    });
    this.sending = turn.catch(async (error: unknown) => {
      // A broker killed before it flushed forgets records it acknowledged, and the producer's
      // numbering is then ahead of it: every later send fails the same way, for good (seen in the
      // fault suite's broker kills). A new connection gets a new producer id and numbers afresh;
      // the caller retries the send, and consumers are idempotent to what that may repeat.
      if (isOutOfSequence(error)) await this.disconnect().catch(() => undefined);
    });
    await turn;
    published.inc({ topic: logicalTopic }, messages.length);
  }

  private async send(
    logicalTopic: string,
    messages: SerializedMessage[],
    continueTrace: boolean,
  ): Promise<void> {
    const topic = physicalTopic(this.topicPrefix, logicalTopic);
    await withProducerSpan(
      topic,
      messages.length,
      async (ctx, continued) => {
        // Requests stay under the broker's message-batch limit (1 MiB by default), in order.
        for (const chunk of splitIntoRequests(messages, messageBytes)) {
          await this.producer.send({
            topic,
            acks: -1,
            compression: CompressionTypes.None,
            messages: chunk.map((m) => {
              const headers = { ...m.headers };
              // A message of another trace than the publish's (a batch of several) stays in its own.
              if (continued || !headers['traceparent']) {
                delete headers['tracestate'];
                injectTraceHeaders(headers, ctx);
              }
              return { key: m.key, value: m.value, headers };
            }),
          });
        }
      },
      continueTrace ? messages.map((m) => m.headers) : [],
    );
  }
}

/** OUT_OF_ORDER_SEQUENCE_NUMBER, as kafkajs reports it or wrapped by its retrier. */
export function isOutOfSequence(error: unknown): boolean {
  for (let e = error as { type?: string; originalError?: unknown; cause?: unknown } | undefined; e; ) {
    if (e.type === 'OUT_OF_ORDER_SEQUENCE_NUMBER') return true;
    e = (e.originalError ?? e.cause) as typeof e;
  }
  return false;
}

/** Stays under the broker's default message-batch limit (1 MiB) with room for the request's own framing. */
const MAX_REQUEST_BYTES = 800 * 1024;

/** Approximate bytes of one message on the wire (value, key, headers and record framing). */
export function messageBytes(message: SerializedMessage): number {
  return Buffer.byteLength(message.value) + Buffer.byteLength(message.key ?? '') + 200;
}

/** Splits items, in order, into groups that each fit one produce request. */
export function splitIntoRequests<T>(
  items: T[],
  bytesOf: (item: T) => number,
  maxBytes = MAX_REQUEST_BYTES,
): T[][] {
  const requests: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const item of items) {
    const bytes = bytesOf(item);
    if (current.length > 0 && size + bytes > maxBytes) {
      requests.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += bytes;
  }
  if (current.length > 0) requests.push(current);
  return requests;
}

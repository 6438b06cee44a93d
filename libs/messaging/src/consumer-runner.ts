import { counter, gauge, histogram } from '@newsroom/observability';
import { describeFieldErrors, deadLetterTopicName, fieldErrors } from '@newsroom/contracts';
import { Admin, Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { z } from 'zod';
import { EventPublisher } from './event-publisher';
import { logicalTopic, physicalTopic } from './kafka-client';
import { DeadLetterReason, InboundMessage, PermanentError, deadLetterHeaders } from './message';
import { MessagingOptions } from './messaging-config';
import { withConsumerSpan } from './trace-context';

export type MessageHandler = (message: InboundMessage) => Promise<void>;

export interface Subscription {
  /** Logical topic name (libs/contracts). */
  topic: string;
  /** The value schema; records that fail it are dead-lettered without reaching the handler. */
  schema: z.ZodType;
  handler: MessageHandler;
}

export interface RunnerLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export type ConsumerRunnerOptions = Pick<
  MessagingOptions,
  | 'groupId'
  | 'topicPrefix'
  | 'sessionTimeoutMs'
  | 'heartbeatIntervalMs'
  | 'maxAttempts'
  | 'retryBackoffMs'
  | 'handlerStallMs'
  | 'partitionsConsumedConcurrently'
> & {
  /** Called when the consumer cannot go on (crash without restart, stalled handler). Default: exit(1). */
  onFatal?: (error: Error) => void;
  logger?: RunnerLogger;
};

const consumed = counter('kafka_messages_consumed_total', 'Messages handled, by outcome', ['topic', 'outcome']);
const handlerSeconds = histogram('kafka_handler_duration_seconds', 'Handler duration per message', ['topic']);
const retries = counter('kafka_handler_retries_total', 'Handler attempts that failed and were retried', ['topic']);
const lagGauge = gauge('kafka_consumer_lag', 'Messages behind the end of the partition', ['topic', 'partition']);

/**
 * Consumes a group of topics with at-least-once delivery:
 * - each record is decoded and validated with its contract before the handler sees it;
 * - its offset is resolved only after the handler's promise settles, and committed after each batch;
 * - a failing handler is retried with exponential backoff (heartbeating meanwhile); after
 *   `maxAttempts`, or at once for undecodable/invalid records and PermanentError, the record goes
 *   to `<topic>.dlq` with headers saying why, and consumption goes on;
 * - if the dead letter cannot be written, the batch fails and the record is redelivered, never skipped;
 * - a crash the client will not restart from, or a handler stuck past `handlerStallMs`, calls
 *   `onFatal` (by default the process exits non-zero so its orchestrator restarts it).
 */
export class ConsumerRunner {
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly logger: RunnerLogger;
  private readonly onFatal: (error: Error) => void;
  private running = false;
  private groupJoins = 0;
  private wakeFromPause?: () => void;

  constructor(
    kafka: Kafka,
    private readonly publisher: EventPublisher,
    private readonly options: ConsumerRunnerOptions,
    subscriptions: Subscription[],
  ) {
    for (const s of subscriptions) this.subscriptions.set(s.topic, s);
    this.logger = options.logger ?? console;
    this.onFatal =
      options.onFatal ??
      ((error) => {
        this.logger.error(`consumer ${options.groupId} cannot go on, exiting: ${error.message}`);
        process.exit(1);
      });
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: options.heartbeatIntervalMs,
      rebalanceTimeout: Math.max(60_000, options.sessionTimeoutMs * 2),
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 250,
    });
    this.admin = kafka.admin();
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
      this.groupJoins += 1;
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart && this.running) this.onFatal(payload.error);
      else this.logger.warn(`consumer ${options.groupId} crashed and restarts: ${payload.error.message}`);
    });
  }

  /** How many times this consumer joined its group: 1 means no rebalance since start. */
  get joinCount(): number {
    return this.groupJoins;
  }

  async start(): Promise<void> {
    if (this.subscriptions.size === 0 || this.running) return;
    await this.consumer.connect();
    await this.admin.connect();
    await this.consumer.subscribe({
      topics: [...this.subscriptions.keys()].map((t) => physicalTopic(this.options.topicPrefix, t)),
      fromBeginning: true,
    });
    this.running = true;
    await this.consumer.run({
      autoCommit: true,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
      eachBatch: (payload) => this.processBatch(payload),
    });
  }

  /**
   * Stops fetching, lets the in-flight handler call finish (a record waiting for a retry is
   * abandoned, uncommitted, for redelivery), commits what was handled, leaves the group.
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wakeFromPause?.();
    await this.consumer.disconnect();
    await this.admin.disconnect();
  }

  /** Per-partition lag of this group (end offset minus committed offset); also exported as a gauge. */
  async lag(): Promise<{ topic: string; partition: number; lag: number }[]> {
    const rows: { topic: string; partition: number; lag: number }[] = [];
    for (const logical of this.subscriptions.keys()) {
      const topic = physicalTopic(this.options.topicPrefix, logical);
      const [ends, [committed]] = await Promise.all([
        this.admin.fetchTopicOffsets(topic),
        this.admin.fetchOffsets({ groupId: this.options.groupId, topics: [topic] }),
      ]);
      for (const end of ends) {
        const c = committed.partitions.find((p) => p.partition === end.partition);
        const committedOffset = c && Number(c.offset) >= 0 ? Number(c.offset) : Number(end.low);
        const lag = Math.max(0, Number(end.high) - committedOffset);
        lagGauge.set({ topic: logical, partition: String(end.partition) }, lag);
        rows.push({ topic: logical, partition: end.partition, lag });
      }
    }
    return rows;
  }

  private async processBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary, uncommittedOffsets } =
      payload;
    const topic = logicalTopic(this.options.topicPrefix, batch.topic);
    for (const message of batch.messages) {
      if (!isRunning() || isStale()) break;
      const outcome = await this.processMessage(topic, batch.partition, message, heartbeat);
      // An abandoned record (shutdown during its retries) stays unresolved: it is redelivered.
      if (outcome === 'abandoned') break;
      resolveOffset(message.offset);
    }
    // Commit after every batch: nothing handled is ever re-delivered because of a lazy commit timer.
    await commitOffsetsIfNecessary(uncommittedOffsets());
  }

  private async processMessage(
    topic: string,
    partition: number,
    message: KafkaMessage,
    heartbeat: () => Promise<void>,
  ): Promise<'done' | 'abandoned'> {
    const subscription = this.subscriptions.get(topic);
    if (!subscription) throw new Error(`no subscription for topic ${topic}`);
    const headers = decodeHeaders(message.headers);
    const base = {
      topic,
      partition,
      offset: message.offset,
      key: message.key?.toString('utf8') ?? null,
      headers,
      timestamp: message.timestamp,
    };

    let decoded: unknown;
    try {
      decoded = JSON.parse(message.value?.toString('utf8') ?? '');
    } catch (error) {
      await this.deadLetter(base, message, 'undecodable', `not JSON: ${(error as Error).message}`, 1);
      return 'done';
    }
    const parsed = subscription.schema.safeParse(decoded);
    if (!parsed.success) {
      await this.deadLetter(base, message, 'schema-invalid', describeFieldErrors(fieldErrors(parsed.error)), 1);
      return 'done';
    }

    for (let attempt = 1; ; attempt++) {
      const inbound: InboundMessage = { ...base, value: parsed.data, attempt };
      const stopTimer = handlerSeconds.startTimer({ topic });
      try {
        await this.whileHeartbeating(heartbeat, topic, () =>
          withConsumerSpan(topic, headers, { 'messaging.kafka.partition': partition, 'messaging.kafka.offset': message.offset }, () =>
            subscription.handler(inbound),
          ),
        );
        stopTimer();
        consumed.inc({ topic, outcome: 'handled' });
        return 'done';
      } catch (error) {
        stopTimer();
        const err = error as Error;
        if (err instanceof PermanentError || attempt >= this.options.maxAttempts) {
          await this.deadLetter(base, message, 'handler-failed', err.message, attempt);
          return 'done';
        }
        if (!this.running) return 'abandoned';
        retries.inc({ topic });
        const delay = Math.min(this.options.retryBackoffMs * 2 ** (attempt - 1), 30_000);
        this.logger.warn(
          `handler for ${topic}@${partition}:${message.offset} failed (attempt ${attempt}), retrying in ${delay} ms: ${err.message}`,
        );
        await this.whileHeartbeating(heartbeat, topic, () => this.pause(delay));
        if (!this.running) return 'abandoned';
      }
    }
  }

  /** Waits before a retry; cut short by stop(). */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeFromPause = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Runs work while sending heartbeats, so long handlers keep the group membership; watches for stalls. */
  private async whileHeartbeating<T>(heartbeat: () => Promise<void>, topic: string, work: () => Promise<T>): Promise<T> {
    const beat = setInterval(() => {
      heartbeat().catch((e: Error) => this.logger.warn(`heartbeat failed: ${e.message}`));
    }, this.options.heartbeatIntervalMs);
    const stall = setTimeout(
      () => this.onFatal(new Error(`handler for ${topic} stalled for more than ${this.options.handlerStallMs} ms`)),
      this.options.handlerStallMs,
    );
    try {
      return await work();
    } finally {
      clearInterval(beat);
      clearTimeout(stall);
    }
  }

  private async deadLetter(
    origin: Pick<InboundMessage, 'topic' | 'partition' | 'offset' | 'key' | 'headers'>,
    message: KafkaMessage,
    reason: DeadLetterReason,
    error: string,
    attempts: number,
  ): Promise<void> {
    this.logger.warn(`dead-lettering ${origin.topic}@${origin.partition}:${origin.offset} (${reason}): ${error}`);
    await this.publisher.publishSerialized(deadLetterTopicName(origin.topic), [
      {
        key: origin.key,
        value: message.value ?? Buffer.alloc(0),
        headers: {
          ...origin.headers,
          [deadLetterHeaders.topic]: origin.topic,
          [deadLetterHeaders.partition]: String(origin.partition),
          [deadLetterHeaders.offset]: origin.offset,
          [deadLetterHeaders.reason]: reason,
          [deadLetterHeaders.error]: error.slice(0, 2_000),
          [deadLetterHeaders.attempts]: String(attempts),
          [deadLetterHeaders.failedAt]: new Date().toISOString(),
          [deadLetterHeaders.consumerGroup]: this.options.groupId,
        },
      },
    ]);
    consumed.inc({ topic: origin.topic, outcome: 'dead-lettered' });
  }
}

function decodeHeaders(headers: KafkaMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.map(String).join(',') : value.toString();
  }
  return out;
}

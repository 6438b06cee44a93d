import { counter, gauge, histogram } from '@newsroom/observability';
import { Acceptance, describeFieldErrors, deadLetterTopicName, fieldErrors } from '@newsroom/contracts';
import { Admin, Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { z } from 'zod';
import { LastingFailureLog, isBrokerUnreachable, isDependencyOutage } from './dependency-outage';
import { EventPublisher } from './event-publisher';
import { logicalTopic, physicalTopic } from './kafka-client';
import {
  DeadLetterReason,
  InboundMessage,
  InvalidMessage,
  MessageBatch,
  PermanentError,
  deadLetterHeaders,
} from './message';
import { MessagingOptions } from './messaging-config';
import { partitionLag } from './topic-admin';
import { withConsumerSpan } from './trace-context';

export type MessageHandler = (message: InboundMessage) => Promise<void>;
export type BatchHandler = (batch: MessageBatch) => Promise<void>;

/** One topic's handler: per record (`handler`) or per fetched batch of one partition (`batchHandler`). */
export interface Subscription {
  /** Logical topic name (libs/contracts). */
  topic: string;
  /** The value schema; records that fail it are dead-lettered without reaching the handler. */
  schema: z.ZodType;
  /** Accepts values instead of `schema` (raw topics: liberal about optional attributes, with warnings). */
  accept?: (value: unknown) => Acceptance<unknown>;
  handler?: MessageHandler;
  batchHandler?: BatchHandler;
  /**
   * Batch handlers only: hand undecodable and schema-invalid records to the handler (in
   * `batch.invalid`) instead of the DLQ, for consumers that report them in their own way.
   */
  deliverInvalid?: boolean;
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
  | 'outageMaxBackoffMs'
  | 'handlerStallMs'
  | 'partitionsConsumedConcurrently'
> & {
  /** Called when the consumer cannot go on (crash without restart, stalled handler). Default: exit(1). */
  onFatal?: (error: Error) => void;
  logger?: RunnerLogger;
};

const consumed = counter('kafka_messages_consumed_total', 'Messages handled, by outcome', [
  'topic',
  'outcome',
]);
const handlerSeconds = histogram(
  'kafka_handler_duration_seconds',
  'Duration of one handler call (a record or a batch)',
  ['topic', 'mode'],
);
const retries = counter('kafka_handler_retries_total', 'Handler attempts that failed and were retried', [
  'topic',
]);
const dependencyRetries = counter(
  'kafka_handler_dependency_retries_total',
  'Handler calls retried because a dependency (database, broker) was unavailable; never dead-lettered',
  ['topic'],
);
const waitingGauge = gauge(
  'kafka_consumer_waiting_on_dependency',
  'Whether a handler is waiting for an unavailable dependency to answer (1) or not (0)',
  ['topic'],
);
const groupJoins = counter(
  'kafka_consumer_group_joins_total',
  'Times the consumer joined its group: more than once means rebalances (a member lost, added or evicted)',
  ['group'],
);
const crashes = counter(
  'kafka_consumer_crashes_total',
  'Times the consumer client crashed and restarted, by cause (broker-unreachable: restarts until it answers)',
  ['group', 'cause'],
);
const LAG_REFRESH_MS = 10_000;
/** Records decoded and validated between two turns of the event loop (health checks, heartbeats). */
const DECODE_SLICE = 500;
/**
 * A consumer that keeps crashing for a reason of its own (e.g. a dead letter that can never be
 * written) exits for a restart. Crashes because the broker is away are not counted: they last as
 * long as the outage, and a restarted process would meet the same outage.
 */
const MAX_CRASHES_IN_A_ROW = 5;
const REBALANCE_ERRORS = new Set([
  'REBALANCE_IN_PROGRESS',
  'UNKNOWN_MEMBER_ID',
  'ILLEGAL_GENERATION',
  'NOT_COORDINATOR',
]);
const lagGauge = gauge('kafka_consumer_lag', 'Messages behind the end of the partition', [
  'topic',
  'partition',
]);

/**
 * Consumes a group of topics with at-least-once delivery:
 * - each record is decoded and validated with its contract before the handler sees it;
 * - its offset is resolved only after the handler's promise settles, and committed after each batch;
 * - a failing handler is retried with exponential backoff (heartbeating meanwhile); after
 *   `maxAttempts`, or at once for undecodable/invalid records and PermanentError, the record goes
 *   to `<topic>.dlq` with headers saying why, and consumption goes on;
 * - a failure caused by an unavailable dependency (isDependencyOutage) is not the record's fault:
 *   it is retried with capped backoff for as long as the outage lasts, the partition waiting,
 *   readiness reporting it, and never counts towards `maxAttempts`;
 * - if the dead letter cannot be written, the batch fails and the record is redelivered, never skipped;
 * - a crash because the broker is unreachable restarts the client for as long as the outage
 *   lasts (readiness reporting it); a crash the client will not restart from, more than
 *   MAX_CRASHES_IN_A_ROW other crashes without a committed batch in between, or a handler stuck
 *   past `handlerStallMs` call `onFatal` (by default the process exits non-zero so its
 *   orchestrator restarts it).
 */
export class ConsumerRunner {
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly logger: RunnerLogger;
  private readonly onFatal: (error: Error) => void;
  private running = false;
  private groupJoins = 0;
  private readonly pauses = new Set<() => void>();
  private lagTimer?: NodeJS.Timeout;
  private crashesInARow = 0;
  private crashesSinceStart = 0;
  /** Set when a heartbeat learns the group is rebalancing: stop taking records from the batch. */
  private membershipLost = false;
  /** Handlers waiting for an unavailable dependency, by topic and partition: readiness, logs, gauge. */
  private readonly outages = new Map<string, DependencyWait & { log: LastingFailureLog }>();
  /** Set while the client has crashed on an unreachable broker and restarts until it rejoins. */
  private brokerOutage?: DependencyWait & { log: LastingFailureLog };

  constructor(
    kafka: Kafka,
    private readonly publisher: EventPublisher,
    private readonly options: ConsumerRunnerOptions,
    subscriptions: Subscription[],
  ) {
    for (const s of subscriptions) {
      if (!s.handler === !s.batchHandler)
        throw new Error(`subscription to ${s.topic} needs exactly one of handler and batchHandler`);
      this.subscriptions.set(s.topic, s);
    }
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
      // A fetch returns as soon as a record arrives; an idle consumer asks once a second.
      maxWaitTimeInMs: 1_000,
      // Larger fetches mean fewer, larger batches for bulk handlers; but a fetch is decoded in one
      // go, so its size bounds how long the event loop is held (see DECODE_SLICE).
      maxBytesPerPartition: 2 * 1024 * 1024,
      maxBytes: 4 * 1024 * 1024,
    });
    this.admin = kafka.admin();
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
      this.groupJoins += 1;
      groupJoins.inc({ group: options.groupId });
      // Back in the group: the broker answers again. (Crashes in a row are reset by a committed
      // batch only: a consumer crashing in its handling rejoins before each crash.)
      this.brokerOutageOver();
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (!this.running) return;
      this.crashesSinceStart++;
      const brokerUnreachable = payload.restart && isBrokerUnreachable(payload.error);
      crashes.inc({ group: options.groupId, cause: brokerUnreachable ? 'broker-unreachable' : 'other' });
      if (brokerUnreachable) {
        this.brokerOutageGoesOn(payload.error);
        return;
      }
      this.crashesInARow++;
      if (!payload.restart || this.crashesInARow > MAX_CRASHES_IN_A_ROW) {
        this.onFatal(
          new Error(`consumer crashed ${this.crashesInARow} time(s) in a row: ${payload.error.message}`),
        );
      } else {
        this.logger.warn(`consumer ${options.groupId} crashed and restarts: ${payload.error.message}`);
      }
    });
  }

  /** Set while a handler, or the consumer itself, waits for a dependency (database, broker) to answer again. */
  get waitingOnDependency(): DependencyWait | undefined {
    return this.brokerOutage ?? this.outages.values().next().value;
  }

  /** How many times the client crashed (and, but for onFatal, restarted) since start. */
  get crashCount(): number {
    return this.crashesSinceStart;
  }

  /** How many times this consumer joined its group: 1 means no rebalance since start. */
  get joinCount(): number {
    return this.groupJoins;
  }

  async start(): Promise<void> {
    if (this.subscriptions.size === 0 || this.running) return;
    await this.consumer.connect();
    await this.admin.connect();
    const existing = new Set(await this.admin.listTopics());
    const missing = [...this.subscriptions.keys()]
      .map((t) => physicalTopic(this.options.topicPrefix, t))
      .filter((t) => !existing.has(t));
    if (missing.length > 0) {
      throw new Error(
        `topics missing: ${missing.join(', ')} (create them with the admin step: ops topics create)`,
      );
    }
    await this.consumer.subscribe({
      topics: [...this.subscriptions.keys()].map((t) => physicalTopic(this.options.topicPrefix, t)),
      fromBeginning: true,
    });
    this.running = true;
    // Keep the lag gauge current for /metrics and alerting.
    this.lagTimer = setInterval(() => {
      this.lag().catch((e: Error) => this.logger.warn(`could not read consumer lag: ${e.message}`));
    }, LAG_REFRESH_MS);
    this.lagTimer.unref();
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
    clearInterval(this.lagTimer);
    this.pauses.forEach((wake) => wake());
    await this.consumer.disconnect();
    await this.admin.disconnect();
  }

  /** Per-partition lag of this group (end offset minus committed offset); also exported as a gauge. */
  async lag(): Promise<{ topic: string; partition: number; lag: number }[]> {
    const rows: { topic: string; partition: number; lag: number }[] = [];
    // Not consuming (yet, or any more): its admin connection is not there to ask.
    if (!this.running) return rows;
    for (const logical of this.subscriptions.keys()) {
      const topic = physicalTopic(this.options.topicPrefix, logical);
      for (const { partition, lag } of await partitionLag(this.admin, this.options.groupId, topic)) {
        lagGauge.set({ topic: logical, partition: String(partition) }, lag);
        rows.push({ topic: logical, partition, lag });
      }
    }
    return rows;
  }

  private async processBatch(payload: EachBatchPayload): Promise<void> {
    const {
      batch,
      resolveOffset,
      heartbeat,
      isRunning,
      isStale,
      commitOffsetsIfNecessary,
      uncommittedOffsets,
    } = payload;
    const topic = logicalTopic(this.options.topicPrefix, batch.topic);
    const subscription = this.subscriptions.get(topic);
    if (!subscription) throw new Error(`no subscription for topic ${topic}`);
    this.membershipLost = false;
    if (subscription.batchHandler) {
      const outcome = await this.processAsBatch(
        subscription,
        subscription.batchHandler,
        topic,
        batch.partition,
        batch.messages,
        heartbeat,
      );
      if (outcome === 'done' && batch.messages.length > 0)
        resolveOffset(batch.messages[batch.messages.length - 1].offset);
    } else {
      for (const [index, message] of batch.messages.entries()) {
        if (!isRunning() || isStale() || this.membershipLost) break;
        if (index > 0 && index % DECODE_SLICE === 0) await yieldToEventLoop();
        const outcome = await this.processOne(
          subscription,
          this.decode(topic, batch.partition, message),
          heartbeat,
        );
        // An abandoned record (shutdown during its retries) stays unresolved: it is redelivered.
        if (outcome === 'abandoned') break;
        resolveOffset(message.offset);
      }
    }
    // Commit after every batch: nothing handled is ever re-delivered because of a lazy commit timer.
    await commitOffsetsIfNecessary(uncommittedOffsets());
    this.crashesInARow = 0;
  }

  /** Decodes and validates one record: either a message for the handler or the reason it is invalid. */
  private decode(topic: string, partition: number, message: KafkaMessage): Decoded {
    const subscription = this.subscriptions.get(topic);
    if (!subscription) throw new Error(`no subscription for topic ${topic}`);
    const origin = {
      topic,
      partition,
      offset: message.offset,
      key: message.key?.toString('utf8') ?? null,
      headers: decodeHeaders(message.headers),
      timestamp: message.timestamp,
    };
    const raw = message.value?.toString('utf8') ?? '';
    let decoded: unknown;
    try {
      decoded = JSON.parse(raw);
    } catch (error) {
      return {
        invalid: {
          ...origin,
          raw,
          reason: 'undecodable',
          errors: [{ field: '(root)', message: `not JSON: ${(error as Error).message}` }],
        },
        message,
      };
    }
    const accepted = subscription.accept
      ? subscription.accept(decoded)
      : acceptWith(subscription.schema, decoded);
    if (!accepted.accepted) {
      return { invalid: { ...origin, raw, reason: 'schema-invalid', errors: accepted.errors }, message };
    }
    return { valid: { ...origin, value: accepted.value, attempt: 1, warnings: accepted.warnings }, message };
  }

  private async processOne(
    subscription: Subscription,
    decoded: Decoded,
    heartbeat: () => Promise<void>,
  ): Promise<Outcome> {
    if ('invalid' in decoded) {
      await this.deadLetterInvalid(decoded.invalid, decoded.message);
      return 'done';
    }
    const message = decoded.valid;
    const { handler, batchHandler } = subscription;
    const handle: MessageHandler = async (m) => {
      if (handler) return handler(m);
      if (batchHandler)
        return batchHandler({
          topic: m.topic,
          partition: m.partition,
          messages: [m],
          invalid: [],
          attempt: m.attempt,
        });
    };
    const result = await this.withRetries(message.topic, message.partition, heartbeat, [message], (attempt) =>
      handle({ ...message, attempt }),
    );
    if (result.outcome === 'failed') {
      await this.deadLetter(
        message,
        decoded.message,
        'handler-failed',
        result.error.message,
        result.attempts,
      );
      return 'done';
    }
    return result.outcome;
  }

  /**
   * A batch handler gets all valid records of a fetched batch at once (bulk writes). If it still
   * fails after its attempts, the records are handled one by one, so one poison record goes to
   * the DLQ alone instead of taking the batch with it.
   */
  private async processAsBatch(
    subscription: Subscription,
    batchHandler: BatchHandler,
    topic: string,
    partition: number,
    messages: KafkaMessage[],
    heartbeat: () => Promise<void>,
  ): Promise<Outcome> {
    const decoded: Decoded[] = [];
    for (let from = 0; from < messages.length; from += DECODE_SLICE) {
      if (from > 0) await yieldToEventLoop();
      for (const m of messages.slice(from, from + DECODE_SLICE))
        decoded.push(this.decode(topic, partition, m));
    }
    const valid = decoded.flatMap((d) => ('valid' in d ? [d.valid] : []));
    const invalid = decoded.flatMap((d) => ('invalid' in d ? [d] : []));
    if (!subscription.deliverInvalid) {
      for (const d of invalid) await this.deadLetterInvalid(d.invalid, d.message);
    }
    const delivered = subscription.deliverInvalid ? invalid.map((d) => d.invalid) : [];
    if (valid.length === 0 && delivered.length === 0) return 'done';
    const result = await this.withRetries(topic, partition, heartbeat, [...valid, ...delivered], (attempt) =>
      batchHandler({ topic, partition, messages: valid, invalid: delivered, attempt }),
    );
    if (result.outcome !== 'failed') return result.outcome;
    this.logger.warn(
      `batch handler for ${topic}@${partition} failed ${result.attempts} times; handling its ${decoded.length} records one by one`,
    );
    for (const d of decoded) {
      let outcome: Outcome = 'done';
      if ('valid' in d) outcome = await this.processOne(subscription, d, heartbeat);
      else if (subscription.deliverInvalid) {
        // An invalid record the handler wanted to see itself: alone, and dead-lettered if that fails too.
        const alone = await this.withRetries(topic, partition, heartbeat, [d.invalid], (attempt) =>
          batchHandler({ topic, partition, messages: [], invalid: [d.invalid], attempt }),
        );
        if (alone.outcome === 'failed') await this.deadLetterInvalid(d.invalid, d.message);
        else outcome = alone.outcome;
      }
      if (outcome === 'abandoned') return 'abandoned';
    }
    return 'done';
  }

  /**
   * Runs a handler call until it succeeds, with exponential backoff between attempts (heartbeating
   * meanwhile). A failure of the record gives up after maxAttempts, or at once on PermanentError; a
   * dependency outage is retried for as long as it lasts, its backoff capped at outageMaxBackoffMs,
   * without counting as an attempt. Stops retrying when the runner is stopping or the group is
   * rebalancing ('abandoned': the records stay uncommitted and are redelivered).
   */
  private async withRetries(
    topic: string,
    partition: number,
    heartbeat: () => Promise<void>,
    records: { headers: Record<string, string> }[],
    call: (attempt: number) => Promise<void>,
  ): Promise<{ outcome: 'done' | 'abandoned' } | { outcome: 'failed'; error: Error; attempts: number }> {
    const mode = records.length === 1 ? 'record' : 'batch';
    let failures = 0;
    let outages = 0;
    for (let attempt = 1; ; attempt++) {
      const stopTimer = handlerSeconds.startTimer({ topic, mode });
      try {
        await this.whileHeartbeating(heartbeat, topic, () =>
          withConsumerSpan(
            topic,
            records.map((r) => r.headers),
            { 'messaging.attempt': attempt },
            () => call(attempt),
          ),
        );
        stopTimer();
        this.outageOver(topic, partition);
        consumed.inc({ topic, outcome: 'handled' }, records.length);
        return { outcome: 'done' };
      } catch (error) {
        stopTimer();
        const err = error instanceof Error ? error : new Error(String(error));
        // Stopping: whatever failed (work told to stop, a connection closing), the records stay
        // uncommitted and come back; it is never one of their attempts.
        if (!this.running || this.membershipLost) return { outcome: 'abandoned' };
        let delay: number;
        if (isDependencyOutage(err)) {
          outages++;
          dependencyRetries.inc({ topic });
          delay = Math.min(this.options.retryBackoffMs * 2 ** (outages - 1), this.options.outageMaxBackoffMs);
          this.outageGoesOn(topic, partition, err, delay);
        } else {
          this.outageOver(topic, partition);
          outages = 0;
          failures++;
          if (err instanceof PermanentError || failures >= this.options.maxAttempts)
            return { outcome: 'failed', error: err, attempts: failures };
          retries.inc({ topic });
          delay = Math.min(this.options.retryBackoffMs * 2 ** (failures - 1), 30_000);
          this.logger.warn(
            `handler for ${topic} failed (attempt ${failures}), retrying in ${delay} ms: ${err.message}`,
          );
        }
        if (!this.running || this.membershipLost) return { outcome: 'abandoned' };
        await this.whileHeartbeating(heartbeat, topic, () => this.pause(delay));
        if (!this.running || this.membershipLost) return { outcome: 'abandoned' };
      }
    }
  }

  /** Records (and reports, at once and then every 30 s) that a handler waits for a dependency. */
  private outageGoesOn(topic: string, partition: number, error: Error, delay: number): void {
    const key = `${topic}@${partition}`;
    const now = Date.now();
    const wait = this.outages.get(key);
    if (!wait) {
      const log = new LastingFailureLog();
      log.failing(now);
      this.outages.set(key, { what: `handler for ${key}`, topic, since: now, error: error.message, log });
      waitingGauge.set({ topic }, 1);
      this.logger.warn(
        `handler for ${key} waits for an unavailable dependency, retrying until it answers ` +
          `(not counted as an attempt): ${error.message}`,
      );
      return;
    }
    wait.error = error.message;
    if (wait.log.failing(now)) {
      this.logger.warn(
        `handler for ${key} still waiting for a dependency after ${wait.log.seconds(now)} s ` +
          `(next try in ${delay} ms): ${error.message}`,
      );
    }
  }

  private outageOver(topic: string, partition: number): void {
    const key = `${topic}@${partition}`;
    const wait = this.outages.get(key);
    if (!wait) return;
    this.outages.delete(key);
    this.logger.log(
      `handler for ${key}: dependency answering again after ${Math.round((Date.now() - wait.since) / 1000)} s`,
    );
    if (![...this.outages.values()].some((w) => w.topic === topic)) waitingGauge.set({ topic }, 0);
  }

  /** The client crashed on an unreachable broker and restarts by itself: told at once, then every 30 s. */
  private brokerOutageGoesOn(error: Error): void {
    const now = Date.now();
    const what = `consumer group ${this.options.groupId}`;
    if (!this.brokerOutage) {
      this.brokerOutage = { what, since: now, error: error.message, log: new LastingFailureLog() };
    }
    this.brokerOutage.error = error.message;
    if (this.brokerOutage.log.failing(now)) {
      this.logger.warn(
        `${what} cannot reach the broker for ${this.brokerOutage.log.seconds(now)} s, ` +
          `restarting until it answers: ${error.message}`,
      );
    }
  }

  private brokerOutageOver(): void {
    const seconds = this.brokerOutage?.log.over();
    if (seconds === undefined) return;
    this.brokerOutage = undefined;
    this.logger.log(`consumer group ${this.options.groupId} back in its group after ${seconds} s`);
  }

  /** Waits before a retry; cut short by stop(). */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.pauses.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.pauses.add(wake);
    });
  }

  /** Runs work while sending heartbeats, so long handlers keep the group membership; watches for stalls. */
  private async whileHeartbeating<T>(
    heartbeat: () => Promise<void>,
    topic: string,
    work: () => Promise<T>,
  ): Promise<T> {
    const beat = setInterval(() => {
      heartbeat().catch((e: Error & { type?: string }) => {
        if (e.type && REBALANCE_ERRORS.has(e.type)) this.membershipLost = true;
        this.logger.warn(`heartbeat failed: ${e.message}`);
      });
    }, this.options.heartbeatIntervalMs);
    const stall = setTimeout(
      () =>
        this.onFatal(
          new Error(`handler for ${topic} stalled for more than ${this.options.handlerStallMs} ms`),
        ),
      this.options.handlerStallMs,
    );
    try {
      return await work();
    } finally {
      clearInterval(beat);
      clearTimeout(stall);
    }
  }

  private deadLetterInvalid(invalid: InvalidMessage, message: KafkaMessage): Promise<void> {
    return this.deadLetter(invalid, message, invalid.reason, describeFieldErrors(invalid.errors), 1);
  }

  private async deadLetter(
    origin: Pick<InboundMessage, 'topic' | 'partition' | 'offset' | 'key' | 'headers'>,
    message: KafkaMessage,
    reason: DeadLetterReason,
    error: string,
    attempts: number,
  ): Promise<void> {
    this.logger.warn(
      `dead-lettering ${origin.topic}@${origin.partition}:${origin.offset} (${reason}): ${error}`,
    );
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

type Outcome = 'done' | 'abandoned';

export interface DependencyWait {
  /** What waits: a handler (of a topic and partition) or the consumer itself. */
  what: string;
  /** The topic whose handler waits; none when the consumer itself does. */
  topic?: string;
  /** Epoch ms of the first failure of this outage. */
  since: number;
  /** The latest failure's message. */
  error: string;
}
type Decoded = { message: KafkaMessage } & ({ valid: InboundMessage } | { invalid: InvalidMessage });

/** Lets timers and I/O (health checks, heartbeats, HTTP) run before the next slice of work. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function acceptWith(schema: z.ZodType, value: unknown): Acceptance<unknown> {
  const parsed = schema.safeParse(value);
  return parsed.success
    ? { accepted: true, value: parsed.data, warnings: [] }
    : { accepted: false, errors: fieldErrors(parsed.error) };
}

function decodeHeaders(headers: KafkaMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.map(String).join(',') : value.toString();
  }
  return out;
}

import { allTopics, deadLetterTopicName, topicByName } from '@newsroom/contracts';
import { Kafka, KafkaMessage } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { EventPublisher, SerializedMessage } from './event-publisher';
import { physicalTopic } from './kafka-client';
import { deadLetterHeaders } from './message';

/**
 * Operations on dead-letter topics: list what they hold and replay records to their original
 * topic. Both read a topic only up to the high watermark it had when they started, so records
 * dead-lettered meanwhile (a replayed record failing again) are left for the next run and a
 * replay cannot loop. Dead-letter topics are append-only: a replay copies, it never deletes.
 */

/** Added to a replayed record: the dead letter it came from, `<dlq topic>:<partition>:<offset>`. */
export const replayedFromHeader = 'x-dlq-replayed-from';
/** Every header the runner and a replay set starts with this; a replayed record carries none but its own. */
const deadLetterHeaderPrefix = 'x-dlq-';
const UNKNOWN_REASON = 'unknown';

/** One record of a dead-letter topic. */
export interface DeadLetterRecord {
  /** Logical dead-letter topic (`interactions.raw.dlq`). */
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  /** The original record's value, byte for byte. */
  value: Buffer;
  headers: Record<string, string>;
}

export interface DeadLetterSummary {
  /** Logical dead-letter topic (`interactions.raw.dlq`). */
  topic: string;
  /** The topic whose dead letters these are (`interactions.raw`). */
  sourceTopic: string;
  count: number;
  /** Records per `x-dlq-reason` (`unknown` when the header is missing). */
  byReason: Record<string, number>;
  oldestFailedAt: string | null;
  newestFailedAt: string | null;
  records?: DeadLetterRecord[];
}

export interface DeadLetterFilter {
  /** Only records whose `x-dlq-reason` is this. */
  reason?: string;
  /** Only records whose `x-dlq-error` contains this text. */
  errorContains?: string;
}

export interface ReplayResult {
  /** Logical dead-letter topic replayed from. */
  topic: string;
  /** Records read, up to the high watermark at the start. */
  read: number;
  /** Records replayed (on a dry run: that would have been). */
  replayed: number;
  byReason: Record<string, number>;
  dryRun: boolean;
}

interface ReadOptions {
  /** The deployment's KAFKA_TOPIC_PREFIX. */
  topicPrefix: string;
  /** Give up when no record arrived for this long before every partition reached its end. */
  idleTimeoutMs?: number;
}

export interface ListDeadLettersOptions extends ReadOptions {
  /** Topics to list, as the original (`interactions.raw`) or dead-letter name; default: all. */
  topics?: string[];
  includeRecords?: boolean;
}

export interface ReplayDeadLettersOptions extends ReadOptions, DeadLetterFilter {
  /** The original (`interactions.raw`) or dead-letter (`interactions.raw.dlq`) topic name. */
  topic: string;
  /** Count what would be replayed, publish nothing. */
  dryRun?: boolean;
}

/** What a replay needs of a publisher; its topic prefix must be the one the records are read under. */
export type DeadLetterPublisher = Pick<EventPublisher, 'publishSerialized'>;

/** Every dead-letter topic that exists, read to its end as of the call, summarised. */
export async function listDeadLetters(
  kafka: Kafka,
  options: ListDeadLettersOptions,
): Promise<DeadLetterSummary[]> {
  const wanted = options.topics
    ? options.topics.map((name) => resolveDeadLetterTopic(name).sourceTopic)
    : allTopics.map((t) => t.name);
  const summaries = new Map(
    [...new Set(wanted)].map((source) => [deadLetterTopicName(source), emptySummary(source)]),
  );
  const present = await readDeadLetters(kafka, options, [...summaries.keys()], async (records) => {
    for (const record of records) {
      const summary = summaries.get(record.topic);
      if (!summary) continue;
      tallyDeadLetter(summary, record);
      if (options.includeRecords) (summary.records ??= []).push(record);
    }
  });
  return [...summaries.values()].filter((s) => present.has(s.topic));
}

/**
 * Re-publishes the dead letters of one topic that match the filter to their original topic, with
 * the original key, value and headers (the `x-dlq-*` ones replaced by `x-dlq-replayed-from`).
 * Consumers de-duplicate by eventId, so replaying a record twice stores it once.
 */
export async function replayDeadLetters(
  kafka: Kafka,
  publisher: DeadLetterPublisher,
  options: ReplayDeadLettersOptions,
): Promise<ReplayResult> {
  const { deadLetterTopic } = resolveDeadLetterTopic(options.topic);
  const result: ReplayResult = {
    topic: deadLetterTopic,
    read: 0,
    replayed: 0,
    byReason: {},
    dryRun: options.dryRun ?? false,
  };
  const present = await readDeadLetters(kafka, options, [deadLetterTopic], async (records) => {
    result.read += records.length;
    const matching = records.filter((r) => matchesFilter(r, options));
    // Checked before anything of the batch is sent: a bad header fails the run, not half a batch.
    const replays = matching.map(replayMessage);
    if (!result.dryRun) {
      for (const [topic, messages] of groupByTopic(replays))
        await publisher.publishSerialized(topic, messages);
    }
    for (const record of matching) countReason(result.byReason, deadLetterReason(record));
    result.replayed += matching.length;
  });
  if (!present.has(deadLetterTopic)) {
    throw new Error(`topic ${physicalTopic(options.topicPrefix, deadLetterTopic)} does not exist`);
  }
  return result;
}

/** Accepts a contract topic or its dead-letter topic; unknown names fail with the valid ones. */
export function resolveDeadLetterTopic(name: string): { sourceTopic: string; deadLetterTopic: string } {
  const source = allTopics.find((t) => t.name === name || deadLetterTopicName(t.name) === name);
  if (!source) {
    throw new Error(
      `unknown topic "${name}"; expected one of: ${allTopics.map((t) => t.name).join(', ')} (or the same with .dlq)`,
    );
  }
  return { sourceTopic: source.name, deadLetterTopic: deadLetterTopicName(source.name) };
}

export function deadLetterReason(record: DeadLetterRecord): string {
  return record.headers[deadLetterHeaders.reason] || UNKNOWN_REASON;
}

export function matchesFilter(record: DeadLetterRecord, filter: DeadLetterFilter): boolean {
  if (filter.reason !== undefined && deadLetterReason(record) !== filter.reason) return false;
  if (filter.errorContains !== undefined) {
    return (record.headers[deadLetterHeaders.error] ?? '').includes(filter.errorContains);
  }
  return true;
}

/** The record as it is sent again: to its original (logical) topic, with its own key, value and headers. */
export function replayMessage(record: DeadLetterRecord): { topic: string; message: SerializedMessage } {
  const topic = record.headers[deadLetterHeaders.topic] || resolveDeadLetterTopic(record.topic).sourceTopic;
  if (!topicByName(topic)) {
    throw new Error(
      `${record.topic}:${record.partition}:${record.offset}: ${deadLetterHeaders.topic} names no contract topic ("${topic}")`,
    );
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(record.headers)) {
    if (!name.startsWith(deadLetterHeaderPrefix)) headers[name] = value;
  }
  headers[replayedFromHeader] = `${record.topic}:${record.partition}:${record.offset}`;
  return { topic, message: { key: record.key, value: record.value, headers } };
}

export function emptySummary(sourceTopic: string): DeadLetterSummary {
  return {
    topic: deadLetterTopicName(sourceTopic),
    sourceTopic,
    count: 0,
    byReason: {},
    oldestFailedAt: null,
    newestFailedAt: null,
  };
}

/** Adds one record to a summary (in place: a topic's records are never all held for a count). */
export function tallyDeadLetter(summary: DeadLetterSummary, record: DeadLetterRecord): void {
  summary.count += 1;
  countReason(summary.byReason, deadLetterReason(record));
  const failedAt = record.headers[deadLetterHeaders.failedAt];
  const at = failedAt ? Date.parse(failedAt) : NaN;
  if (Number.isNaN(at)) return;
  if (summary.oldestFailedAt === null || at < Date.parse(summary.oldestFailedAt))
    summary.oldestFailedAt = failedAt;
  if (summary.newestFailedAt === null || at > Date.parse(summary.newestFailedAt))
    summary.newestFailedAt = failedAt;
}

export function decodeDeadLetter(topic: string, partition: number, message: KafkaMessage): DeadLetterRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.map(String).join(',') : value.toString();
  }
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key?.toString('utf8') ?? null,
    value: message.value ?? Buffer.alloc(0),
    headers,
  };
}

function countReason(counts: Record<string, number>, reason: string): void {
  counts[reason] = (counts[reason] ?? 0) + 1;
}

function groupByTopic(
  replays: { topic: string; message: SerializedMessage }[],
): Map<string, SerializedMessage[]> {
  const groups = new Map<string, SerializedMessage[]>();
  for (const { topic, message } of replays) {
    const group = groups.get(topic) ?? [];
    group.push(message);
    groups.set(topic, group);
  }
  return groups;
}

/**
 * Reads the given logical dead-letter topics that exist, from their start to the high watermark
 * captured first, handing over each fetched batch in offset order; returns the topics that exist.
 * A throwaway consumer group that commits nothing, so no service's position is touched.
 */
async function readDeadLetters(
  kafka: Kafka,
  { topicPrefix, idleTimeoutMs = 30_000 }: ReadOptions,
  logicalTopics: string[],
  onBatch: (records: DeadLetterRecord[]) => Promise<void>,
): Promise<Set<string>> {
  const logicalOf = new Map(logicalTopics.map((t) => [physicalTopic(topicPrefix, t), t]));
  // Partitions still to read, with the offset to stop before.
  const ends = new Map<string, bigint>();
  const toRead = new Set<string>();
  const admin = kafka.admin();
  await admin.connect();
  let present: string[];
  try {
    const existing = new Set(await admin.listTopics());
    present = [...logicalOf.keys()].filter((t) => existing.has(t));
    for (const topic of present) {
      for (const p of await admin.fetchTopicOffsets(topic)) {
        if (BigInt(p.high) <= BigInt(p.low)) continue;
        ends.set(`${topic}:${p.partition}`, BigInt(p.high));
        toRead.add(topic);
      }
    }
  } finally {
    await admin.disconnect();
  }
  const presentLogical = new Set(present.map((t) => logicalOf.get(t) as string));
  if (ends.size === 0) return presentLogical;

  const consumer = kafka.consumer({
    groupId: `newsroom-dlq-reader-${randomUUID()}`,
    maxWaitTimeInMs: 250,
    allowAutoTopicCreation: false,
  });
  await consumer.connect();
  let idle: NodeJS.Timeout | undefined;
  try {
    await consumer.subscribe({ topics: [...toRead], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      const fail = (error: Error) => {
        failed = true;
        reject(error);
      };
      const rearm = () => {
        clearTimeout(idle);
        idle = setTimeout(
          () =>
            fail(
              new Error(
                `no dead letters read for ${idleTimeoutMs} ms; unfinished: ${[...ends.keys()].join(', ')}`,
              ),
            ),
          idleTimeoutMs,
        );
      };
      rearm();
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const key = `${batch.topic}:${batch.partition}`;
            const end = ends.get(key);
            if (failed || end === undefined) return;
            // Progress: the idle deadline starts again after this batch, however long its replay takes.
            clearTimeout(idle);
            try {
              const records = batch.messages
                .filter((m) => BigInt(m.offset) < end)
                .map((m) => decodeDeadLetter(logicalOf.get(batch.topic) as string, batch.partition, m));
              if (records.length > 0) await onBatch(records);
            } catch (error) {
              // Not rethrown: the client would retry the batch and replay it twice.
              fail(error as Error);
              return;
            }
            // Judged by the batch's last offset, not its last record: control records leave gaps.
            if (BigInt(batch.lastOffset()) + 1n >= end) ends.delete(key);
            if (ends.size === 0) resolve();
            else rearm();
          },
        })
        .catch(fail);
    });
  } finally {
    clearTimeout(idle);
    await consumer.disconnect();
  }
  return presentLogical;
}

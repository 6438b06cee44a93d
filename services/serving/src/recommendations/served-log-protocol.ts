import type { KafkaSecurity } from '@newsroom/messaging';
/**
 * Served responses as the audit thread needs them, a batch in two strings: `keys`, their readers'
 * ids as a JSON array; `lines`, one line each (JSON never holds a raw newline): the 24-character
 * ISO time served, then the event's payload as JSON (the response body as sent, with the request
 * id in front). Two strings cross to the thread as one copy of their bytes each, where a tuple per
 * response cost the answering thread a structured clone of three objects per response.
 */
export interface ServedBatch {
  keys: string;
  lines: string;
}

/** Length of `Date.prototype.toISOString()` (years 0 to 9999), the start of each line. */
export const servedAtLength = 24;

export interface ServedLogWorkerData {
  brokers: string[];
  security: KafkaSecurity;
  clientId: string;
  topicPrefix: string;
  /** Records the thread keeps while Kafka is unreachable; older ones are dropped beyond it. */
  maxPending: number;
}

export type ServedLogRequest = { type: 'records'; batch: ServedBatch } | { type: 'stop' };

export type ServedLogReply =
  | { type: 'published'; count: number }
  | { type: 'dropped'; count: number }
  | { type: 'failed'; message: string }
  | { type: 'stopped' };

/** Builds a batch response by response on the answering thread: two strings appended to. */
export class ServedBatchWriter {
  private keys = '';
  private lines = '';
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(userId: string, servedAt: string, payloadJson: string): void {
    this.keys += (this.count === 0 ? '' : ',') + JSON.stringify(userId);
    this.lines += servedAt + payloadJson + '\n';
    this.count++;
  }

  /** The batch so far, and a fresh start; undefined when empty. */
  take(): ServedBatch | undefined {
    if (this.count === 0) return undefined;
    const batch = { keys: `[${this.keys}]`, lines: this.lines };
    this.keys = '';
    this.lines = '';
    this.count = 0;
    return batch;
  }
}

/** A served response on the audit thread: its reader's id, the time served, the payload as JSON. */
export type ServedRecord = [userId: string, at: string, payloadJson: string];

/** A batch's responses, in the order they were recorded. */
export function readServedBatch({ keys, lines }: ServedBatch): ServedRecord[] {
  const userIds = JSON.parse(keys) as string[];
  let start = 0;
  return userIds.map((userId) => {
    const end = lines.indexOf('\n', start);
    const record: ServedRecord = [
      userId,
      lines.slice(start, start + servedAtLength),
      lines.slice(start + servedAtLength, end),
    ];
    start = end + 1;
    return record;
  });
}

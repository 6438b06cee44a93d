import type { KafkaSecurity } from '@newsroom/messaging';
/**
 * One served response as the audit thread needs it: the key (userId), when, and the event's
 * payload already as JSON — the response body as sent, with the request id in front. Strings
 * cross to the thread as a copy of their bytes, and nothing is serialised twice.
 */
export type ServedRecord = [userId: string, at: string, payloadJson: string];

export interface ServedLogWorkerData {
  brokers: string[];
  security: KafkaSecurity;
  clientId: string;
  topicPrefix: string;
  /** Records the thread keeps while Kafka is unreachable; older ones are dropped beyond it. */
  maxPending: number;
}

export type ServedLogRequest = { type: 'records'; records: ServedRecord[] } | { type: 'stop' };

export type ServedLogReply =
  | { type: 'published'; count: number }
  | { type: 'dropped'; count: number }
  | { type: 'failed'; message: string }
  | { type: 'stopped' };

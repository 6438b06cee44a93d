import { ServingResponse } from '@newsroom/contracts';

/** One served response as the audit thread needs it. */
export interface ServedRecord {
  requestId: string;
  at: string;
  response: ServingResponse;
}

export interface ServedLogWorkerData {
  brokers: string[];
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

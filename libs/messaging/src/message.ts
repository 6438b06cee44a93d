import { FieldError, FieldWarning } from '@newsroom/contracts';

/** What handlers see of a consumed record; the broker client's own types stay inside this lib. */
export interface InboundMessage<V = unknown> {
  /** Logical topic name, as in libs/contracts (without the deployment's prefix). */
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: V;
  headers: Record<string, string>;
  timestamp: string;
  /** 1 on first delivery to the handler, then 2, 3… while it is retried. */
  attempt: number;
  /** Raw topics: optional attributes dropped or unknown fields ignored when the record was accepted. */
  warnings: FieldWarning[];
}

/** A record that could not be decoded or failed its contract, with the reasons. */
export interface InvalidMessage extends Omit<InboundMessage<never>, 'value' | 'attempt' | 'warnings'> {
  /** The record's value as received (UTF-8). */
  raw: string;
  reason: 'undecodable' | 'schema-invalid';
  errors: FieldError[];
}

/** The valid records of one fetched batch of one partition, in offset order. */
export interface MessageBatch<V = unknown> {
  topic: string;
  partition: number;
  messages: InboundMessage<V>[];
  /** Invalid records of the batch, when the subscription asked for them (`deliverInvalid`). */
  invalid: InvalidMessage[];
  attempt: number;
}

export interface OutboundMessage<V = unknown> {
  key: string;
  value: V;
  headers?: Record<string, string>;
}

/** Throw from a handler for input that can never succeed: it goes to the DLQ without retries. */
export class PermanentError extends Error {
  override readonly name = 'PermanentError';
}

/** Headers set on a dead-lettered message, naming where it came from and why it failed. */
export const deadLetterHeaders = {
  topic: 'x-dlq-original-topic',
  partition: 'x-dlq-original-partition',
  offset: 'x-dlq-original-offset',
  reason: 'x-dlq-reason',
  error: 'x-dlq-error',
  attempts: 'x-dlq-attempts',
  failedAt: 'x-dlq-failed-at',
  consumerGroup: 'x-dlq-consumer-group',
} as const;

export type DeadLetterReason = 'undecodable' | 'schema-invalid' | 'handler-failed';

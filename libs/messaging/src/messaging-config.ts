import { env } from '@newsroom/config';
import { z } from 'zod';
import { KafkaSecurity, kafkaSecurity, kafkaSecurityEnv } from './kafka-security';

/** Environment variables of every service that talks to Kafka. */
export const messagingEnv = {
  KAFKA_BROKERS: env.list('127.0.0.1:9092'),
  ...kafkaSecurityEnv,
  KAFKA_CLIENT_ID: z.string().min(1).optional(),
  KAFKA_GROUP_ID: z.string().min(1).optional(),
  /** Prepended to every topic name; lets tests and tenants share a cluster. */
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9._-]*$/, 'expected letters, digits, ".", "_" or "-"')
    .default(''),
  KAFKA_SESSION_TIMEOUT_MS: env.positiveInt(30_000),
  KAFKA_HEARTBEAT_INTERVAL_MS: env.positiveInt(3_000),
  KAFKA_HANDLER_MAX_ATTEMPTS: env.positiveInt(5),
  KAFKA_RETRY_BACKOFF_MS: env.positiveInt(200),
  /** Longest pause between retries while a dependency (database, broker) is unavailable. */
  KAFKA_OUTAGE_MAX_BACKOFF_MS: env.positiveInt(5_000),
  /** A handler running longer than this is considered stuck: the process exits for a restart. */
  KAFKA_HANDLER_STALL_MS: env.positiveInt(300_000),
  KAFKA_PARTITIONS_CONSUMED_CONCURRENTLY: env.positiveInt(1),
  TOPIC_PARTITIONS: env.positiveInt(6),
  TOPIC_REPLICATION_FACTOR: env.positiveInt(1),
  TOPIC_RETENTION_MS: z.coerce
    .number()
    .int()
    .min(-1)
    .default(7 * 24 * 3600 * 1000),
};
export type MessagingEnv = z.infer<z.ZodObject<typeof messagingEnv>>;

export interface MessagingOptions {
  brokers: string[];
  /** TLS and SASL, when the brokers ask for them. */
  security: KafkaSecurity;
  clientId: string;
  groupId: string;
  topicPrefix: string;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  maxAttempts: number;
  retryBackoffMs: number;
  outageMaxBackoffMs: number;
  handlerStallMs: number;
  partitionsConsumedConcurrently: number;
  topics: TopicSettings;
  /** Write the broker client's debug lines (LOG_LEVEL debug or trace). */
  debug: boolean;
}

export interface TopicSettings {
  partitions: number;
  replicationFactor: number;
  retentionMs: number;
}

export function messagingOptions(
  service: string,
  config: MessagingEnv & { LOG_LEVEL?: string },
): MessagingOptions {
  return {
    brokers: config.KAFKA_BROKERS,
    security: kafkaSecurity(config),
    clientId: config.KAFKA_CLIENT_ID ?? service,
    groupId: config.KAFKA_GROUP_ID ?? service,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    heartbeatIntervalMs: config.KAFKA_HEARTBEAT_INTERVAL_MS,
    maxAttempts: config.KAFKA_HANDLER_MAX_ATTEMPTS,
    retryBackoffMs: config.KAFKA_RETRY_BACKOFF_MS,
    outageMaxBackoffMs: config.KAFKA_OUTAGE_MAX_BACKOFF_MS,
    handlerStallMs: config.KAFKA_HANDLER_STALL_MS,
    partitionsConsumedConcurrently: config.KAFKA_PARTITIONS_CONSUMED_CONCURRENTLY,
    topics: {
      partitions: config.TOPIC_PARTITIONS,
      replicationFactor: config.TOPIC_REPLICATION_FACTOR,
      retentionMs: config.TOPIC_RETENTION_MS,
    },
    debug: config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace',
  };
}

import { Kafka, logLevel } from 'kafkajs';
import { MessagingOptions } from './messaging-config';

/** The one place that constructs the broker client; swap the client here and in the runner/publisher. */
export function createKafka(options: Pick<MessagingOptions, 'brokers' | 'clientId'>): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: logLevel.WARN,
    connectionTimeout: 3_000,
    retry: { initialRetryTime: 200, retries: 8 },
  });
}

export function physicalTopic(prefix: string, logical: string): string {
  return `${prefix}${logical}`;
}

export function logicalTopic(prefix: string, physical: string): string {
  return prefix && physical.startsWith(prefix) ? physical.slice(prefix.length) : physical;
}

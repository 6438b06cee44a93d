import { Kafka, LogEntry, logLevel } from 'kafkajs';
import { MessagingOptions } from './messaging-config';

/** The one place that constructs the broker client; swap the client here and in the runner/publisher. */
export function createKafka(options: Pick<MessagingOptions, 'brokers' | 'clientId'>): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: logLevel.WARN,
    logCreator: () => writeLog,
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

// Known, accepted warnings: the idempotent producer's bounded retries (we prefer a failed, retried
// publish to one that hangs forever) and the v2 partitioner notice (we start on the v2 partitioner).
const quiet = [/Limiting retries for the idempotent producer/, /switched default partitioner/];

function writeLog({ namespace, level, log }: LogEntry): void {
  const { message, ...extra } = log;
  if (quiet.some((pattern) => pattern.test(message))) return;
  const entry = {
    level: level === logLevel.ERROR ? 50 : 40,
    time: log.timestamp,
    logger: `kafkajs.${namespace}`,
    msg: message,
    ...extra,
  };
  process.stderr.write(JSON.stringify(entry) + '\n');
}

import { Kafka, LogEntry, SASLOptions, logLevel } from 'kafkajs';
import { KafkaSecurity } from './kafka-security';
import { MessagingOptions } from './messaging-config';

/**
 * The one place that constructs the broker client; swap the client here and in the runner/publisher.
 * `debug`: also write the broker's transient answers that kafkajs logs as errors and then retries.
 */
export function createKafka(
  options: Pick<MessagingOptions, 'brokers' | 'clientId'> & {
    /** Required, so that no client connects in plain text by omission; `{}` for none. */
    security: KafkaSecurity;
    debug?: boolean;
    /** Tests that take the broker away on purpose: its absence is no news. */
    quiet?: boolean;
  },
): Kafka {
  const write = writeLog(options.debug ?? false);
  const { ssl, sasl } = options.security;
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    // With `ca`, only that CA is trusted; without it, Node's own list. The host name is checked.
    ssl: ssl ? (ssl.ca ? { ca: [ssl.ca] } : true) : undefined,
    // One object per mechanism in kafkajs' types; ours carries the same fields for all three.
    sasl: sasl as SASLOptions | undefined,
    logLevel: options.quiet ? logLevel.NOTHING : logLevel.WARN,
    logCreator: () => write,
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

/**
 * kafkajs logs every error answer of the broker at error level, also those it then retries: a
 * coordinator still loading or not yet elected, a leader election. At start-up (a broker just
 * started, a new consumer group) these are normal and pass by themselves, so they are debug lines;
 * if they never pass, the request fails and that failure is reported where it is handled.
 * So are the error-level answers that a consumer group is rebalancing (a replica joined or left):
 * kafkajs's table marks them not retriable, yet its consumer answers them by rejoining (its
 * `isRebalancing`); its own warning that it rejoins stays a warning, so a rebalance is still seen.
 */
const { errorCodes } = require('kafkajs/src/protocol/error') as {
  errorCodes: { type: string; message: string; retriable: boolean }[];
};
const rebalancingTypes = new Set([
  'REBALANCE_IN_PROGRESS',
  'NOT_COORDINATOR_FOR_GROUP',
  'ILLEGAL_GENERATION',
]);
const retriedAnswers = errorCodes.filter((e) => e.retriable).map((e) => e.message);
const rebalancingAnswers = errorCodes.filter((e) => rebalancingTypes.has(e.type)).map((e) => e.message);
/** "Response Fetch(…)" with the answer in `error`, or "Failed to send messages: <answer>". */
const answers = (list: string[], message: string, error: unknown) =>
  list.some((answer) => error === answer || message.endsWith(answer));
const isTransientAnswer = (level: logLevel, message: string, error: unknown) =>
  answers(retriedAnswers, message, error) ||
  (level === logLevel.ERROR && answers(rebalancingAnswers, message, error));

const writeLog =
  (debug: boolean) =>
  ({ namespace, level, log }: LogEntry): void => {
    const { message, ...extra } = log;
    if (quiet.some((pattern) => pattern.test(message))) return;
    const transient = isTransientAnswer(level, message, extra['error']);
    if (transient && !debug) return;
    const entry = {
      level: transient ? 20 : level === logLevel.ERROR ? 50 : 40,
      time: log.timestamp,
      logger: `kafkajs.${namespace}`,
      msg: message,
      ...extra,
    };
    process.stderr.write(JSON.stringify(entry) + '\n');
  };

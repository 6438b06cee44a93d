/**
 * Tells a failure of the moment — a database or broker refused, reset, timed out, restarting, a
 * serialization failure or a deadlock — from a failure of the record. The first is retried for as
 * long as it lasts and never dead-letters anything; only the second counts towards the attempts
 * after which a record goes to its dead-letter topic.
 *
 * Errors are recognised by shape (errno codes, SQLSTATE codes, kafkajs' `retriable` flag and class
 * names, the pg pool's messages), so this lib needs neither the pg driver nor TypeORM.
 */

/** Throw (or wrap a cause in) this from a handler when what failed was a dependency, not the record. */
export class DependencyUnavailableError extends Error {
  override readonly name = 'DependencyUnavailableError';
}

/** Socket and DNS failures: the other side is down, restarting or unreachable. */
const networkErrnos = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/** SQLSTATE codes of a database that is unavailable or asks for a retry. */
const transientSqlStates = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, in recovery)
  '53000', // insufficient_resources
  '53100', // disk_full
  '53200', // out_of_memory
  '53300', // too_many_connections
  '58000', // system_error
  '58030', // io_error
]);

/** The pg driver's and pool's own messages for a connection that is gone or never came. */
const connectionMessages = [
  /timeout exceeded when trying to connect/i,
  /Connection terminated/i,
  /Client has encountered a connection error/i,
  /Client was closed and is not queryable/i,
  /Connection is not open/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /terminating connection due to administrator command/i,
  // TypeORM's, for a transaction whose connection died under it.
  /Query runner already released/i,
];

/** kafkajs errors that mean the cluster is (for now) unreachable or busy. */
const kafkaOutages = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSLockTimeout',
  'KafkaJSTimeout',
  'KafkaJSNumberOfRetriesExceeded',
]);

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  retriable?: unknown;
  cause?: unknown;
  originalError?: unknown;
  driverError?: unknown;
  errors?: unknown;
}

function isOutageItself(error: ErrorShape): boolean {
  if (error.name === 'DependencyUnavailableError') return true;
  const code = typeof error.code === 'string' ? error.code : undefined;
  if (code && (networkErrnos.has(code) || transientSqlStates.has(code) || code.startsWith('08'))) return true;
  if (typeof error.name === 'string' && error.name.startsWith('KafkaJS')) {
    if (kafkaOutages.has(error.name) || error.retriable === true) return true;
  }
  const message = typeof error.message === 'string' ? error.message : '';
  return connectionMessages.some((pattern) => pattern.test(message));
}

/**
 * True when `error`, or an error it wraps (`cause`, kafkajs' `originalError`, TypeORM's
 * `driverError`, an AggregateError's `errors`), says a dependency is unavailable.
 */
export function isDependencyOutage(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 5) return false;
  const shape = error as ErrorShape;
  if (isOutageItself(shape)) return true;
  const wrapped = [shape.cause, shape.originalError, shape.driverError];
  if (Array.isArray(shape.errors)) wrapped.push(...shape.errors);
  return wrapped.some((inner) => inner !== error && isDependencyOutage(inner, depth + 1));
}

/** kafkajs errors that mean no broker answered: the connection failed, closed or timed out. */
const brokerConnectionErrors = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSMetadataNotLoaded',
]);
/** Broker answers that mean it is (re)starting or electing: it will serve again by itself. */
const brokerStartingAnswers = new Set([
  'COORDINATOR_NOT_AVAILABLE',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'NOT_COORDINATOR',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
  'BROKER_NOT_AVAILABLE',
  'REQUEST_TIMED_OUT',
  'NETWORK_EXCEPTION',
]);

/**
 * True when a Kafka client's failure is the broker's absence — no connection, or a broker still
 * starting — judged by the errors it wraps, never by kafkajs' retry wrapper
 * (`KafkaJSNumberOfRetriesExceeded`), which also wraps a handler's own failures. A missing topic or
 * a refused write is not an absence: those do not go away by waiting.
 */
export function isBrokerUnreachable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 5) return false;
  const shape = error as ErrorShape & { type?: unknown };
  if (typeof shape.name === 'string' && brokerConnectionErrors.has(shape.name)) return true;
  if (typeof shape.code === 'string' && networkErrnos.has(shape.code)) return true;
  if (typeof shape.type === 'string' && brokerStartingAnswers.has(shape.type)) return true;
  return [shape.cause, shape.originalError].some(
    (inner) => inner !== error && isBrokerUnreachable(inner, depth + 1),
  );
}

/**
 * Runs `work` until it succeeds or fails for another reason than an outage; while a dependency is
 * unavailable it waits (1 s, doubling to 10 s) and tries again, `onWait` told of each wait. A
 * `signal` ends the waiting (shutdown) with the last outage error.
 */
export async function retryWhileOutage<T>(
  work: () => Promise<T>,
  { signal, onWait }: { signal?: AbortSignal; onWait?: (error: Error, delayMs: number) => void } = {},
): Promise<T> {
  for (let failures = 0; ; failures++) {
    try {
      return await work();
    } catch (error) {
      if (!isDependencyOutage(error) || signal?.aborted) throw error;
      const delay = Math.min(1_000 * 2 ** failures, 10_000);
      onWait?.(error as Error, delay);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, delay);
        function done() {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          resolve();
        }
        signal?.addEventListener('abort', done);
      });
    }
  }
}

/**
 * When to tell of a failure that may last (an outage): at once, then at most every `everyMs`, and
 * once more when it ends, with how long it lasted — so a long outage is a few log lines, not one
 * per retry.
 */
export class LastingFailureLog {
  private since?: number;
  private toldAt = 0;

  constructor(private readonly everyMs = 30_000) {}

  /** Notes a failure; whether to tell of it now. */
  failing(now = Date.now()): boolean {
    const first = this.since === undefined;
    this.since ??= now;
    if (!first && now - this.toldAt < this.everyMs) return false;
    this.toldAt = now;
    return true;
  }

  /** Seconds since the failures began (0 when none is going on). */
  seconds(now = Date.now()): number {
    return this.since === undefined ? 0 : Math.round((now - this.since) / 1000);
  }

  /** Notes a success: the seconds the failure lasted, or undefined when none was going on. */
  over(now = Date.now()): number | undefined {
    if (this.since === undefined) return undefined;
    const seconds = this.seconds(now);
    this.since = undefined;
    return seconds;
  }
}

import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import { PermanentError } from './message';
import {
  DependencyUnavailableError,
  LastingFailureLog,
  isBrokerUnreachable,
  isDependencyOutage,
} from './dependency-outage';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isDependencyOutage', () => {
  it.each([
    ['a refused connection', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['a reset connection', withCode('read ECONNRESET', 'ECONNRESET')],
    ['a database shutting down', withCode('terminating connection due to administrator command', '57P01')],
    ['a database starting up', withCode('the database system is starting up', '57P03')],
    ['a connection exception', withCode('connection failure', '08006')],
    ['a serialization failure', withCode('could not serialize access', '40001')],
    ['a deadlock', withCode('deadlock detected', '40P01')],
    ['too many connections', withCode('sorry, too many clients already', '53300')],
    ['a pool that cannot connect in time', new Error('timeout exceeded when trying to connect')],
    ['a connection that ended', new Error('Connection terminated unexpectedly')],
    ['a broker that cannot be reached', new KafkaJSConnectionError('Connection error: connect ECONNREFUSED')],
    [
      'a broker error kafkajs retries',
      new KafkaJSProtocolError({
        message: 'There is no leader for this topic-partition',
        type: 'LEADER_NOT_AVAILABLE',
        code: 5,
        retriable: true,
      } as never),
    ],
    ['a handler saying so', new DependencyUnavailableError('the artifact store is not mounted')],
  ])('recognises %s', (_what, error) => {
    expect(isDependencyOutage(error)).toBe(true);
  });

  it('looks into what an error wraps: TypeORM, kafkajs retries, causes, aggregates', () => {
    const refused = withCode('connect ECONNREFUSED', 'ECONNREFUSED');
    expect(isDependencyOutage(Object.assign(new Error('query failed'), { driverError: refused }))).toBe(true);
    expect(
      isDependencyOutage(
        new KafkaJSNumberOfRetriesExceeded(new KafkaJSConnectionError('down'), { retryCount: 5 } as never),
      ),
    ).toBe(true);
    expect(isDependencyOutage(new Error('wrapped', { cause: refused }))).toBe(true);
    expect(isDependencyOutage(new AggregateError([new Error('x'), refused]))).toBe(true);
  });

  it.each([
    ['a constraint the record violates', withCode('duplicate key value violates unique constraint', '23505')],
    ['a value the column refuses', withCode('value too long for type character varying(10)', '22001')],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a permanent error', new PermanentError('no such article')],
    [
      'a broker refusing the record',
      new KafkaJSProtocolError({
        message: 'The request included a message larger than the max message size',
        type: 'MESSAGE_TOO_LARGE',
        code: 10,
        retriable: false,
      } as never),
    ],
    ['not an error at all', 'ECONNREFUSED'],
  ])('does not take %s for an outage', (_what, error) => {
    expect(isDependencyOutage(error)).toBe(false);
  });
});

describe('LastingFailureLog', () => {
  it('tells of a failure at once, then at most every interval, and how long it lasted when over', () => {
    const log = new LastingFailureLog(30_000);
    expect(log.over(0)).toBeUndefined();
    expect(log.failing(1_000)).toBe(true);
    expect(log.failing(2_000)).toBe(false);
    expect(log.failing(30_999)).toBe(false);
    expect(log.failing(31_000)).toBe(true);
    expect(log.seconds(41_000)).toBe(40);
    expect(log.over(46_000)).toBe(45);
    expect(log.seconds(50_000)).toBe(0);
    // A new outage is told of at once.
    expect(log.failing(50_000)).toBe(true);
  });
});

describe('isBrokerUnreachable (a consumer crash that waiting cures)', () => {
  const protocolError = (type: string, retriable: boolean) =>
    new KafkaJSProtocolError({ message: type, type, code: 0, retriable } as never);
  const retried = (cause: Error) => new KafkaJSNumberOfRetriesExceeded(cause, { retryCount: 8 } as never);

  it.each([
    ['no connection, after the retries', retried(new KafkaJSConnectionError('connect ECONNREFUSED'))],
    ['a socket error', withCode('read ECONNRESET', 'ECONNRESET')],
    ['a coordinator still loading', retried(protocolError('COORDINATOR_LOAD_IN_PROGRESS', true))],
    ['no leader yet', protocolError('LEADER_NOT_AVAILABLE', true)],
  ])('says yes to %s', (_what, error) => {
    expect(isBrokerUnreachable(error)).toBe(true);
  });

  it.each([
    ['a handler failing, after the retries', retried(new Error('cannot read properties of undefined'))],
    ['a dead-letter topic that does not exist', retried(protocolError('UNKNOWN_TOPIC_OR_PARTITION', true))],
    ['a refused write', protocolError('TOPIC_AUTHORIZATION_FAILED', false)],
    ['the retry wrapper alone', retried(new Error('boom'))],
  ])('says no to %s', (_what, error) => {
    expect(isBrokerUnreachable(error)).toBe(false);
  });
});

import { allTopics, topicExamples } from '@newsroom/contracts';
import { TestTopics, createTestTopics } from '@newsroom/messaging/testing';
import { schemaDataSourceOptions } from '@newsroom/persistence';
import {
  PrivatePostgres,
  ServiceProcess,
  startPrivatePostgres,
  startService,
  uniqueName,
  waitFor,
} from '@newsroom/testing';
import { Client } from 'pg';

const POOL_SIZE = 3;
const REQUEST_TIMEOUT_MS = 3_000;
/** 10× the pool, at once, in each wave. */
const CONCURRENT = 10 * POOL_SIZE;
/** Reads per request: a real batch, one transaction of two multi-row inserts (warehouse and outbox). */
const BATCH = 50;
/**
 * How late past the timeout an answer may come: the 503 is sent by a timer on the event loop, which
 * 30 requests' bodies (parsed and validated on that loop) may delay on a shared 2-core machine.
 */
const MARGIN_MS = 2_500;
/** How long a request waits for a pooled connection before giving up (libs/persistence). */
const POOL_WAIT_MS = (
  schemaDataSourceOptions({ url: 'postgres://unused', schema: 'unused' }).extra as {
    connectionTimeoutMillis: number;
  }
).connectionTimeoutMillis;
/** The stall: past the HTTP timeout and past the pool's wait, so that both give up during it. */
const STALL_MS = POOL_WAIT_MS + 1_000;
const PRODUCER_KEY = 'pool-squeeze-producer-key-0123';
/** The service's pool, by the application_name the platform gives it (the service's name). */
const POOL_APPLICATION = 'ingestion';

interface Answer {
  status: number | 'no answer';
  retryAfter: string | null;
  ms: number;
  eventIds: string[];
  error?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * Scenario 8: a connection-pool squeeze on ingestion's POST /v1/interactions, a route that holds a
 * pooled connection for its whole transaction. With DB_POOL_SIZE 3 and HTTP_REQUEST_TIMEOUT_MS
 * 2000, waves of 30 concurrent batch requests — on a free database, during a 6 s stall, and as the
 * stalled work drains — each get an answer within the timeout (plus a margin): 202, or 503 with
 * Retry-After; never a socket error, a hang or a 500. A request's reads are stored all or none,
 * every 202's all. Afterwards the service holds no more connections than its pool plus what a quiet
 * service holds besides it, none checked out (all POOL_SIZE can be taken at once again), and it
 * answers 202 to a normal request.
 *
 * On a free database these transactions take milliseconds: the pool is exceeded (30 want 3) but
 * only briefly. To make requests hold their connections past the timeout, the test takes the lock a
 * `CREATE INDEX` without CONCURRENTLY holds on the table for its whole build (SHARE: reads go on,
 * inserts wait) — an operator's index build during traffic, a real way for a pool to fill up.
 * Nothing of the service is stubbed: its own inserts wait, holding its own connections, and the
 * requests behind them wait for the pool. On a private server, so that every session of the role
 * is the service's or the test's.
 */
describe('connection-pool squeeze: 10× the pool in concurrent requests', () => {
  let postgres: PrivatePostgres;
  let topics: TestTopics;
  let service: ServiceProcess;
  let db: Client;
  const schema = uniqueName('warehouse');
  const sent: Answer[] = [];
  let sequence = 0;

  beforeAll(async () => {
    [postgres, topics] = await Promise.all([startPrivatePostgres(), createTestTopics(allTopics, 1)]);
    db = new Client({ connectionString: postgres.url, application_name: 'pool-squeeze-test' });
    await db.connect();
    service = await startService(
      'ingestion',
      {
        DATABASE_URL: postgres.url,
        DB_SCHEMA: schema,
        DB_POOL_SIZE: String(POOL_SIZE),
        HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
        KAFKA_TOPIC_PREFIX: topics.prefix,
        KAFKA_GROUP_ID: `${topics.prefix}ingestion`,
        INGESTION_API_KEYS: `producer:${PRODUCER_KEY}`,
      },
      { readyTimeoutMs: 45_000 },
    );
  }, 90_000);

  afterAll(async () => {
    await service?.stop();
    await db?.end();
    await postgres?.destroy();
    await topics?.remove();
  }, 60_000);

  /** The service's sessions (and the lock holder's), with what each is doing. */
  const sessions = async () =>
    (
      await db.query<{ application_name: string; state: string; wait_event_type: string | null }>(
        `SELECT application_name, state, wait_event_type FROM pg_stat_activity
          WHERE usename = current_user AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
      )
    ).rows;
  const countBy = (rows: { application_name: string }[]) =>
    rows.reduce<Record<string, number>>(
      (counts, row) => ({ ...counts, [row.application_name]: (counts[row.application_name] ?? 0) + 1 }),
      {},
    );
  /** Pool connections inside a statement or a transaction: checked out by a request. */
  const busyPoolSessions = async () =>
    (await sessions()).filter((s) => s.application_name === POOL_APPLICATION && s.state !== 'idle');
  const allPoolWaitingOnTheLock = async () =>
    (await busyPoolSessions()).filter((s) => s.wait_event_type === 'Lock').length === POOL_SIZE;

  /** One batch request of new reads, timed. */
  const post = async (): Promise<Answer> => {
    const eventIds = Array.from({ length: BATCH }, () => `squeeze-${process.pid}-${++sequence}`);
    const items = eventIds.map((eventId, i) => ({
      ...topicExamples.interactionsRaw.value,
      eventId,
      userId: `reader-${i % 7}`,
    }));
    const started = Date.now();
    let answer: Answer;
    try {
      const response = await fetch(`${service.url}/v1/interactions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': PRODUCER_KEY },
        body: JSON.stringify({ items }),
        // Past this it is a hang, not a late answer: the test must end either way.
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS * 5),
      });
      await response.arrayBuffer();
      answer = {
        status: response.status,
        retryAfter: response.headers.get('retry-after'),
        ms: Date.now() - started,
        eventIds,
      };
    } catch (error) {
      answer = {
        status: 'no answer',
        retryAfter: null,
        ms: Date.now() - started,
        eventIds,
        error: String(error),
      };
    }
    sent.push(answer);
    return answer;
  };
  const wave = () => Promise.all(Array.from({ length: CONCURRENT }, post));
  /** What every answer of a wave must be: 202, or 503 with a Retry-After; in time. */
  const expectAnsweredInTime = (name: string, answers: Answer[]) => {
    const wrong = answers
      .filter(
        (a) =>
          !(a.status === 202 || (a.status === 503 && /^\d+$/.test(a.retryAfter ?? ''))) ||
          a.ms > REQUEST_TIMEOUT_MS + MARGIN_MS,
      )
      .map(({ eventIds: _eventIds, ...rest }) => rest);
    expect({ wave: name, answers: answers.length, wrong }).toEqual({
      wave: name,
      answers: CONCURRENT,
      wrong: [],
    });
  };
  const tally = (answers: Answer[]) =>
    `${answers.filter((a) => a.status === 202).length}×202 ${answers.filter((a) => a.status === 503).length}×503, ` +
    `slowest ${Math.max(...answers.map((a) => a.ms))} ms`;

  /** Takes the lock an index build without CONCURRENTLY holds, on a connection of its own. */
  const lockTable = async () => {
    const holder = new Client({
      connectionString: postgres.url,
      application_name: 'pool-squeeze-index-build',
    });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query(`LOCK TABLE "${schema}".interactions IN SHARE MODE`);
    return async () => {
      await holder.query('ROLLBACK');
      await holder.end();
    };
  };

  it('answers every request with 202 or 503 in time, leaks no connection, and serves normally after', async () => {
    const figures: string[] = [];
    // What a quiet service holds besides its pool (the relay thread's pool, its LISTEN connection),
    // once it has taken a request and relayed its events: the relay thread starts after readiness.
    expect((await post()).status).toBe(202);
    await waitFor('the first request relayed', async () => {
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM "${schema}".outbox WHERE published_at IS NULL`,
      );
      return rows[0].n === 0;
    });
    const quiet = countBy((await sessions()).filter((s) => s.application_name !== POOL_APPLICATION));

    // Wave 1, a free database: 30 transactions want 3 connections.
    const free = await wave();
    expectAnsweredInTime('free database', free);
    figures.push(`free database: ${tally(free)}`);

    // Wave 2, the table locked for STALL_MS: the first POOL_SIZE requests take every connection
    // and wait on the lock, the rest wait for a connection. All are answered 503 at the timeout;
    // those waiting for a connection then give up at POOL_WAIT_MS, still inside the stall.
    const stallStarted = Date.now();
    const unlock = await lockTable();
    let stalled: Answer[];
    try {
      const answers = wave();
      await waitFor(`all ${POOL_SIZE} pool connections waiting on the lock`, allPoolWaitingOnTheLock, {
        timeoutMs: REQUEST_TIMEOUT_MS,
        intervalMs: 50,
      });
      stalled = await answers;
      await sleep(stallStarted + STALL_MS - Date.now()); // the stall under test
    } finally {
      await unlock();
    }
    expectAnsweredInTime('stalled', stalled);
    // Nothing could be stored while the lock was held: every one is the timeout's 503.
    expect(stalled.map((a) => a.status)).toEqual(Array(CONCURRENT).fill(503));
    figures.push(`stalled ${STALL_MS} ms: ${tally(stalled)}`);

    // Wave 3, the moment the lock goes, while the stalled transactions finish.
    const draining = await wave();
    expectAnsweredInTime('draining', draining);
    figures.push(`draining: ${tally(draining)}`);

    // No connection left checked out: the pool settles with none in use, at most its size, and
    // the relay's and LISTEN connections as they were.
    const settled = await waitFor(
      'the pool to settle',
      async () => {
        const now = await sessions();
        return now.some((s) => s.application_name === POOL_APPLICATION && s.state !== 'idle')
          ? undefined
          : now;
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    const after = countBy(settled);
    const { [POOL_APPLICATION]: pool = 0, ...besidesPool } = after;
    expect(pool).toBeLessThanOrEqual(POOL_SIZE);
    expect(besidesPool).toEqual(quiet);

    // All POOL_SIZE connections can be checked out at once again: none leaked to an abandoned request.
    const unlockAgain = await lockTable();
    const full = Promise.all(Array.from({ length: POOL_SIZE }, post));
    try {
      await waitFor(`all ${POOL_SIZE} pool connections checked out again`, allPoolWaitingOnTheLock, {
        timeoutMs: REQUEST_TIMEOUT_MS / 2,
        intervalMs: 20,
      });
    } finally {
      await unlockAgain();
    }
    expect((await full).map((a) => a.status)).toEqual(Array(POOL_SIZE).fill(202));

    // A normal request afterwards; the service never exited.
    expect((await post()).status).toBe(202);
    expect(service.process.exitCode).toBeNull();

    // Each request's reads stored all or none (one transaction), every 202's all; a 503's may have
    // been stored after its answer ("its work may still complete") or not.
    const { rows } = await db.query<{ event_id: string }>(`SELECT event_id FROM "${schema}".interactions`);
    const stored = new Set(rows.map((r) => r.event_id));
    const storedOf = (a: Answer) => a.eventIds.filter((id) => stored.has(id)).length;
    expect(sent.filter((a) => a.status === 202 && storedOf(a) !== BATCH)).toEqual([]);
    expect(sent.filter((a) => storedOf(a) !== 0 && storedOf(a) !== BATCH)).toEqual([]);
    const completedAfter503 = sent.filter((a) => a.status === 503 && storedOf(a) === BATCH).length;

    process.stdout.write(
      `pool squeeze: pool ${POOL_SIZE}, waves of ${CONCURRENT} concurrent requests of ${BATCH} reads, ` +
        `timeout ${REQUEST_TIMEOUT_MS} ms; ${figures.join('; ')}; ${completedAfter503} of the 503'd ` +
        `requests completed after their answer; service connections quiet ${JSON.stringify(quiet)} + pool, ` +
        `settled ${JSON.stringify(after)}; ${sent.length} requests, ${stored.size} reads stored\n`,
    );
  }, 90_000);
});

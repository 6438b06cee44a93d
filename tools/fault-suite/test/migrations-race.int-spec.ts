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
  workspaceRoot,
} from '@newsroom/testing';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { MigrationInterface } from 'typeorm';

const REPLICAS = 3;
const PRODUCER_KEY = 'migrations-race-producer-key-0123';
/** ingestion: the fewest migrations; monitoring: the most, and start-up work of its own in its schema. */
const SERVICES = ['ingestion', 'monitoring'] as const;

/**
 * The migrations a service defines, by the name TypeORM records: read from its
 * `src/migrations/index.ts` (a tool may not import a service) and each migration's file, after the
 * outbox and inbox migration libs/persistence adds to every schema.
 */
function definedMigrations(service: string): string[] {
  const dir = join(workspaceRoot, 'services', service, 'src/migrations');
  const index = readFileSync(join(dir, 'index.ts'), 'utf8');
  const files = new Map(
    [...index.matchAll(/import \{ (\w+) \} from '\.\/([^']+)';/g)].map(([, name, file]) => [name, file]),
  );
  const list = /export const migrations = \[([^\]]*)\]/.exec(index)?.[1];
  if (!list) throw new Error(`no "export const migrations = [...]" in ${dir}/index.ts`);
  const own = list
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean)
    .map((className) => {
      const file = files.get(className);
      if (!file) throw new Error(`${className} is not imported from a file in ${dir}/index.ts`);
      const source = readFileSync(join(dir, `${file}.ts`), 'utf8');
      // TypeORM records a migration's `name` property, or its class name when it has none.
      return (
        new RegExp(`class ${className}\\b[^{]*\\{\\s*(?:public\\s+)?name\\s*=\\s*'([^']+)'`).exec(
          source,
        )?.[1] ?? className
      );
    });
  const shared = (
    schemaDataSourceOptions({ url: 'postgres://unused', schema: 'unused' })
      .migrations as (new () => MigrationInterface)[]
  ).map((migration) => new migration().name ?? migration.name);
  return [...shared, ...own];
}

/** Log lines at error level or above (pino: 50 error, 60 fatal), and anything that is not a log line. */
function errorLines(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .filter((line) => {
      try {
        return (JSON.parse(line) as { level?: number }).level! >= 50;
      } catch {
        // A stack trace or a message written past the logger.
        return true;
      }
    });
}

/**
 * Scenario 6: three replicas of a service started at the same moment on a fresh schema, for the
 * service with the fewest migrations and the one with the most. The advisory lock around the
 * migrations (libs/persistence/src/migrate.ts) must make one replica migrate while the others
 * wait and then find nothing to do: all become ready, every migration the service defines is
 * recorded exactly once, no replica logs an error, and the replicas then share the schema (one
 * read posted to all three at once is stored once).
 *
 * Processes started together on two cores reach their migrations a second or more apart, and
 * two migrations take 100 ms: left alone they would not race at all (they pass with the lock
 * removed). So the test makes them meet: its own transaction creates each schema and stays open,
 * which holds every replica's `CREATE SCHEMA IF NOT EXISTS` (the first statement of migrating)
 * — or, with the lock working, the first replica there and the others behind it on the lock —
 * until all of them are waiting; then it rolls back, and the schema is still fresh (it never
 * existed) when they go. On a private server, so that every waiting session is one of theirs.
 */
describe('three replicas starting at once on a fresh schema', () => {
  const schemas = Object.fromEntries(SERVICES.map((s) => [s, uniqueName(`race_${s}`)])) as Record<
    (typeof SERVICES)[number],
    string
  >;
  const replicas: Record<string, ServiceProcess[]> = {};
  let postgres: PrivatePostgres;
  let topics: TestTopics;
  let artifactDir: string;
  let db: Client;
  /** Holds the barrier's transaction (pg_stat_activity is read outside it: inside, it is a snapshot). */
  let barrier: Client;

  beforeAll(async () => {
    [postgres, topics, artifactDir] = await Promise.all([
      startPrivatePostgres(),
      createTestTopics(allTopics, 1),
      mkdtemp(join(tmpdir(), 'migrations-race-')),
    ]);
    [db, barrier] = [
      new Client({ connectionString: postgres.url }),
      new Client({ connectionString: postgres.url }),
    ];
    await Promise.all([db.connect(), barrier.connect()]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(
      Object.values(replicas)
        .flat()
        .map((replica) => replica.stop()),
    );
    await Promise.all([db?.end(), barrier?.end()]);
    await postgres?.destroy();
    await topics?.remove();
    if (artifactDir) await rm(artifactDir, { recursive: true, force: true });
  }, 60_000);

  it('applies each migration once, all replicas ready and silent, and they share the schema', async () => {
    const started = Date.now();
    // The barrier: the schemas created in a transaction left open (see above).
    await barrier.query('BEGIN');
    for (const schema of Object.values(schemas)) await barrier.query(`CREATE SCHEMA "${schema}"`);
    const starting = SERVICES.flatMap((service) =>
      Array.from({ length: REPLICAS }, () =>
        startService(
          service,
          {
            DATABASE_URL: postgres.url,
            DB_SCHEMA: schemas[service],
            DB_MIGRATE_ON_START: 'true',
            KAFKA_TOPIC_PREFIX: topics.prefix,
            KAFKA_GROUP_ID: `${topics.prefix}${service}`,
            ARTIFACT_STORE_DIR: artifactDir,
            INGESTION_API_KEYS: `producer:${PRODUCER_KEY}`,
          },
          { readyTimeoutMs: 90_000 },
        ).then((replica) => {
          (replicas[service] ??= []).push(replica);
          return replica;
        }),
      ),
    );
    // Keeps a replica that fails to start from being an unhandled rejection while we wait.
    const allStarted = Promise.all(starting);
    allStarted.catch(() => undefined);
    let waiting: { application_name: string; n: number }[] = [];
    try {
      await waitFor(
        `all ${REPLICAS} replicas of each service waiting to migrate`,
        async () => {
          ({ rows: waiting } = await db.query(
            `SELECT application_name, count(*)::int AS n FROM pg_stat_activity
              WHERE wait_event_type = 'Lock' AND application_name = ANY($1::text[])
              GROUP BY application_name ORDER BY application_name`,
            [[...SERVICES]],
          ));
          return waiting.length === SERVICES.length && waiting.every((w) => w.n === REPLICAS);
        },
        { timeoutMs: 45_000, intervalMs: 50 },
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}; waiting: ${JSON.stringify(waiting)}`);
    } finally {
      await barrier.query('ROLLBACK');
    }
    const barrierMs = Date.now() - started;
    await allStarted;
    const startMs = Date.now() - started;

    const figures: string[] = [];
    for (const service of SERVICES) {
      const expected = definedMigrations(service);
      const { rows: recorded } = await db.query<{ name: string; times: number }>(
        `SELECT name, count(*)::int AS times FROM "${schemas[service]}".migrations GROUP BY name ORDER BY name`,
      );
      expect({ service, recorded }).toEqual({
        service,
        recorded: [...expected].sort().map((name) => ({ name, times: 1 })),
      });
      expect(replicas[service]).toHaveLength(REPLICAS);
      for (const replica of replicas[service]) {
        expect({ service, exit: replica.process.exitCode, errors: errorLines(replica.output()) }).toEqual({
          service,
          exit: null,
          errors: [],
        });
      }
      figures.push(`${service} ${recorded.length}/${expected.length} migrations recorded once`);
    }

    // The same read posted to every ingestion replica at once: the shared table stores it once.
    const read = { ...topicExamples.interactionsRaw.value, eventId: uniqueName('race-read') };
    const answers = await Promise.all(
      replicas['ingestion'].map(async (replica) => {
        const response = await fetch(`${replica.url}/v1/interactions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': PRODUCER_KEY },
          body: JSON.stringify(read),
        });
        return { status: response.status, body: (await response.json()) as { accepted: number } };
      }),
    );
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
    expect(answers.map((a) => a.body.accepted).sort()).toEqual([0, 0, 1]);
    const warehouse = `"${schemas.ingestion}"`;
    const { rows: stored } = await db.query(
      `SELECT (SELECT count(*)::int FROM ${warehouse}.interactions WHERE event_id = $1) AS interactions,
              (SELECT count(*)::int FROM ${warehouse}.outbox WHERE value LIKE '%' || $1 || '%') AS outbox`,
      [read.eventId],
    );
    expect(stored).toEqual([{ interactions: 1, outbox: 1 }]);

    process.stdout.write(
      `migrations race: ${SERVICES.length * REPLICAS} replicas (${REPLICAS} per service) all waiting to migrate ` +
        `after ${barrierMs} ms, all ready ${startMs - barrierMs} ms after release; ` +
        `${figures.join(', ')}; one read posted to ${REPLICAS} replicas stored ${stored[0].interactions}×\n`,
    );
  }, 90_000);
});

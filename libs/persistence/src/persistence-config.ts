import { env } from '@newsroom/config';

/** Environment variables of every service that owns a PostgreSQL schema. */
export const persistenceEnv = {
  DATABASE_URL: env.url('postgres://newsroom:newsroom@127.0.0.1:5432/newsroom'),
  /** Overrides the service's own schema name (tests use a throwaway one each). */
  DB_SCHEMA: env.identifier().optional(),
  DB_POOL_SIZE: env.positiveInt(10),
  /** Run pending migrations at start-up (under an advisory lock, so replicas can start together). */
  DB_MIGRATE_ON_START: env.boolean(true),
  /** Pause between relay batches while outbox rows keep coming. */
  OUTBOX_POLL_INTERVAL_MS: env.positiveInt(50),
  /** An idle relay waits for a commit's notification, and looks anyway after this long. */
  OUTBOX_IDLE_POLL_MS: env.positiveInt(2_000),
  OUTBOX_BATCH_SIZE: env.positiveInt(5_000),
  /** Run the outbox relay in a worker thread (in the built service), beside the consumers and HTTP. */
  OUTBOX_RELAY_THREAD: env.boolean(true),
  /** Published outbox rows are kept this long for audit, then deleted. */
  OUTBOX_KEEP_PUBLISHED_MS: env.positiveInt(24 * 3600 * 1000),
  /** Inbox entries (handled event ids) are kept this long: longer than any topic's retention. */
  INBOX_KEEP_MS: env.positiveInt(14 * 24 * 3600 * 1000),
};

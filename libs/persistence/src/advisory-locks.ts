import { DataSource, EntityManager } from 'typeorm';
import { advisoryLockKey } from './data-source';

/**
 * PostgreSQL advisory locks by name (hashed with advisoryLockKey), in the three ways services need
 * them: wait for a session lock, try one, or take one for the rest of a transaction. A session lock
 * lives on a connection of its own, released (and the connection returned) whatever `work` does.
 */
export async function withAdvisoryLock<T>(
  dataSource: DataSource,
  name: string,
  work: () => Promise<T>,
): Promise<T> {
  return (await sessionLock(dataSource, name, 'pg_advisory_lock', work)) as T;
}

/** Runs `work` if no one holds the lock, else returns `undefined` at once. */
export function tryWithAdvisoryLock<T>(
  dataSource: DataSource,
  name: string,
  work: () => Promise<T>,
): Promise<T | undefined> {
  return sessionLock(dataSource, name, 'pg_try_advisory_lock', work);
}

/** Takes the lock for the rest of the caller's transaction, waiting for it if someone holds it. */
export async function advisoryXactLock(manager: EntityManager, name: string): Promise<void> {
  await manager.query('SELECT pg_advisory_xact_lock($1)', [advisoryLockKey(name)]);
}

/** Takes the lock for the rest of the caller's transaction if it is free; false if someone holds it. */
export async function tryAdvisoryXactLock(manager: EntityManager, name: string): Promise<boolean> {
  const [{ locked }] = await manager.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [
    advisoryLockKey(name),
  ]);
  return locked;
}

/**
 * Locks one key per id (`namespace:id`) for the rest of the caller's transaction, in sorted order:
 * every writer taking them this way locks a shared set of ids in the same order, so they never
 * deadlock on each other.
 */
export async function advisoryXactLocks(
  manager: EntityManager,
  namespace: string,
  ids: readonly string[],
): Promise<void> {
  if (ids.length === 0) return;
  await manager.query(
    `SELECT pg_advisory_xact_lock(hashtext($1 || ':' || id)) FROM unnest($2::text[]) WITH ORDINALITY AS t(id, n) ORDER BY n`,
    [namespace, [...new Set(ids)].sort()],
  );
}

async function sessionLock<T>(
  dataSource: DataSource,
  name: string,
  lockFunction: 'pg_advisory_lock' | 'pg_try_advisory_lock',
  work: () => Promise<T>,
): Promise<T | undefined> {
  const key = advisoryLockKey(name);
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    const [row] = await runner.query(`SELECT ${lockFunction}($1) AS locked`, [key]);
    if (row.locked === false) return undefined;
    try {
      return await work();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [key]);
    }
  } finally {
    await runner.release();
  }
}

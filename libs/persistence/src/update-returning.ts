import { DataSource, EntityManager } from 'typeorm';

/**
 * The rows of an `UPDATE … RETURNING` (or `DELETE … RETURNING`): TypeORM's PostgreSQL driver
 * answers those with `[rows, affected count]`, unlike SELECT and INSERT, which give the rows.
 */
export async function updateReturning<T = Record<string, unknown>>(
  runner: DataSource | EntityManager,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const [rows]: [T[], number] = await runner.query(sql, params);
  return rows;
}

import { DataSource, Migration } from 'typeorm';
import { advisoryLockKey, quoteIdent, schemaOf } from './data-source';

/**
 * Creates the schema if needed and runs pending migrations, holding a PostgreSQL advisory lock for
 * the schema meanwhile: when several replicas start at once, one migrates and the others wait,
 * then find nothing left to do.
 */
export async function migrateSchema(dataSource: DataSource): Promise<Migration[]> {
  const schema = schemaOf(dataSource);
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [advisoryLockKey(`migrations:${schema}`)]);
    try {
      await runner.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
      return await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [advisoryLockKey(`migrations:${schema}`)]);
    }
  } finally {
    await runner.release();
  }
}

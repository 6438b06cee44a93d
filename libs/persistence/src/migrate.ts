import { DataSource, Migration } from 'typeorm';
import { withAdvisoryLock } from './advisory-locks';
import { quoteIdent, schemaOf } from './data-source';

/**
 * Creates the schema if needed and runs pending migrations, holding a PostgreSQL advisory lock for
 * the schema meanwhile: when several replicas start at once, one migrates and the others wait,
 * then find nothing left to do.
 */
export async function migrateSchema(dataSource: DataSource): Promise<Migration[]> {
  const schema = schemaOf(dataSource);
  return withAdvisoryLock(dataSource, `migrations:${schema}`, async () => {
    await dataSource.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    return dataSource.runMigrations({ transaction: 'each' });
  });
}

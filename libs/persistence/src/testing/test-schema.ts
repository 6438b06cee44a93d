import { testServers, uniqueName } from '@newsroom/testing';
import { DataSource } from 'typeorm';
import { SchemaDataSourceOptions, createSchemaDataSource, quoteIdent } from '../data-source';
import { migrateSchema } from '../migrate';

export interface TestSchema {
  schema: string;
  dataSource: DataSource;
  /** Drops the schema and closes the connections. */
  drop(): Promise<void>;
}

/** A throwaway schema with the given migrations (and the outbox/inbox) applied, on the real server. */
export async function createTestSchema(options: Partial<SchemaDataSourceOptions> = {}): Promise<TestSchema> {
  const schema = uniqueName('test');
  const dataSource = createSchemaDataSource({
    url: testServers().databaseUrl,
    schema,
    poolSize: 5,
    ...options,
  });
  await dataSource.initialize();
  await migrateSchema(dataSource);
  return {
    schema,
    dataSource,
    drop: async () => {
      await dataSource.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
      await dataSource.destroy();
    },
  };
}

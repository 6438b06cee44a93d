import { createHash } from 'node:crypto';
import { DataSource, DataSourceOptions, MixedList } from 'typeorm';
import { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { CreateOutboxAndInbox1732406400000 } from './migrations/1732406400000-create-outbox-and-inbox';

export interface SchemaDataSourceOptions {
  url: string;
  schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities?: MixedList<Function | string>;
  /** The service's own migrations; the outbox and inbox tables are added to every schema. */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations?: Function[];
  poolSize?: number;
  applicationName?: string;
}

/** A DataSource bound to one service's schema. Schema changes only ever come from migrations. */
export function schemaDataSourceOptions(options: SchemaDataSourceOptions): PostgresConnectionOptions {
  return {
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: options.entities ?? [],
    migrations: [CreateOutboxAndInbox1732406400000, ...(options.migrations ?? [])],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    poolSize: options.poolSize ?? 10,
    applicationName: options.applicationName,
    extra: { connectionTimeoutMillis: 5_000 },
  };
}

export function createSchemaDataSource(options: SchemaDataSourceOptions): DataSource {
  return new DataSource(schemaDataSourceOptions(options) as DataSourceOptions);
}

export function schemaOf(dataSource: DataSource): string {
  const schema = (dataSource.options as PostgresConnectionOptions).schema;
  if (!schema) throw new Error('DataSource has no schema: every service owns one');
  return schema;
}

/** The DataSource's schema, quoted for SQL: `${quotedSchema(ds)}.outbox`. */
export function quotedSchema(dataSource: DataSource): string {
  return quoteIdent(schemaOf(dataSource));
}

/** A stable 64-bit PostgreSQL advisory-lock key for a name (e.g. `migrations:<schema>`). */
export function advisoryLockKey(name: string): string {
  return BigInt.asIntN(
    64,
    BigInt('0x' + createHash('sha256').update(name).digest('hex').slice(0, 16)),
  ).toString();
}

/** Quotes a schema name for SQL; schema names are validated identifiers, quoting is belt and braces. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

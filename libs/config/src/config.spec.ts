import { z } from 'zod';
import { ConfigError, env, loadConfig } from './config';

const schema = z.object({
  PORT: env.port(3000),
  KAFKA_BROKERS: env.list('localhost:9092'),
  DATABASE_URL: env.url(),
  DB_SCHEMA: env.identifier().default('ingestion'),
  METRICS_ENABLED: env.boolean(true),
});

describe('loadConfig', () => {
  it('applies defaults and coerces values', () => {
    const config = loadConfig(schema, { DATABASE_URL: 'postgres://u:p@localhost:5432/db', PORT: '8080' });
    expect(config).toEqual({
      PORT: 8080,
      KAFKA_BROKERS: ['localhost:9092'],
      DATABASE_URL: 'postgres://u:p@localhost:5432/db',
      DB_SCHEMA: 'ingestion',
      METRICS_ENABLED: true,
    });
  });

  it('names every bad variable in one error', () => {
    let error: unknown;
    try {
      loadConfig(schema, { PORT: 'eighty', DB_SCHEMA: 'Robert); DROP', METRICS_ENABLED: 'maybe' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const variables = (error as ConfigError).problems.map((p) => p.variable).sort();
    expect(variables).toEqual(['DATABASE_URL', 'DB_SCHEMA', 'METRICS_ENABLED', 'PORT']);
    expect((error as Error).message).toContain('PORT:');
  });

  it('rejects an empty list', () => {
    expect(() => loadConfig(schema, { DATABASE_URL: 'postgres://x/y', KAFKA_BROKERS: ' , ' })).toThrow(
      /KAFKA_BROKERS/,
    );
  });
});

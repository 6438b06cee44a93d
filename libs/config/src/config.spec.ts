import { z } from 'zod';
import { ConfigError, apiKeyDigest, env, loadConfig } from './config';

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

describe('env.apiKeys', () => {
  const keys = z.object({ KEYS: env.apiKeys('KEYS') });
  const digest = 'a'.repeat(64);

  it('keeps names and SHA-256 digests only: hashed entries as given, plain keys hashed', () => {
    const { KEYS } = loadConfig(keys, {
      KEYS: ` ops:sha256:${digest.toUpperCase()} , desk:plain-key-0123456789`,
    });
    expect(KEYS).toEqual([
      { name: 'ops', sha256: digest },
      { name: 'desk', sha256: apiKeyDigest('plain-key-0123456789') },
    ]);
    expect(apiKeyDigest('plain-key-0123456789')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is empty when unset', () => {
    expect(loadConfig(keys, {}).KEYS).toEqual([]);
  });

  it.each([
    ['no-colon-at-all-SECRET-0123456789', 'entry 1 is not name:sha256:<64 hex digits> or name:<key>'],
    [':nameless-SECRET-0123456789', 'entry 1 is not name:sha256:<64 hex digits> or name:<key>'],
    ['ok:long-enough-key-0123456789,short:SECRET', 'entry 2: the key is shorter than 16 characters'],
    ['cut:sha256:SECRET123', 'entry 1: sha256: must be followed by 64 hex digits'],
    ['SECRET-written-first-0123456789:tiny', 'entry 1: the key is shorter than 16 characters'],
  ])('names what is wrong with %s by position, never echoing the entry', (value, message) => {
    expect(() => loadConfig(keys, { KEYS: value })).toThrow(message);
    try {
      loadConfig(keys, { KEYS: value });
    } catch (error) {
      expect((error as Error).message).not.toContain('SECRET');
    }
  });
});

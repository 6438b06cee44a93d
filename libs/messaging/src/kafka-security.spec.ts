import { ConfigError, loadConfig } from '@newsroom/config';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { kafkaSecurity, kafkaSecurityEnv } from './kafka-security';

const security = (vars: Record<string, string>) =>
  kafkaSecurity(loadConfig(z.object(kafkaSecurityEnv), vars));
const problemsOf = (vars: Record<string, string>) => {
  try {
    security(vars);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => p.variable);
    throw error;
  }
  return [];
};

describe('kafkaSecurity', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kafka-security-'));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');

  it('asks for nothing by default: a laptop broker is plain', () => {
    expect(security({})).toEqual({});
  });

  it('reads the CA file at start-up and turns TLS on with it', () => {
    expect(security({ KAFKA_SSL_CA_FILE: caFile }).ssl?.ca).toContain('BEGIN CERTIFICATE');
    expect(security({ KAFKA_SSL: 'true' })).toEqual({ ssl: {} });
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    expect(security({ KAFKA_SSL_CA: pem })).toEqual({ ssl: { ca: pem } });
    expect(problemsOf({ KAFKA_SSL_CA: pem, KAFKA_SSL_CA_FILE: caFile })).toEqual(['KAFKA_SSL_CA']);
  });

  it('names a CA file that is missing or not PEM', () => {
    expect(problemsOf({ KAFKA_SSL_CA_FILE: join(dir, 'missing.pem') })).toEqual(['KAFKA_SSL_CA_FILE']);
    const notPem = join(dir, 'key.txt');
    writeFileSync(notPem, 'secret');
    expect(problemsOf({ KAFKA_SSL_CA_FILE: notPem })).toEqual(['KAFKA_SSL_CA_FILE']);
  });

  it('takes SCRAM credentials over TLS', () => {
    expect(
      security({
        KAFKA_SSL_CA_FILE: caFile,
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'ingestion',
        KAFKA_SASL_PASSWORD: 'p',
      }).sasl,
    ).toEqual({ mechanism: 'scram-sha-512', username: 'ingestion', password: 'p' });
  });

  it('refuses half a SASL configuration, and SASL without TLS, naming each variable', () => {
    expect(problemsOf({ KAFKA_SASL_MECHANISM: 'scram-sha-256' })).toEqual([
      'KAFKA_SASL_USERNAME',
      'KAFKA_SASL_PASSWORD',
      'KAFKA_SSL',
    ]);
    expect(problemsOf({ KAFKA_SSL: 'true', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' })).toEqual([
      'KAFKA_SASL_MECHANISM',
    ]);
    expect(problemsOf({ KAFKA_SASL_MECHANISM: 'gssapi' })).toEqual(['KAFKA_SASL_MECHANISM']);
  });
});

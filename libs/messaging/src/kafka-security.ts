import { ConfigError, env } from '@newsroom/config';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * How a client proves who it is to the brokers and keeps its traffic private: TLS (with the CA that
 * signed the brokers' certificates) and SASL (SCRAM or PLAIN, one principal per service). Plain
 * data, so that it crosses to worker threads (outbox relay, served log) as it is.
 */
export interface KafkaSecurity {
  /** TLS to the brokers; `ca` replaces the system's trusted CAs when given (PEM). */
  ssl?: { ca?: string };
  sasl?: { mechanism: KafkaSaslMechanism; username: string; password: string };
}

export const kafkaSaslMechanisms = ['scram-sha-512', 'scram-sha-256', 'plain'] as const;
export type KafkaSaslMechanism = (typeof kafkaSaslMechanisms)[number];

/** Environment variables of the broker connection's security (all optional: a laptop needs none). */
export const kafkaSecurityEnv = {
  /** TLS to the brokers, trusting the system's CAs unless KAFKA_SSL_CA_FILE names one. */
  KAFKA_SSL: env.boolean(false),
  /** A PEM file with the CA of the brokers' certificates; implies KAFKA_SSL. */
  KAFKA_SSL_CA_FILE: z.string().min(1).optional(),
  /** The same CA as PEM text (from a Kubernetes Secret, say), instead of a file. */
  KAFKA_SSL_CA: z
    .string()
    .refine((pem) => pem.includes('-----BEGIN CERTIFICATE-----'), 'expected a PEM certificate')
    .optional(),
  KAFKA_SASL_MECHANISM: z.enum(kafkaSaslMechanisms).optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
};
export type KafkaSecurityEnv = z.infer<z.ZodObject<typeof kafkaSecurityEnv>>;

/**
 * The security settings from validated variables. Reads the CA file now, so that a wrong path fails
 * at start-up naming the variable, not at the first connection. SASL without TLS is refused: SCRAM
 * keeps the password off the wire, but every record would still travel in clear.
 */
export function kafkaSecurity(config: KafkaSecurityEnv): KafkaSecurity {
  const problems: { variable: string; message: string }[] = [];
  const security: KafkaSecurity = {};
  if (config.KAFKA_SSL_CA_FILE && config.KAFKA_SSL_CA)
    problems.push({ variable: 'KAFKA_SSL_CA', message: 'set KAFKA_SSL_CA or KAFKA_SSL_CA_FILE, not both' });
  if (config.KAFKA_SSL || config.KAFKA_SSL_CA_FILE || config.KAFKA_SSL_CA) {
    security.ssl = config.KAFKA_SSL_CA ? { ca: config.KAFKA_SSL_CA } : {};
    if (config.KAFKA_SSL_CA_FILE) {
      try {
        security.ssl.ca = readFileSync(config.KAFKA_SSL_CA_FILE, 'utf8');
        if (!security.ssl.ca.includes('-----BEGIN CERTIFICATE-----'))
          problems.push({ variable: 'KAFKA_SSL_CA_FILE', message: 'expected a PEM certificate' });
      } catch (error) {
        problems.push({ variable: 'KAFKA_SSL_CA_FILE', message: (error as Error).message });
      }
    }
  }
  const {
    KAFKA_SASL_MECHANISM: mechanism,
    KAFKA_SASL_USERNAME: username,
    KAFKA_SASL_PASSWORD: password,
  } = config;
  if (mechanism) {
    if (!username) problems.push({ variable: 'KAFKA_SASL_USERNAME', message: `needed by ${mechanism}` });
    if (!password) problems.push({ variable: 'KAFKA_SASL_PASSWORD', message: `needed by ${mechanism}` });
    if (!security.ssl)
      problems.push({
        variable: 'KAFKA_SSL',
        message: 'SASL needs TLS: set KAFKA_SSL=true, KAFKA_SSL_CA_FILE or KAFKA_SSL_CA',
      });
    if (username && password) security.sasl = { mechanism, username, password };
  } else if (username || password) {
    problems.push({
      variable: 'KAFKA_SASL_MECHANISM',
      message: `needed with KAFKA_SASL_USERNAME/PASSWORD: one of ${kafkaSaslMechanisms.join(', ')}`,
    });
  }
  if (problems.length) throw new ConfigError(problems);
  return security;
}

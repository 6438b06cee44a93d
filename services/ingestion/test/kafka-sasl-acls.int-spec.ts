import { allTopics, topicExamples } from '@newsroom/contracts';
import { applyAcls, ensureTopics, planAcls, planTopics } from '@newsroom/messaging';
import { PrivateKafka, startPrivateKafka } from '@newsroom/messaging/testing';
import { ServiceProcess, startService, testServers, uniqueName, waitFor } from '@newsroom/testing';
import { Kafka, logLevel } from 'kafkajs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

const PRODUCER_KEY = 'sasl-producer-key-0123456789';
const passwords = { ingestion: 'ingestion-secret-1', 'feature-store': 'feature-store-secret-1' };

/** The first cause in a kafkajs error chain that carries a broker error type. */
const brokerErrorType = (error: unknown): string | undefined => {
  for (let e = error as { type?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e)
    if (e.type) return e.type;
  return undefined;
};

/**
 * The production Kafka profile: a broker with only a SASL_SSL listener (SCRAM-SHA-512 over TLS),
 * deny-by-default ACLs from `planAcls` (what `ops acls apply` creates), and ingestion and the
 * feature store each as its own principal. Reads go through both services, relay threads included,
 * and a principal is refused what its catalog entry does not give it.
 */
describe('ingestion and the feature store on a broker with SCRAM, TLS and per-service ACLs', () => {
  let broker: PrivateKafka;
  let admin: Kafka;
  let artifactDir: string;
  const services: ServiceProcess[] = [];
  const schemas = { ingestion: uniqueName('warehouse'), featureStore: uniqueName('features') };
  const serviceEnv = (user: keyof typeof passwords) => ({
    KAFKA_BROKERS: broker.brokers,
    KAFKA_SSL_CA_FILE: broker.caFile!,
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    KAFKA_SASL_USERNAME: user,
    KAFKA_SASL_PASSWORD: passwords[user],
  });

  beforeAll(async () => {
    broker = await startPrivateKafka({ secure: { users: passwords } });
    admin = broker.client('acl-test-admin');
    await ensureTopics(
      admin,
      planTopics(allTopics, { partitions: 1, replicationFactor: 1, retentionMs: 3_600_000 }),
    );
    await applyAcls(admin, planAcls(allTopics));
    artifactDir = await mkdtemp(join(tmpdir(), 'kafka-sasl-artifacts-'));
  }, 180_000);

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    const db = new Client({ connectionString: testServers().databaseUrl });
    await db.connect();
    for (const schema of Object.values(schemas)) await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.end();
    await broker?.destroy();
    if (artifactDir) await rm(artifactDir, { recursive: true, force: true });
  });

  it('carries a read from ingestion to the feature store, each service as its own principal', async () => {
    // Each kept as soon as it is up, so that afterAll stops it even if the other failed.
    const kept = (service: ServiceProcess) => (services.push(service), service);
    const started = await Promise.allSettled([
      startService('ingestion', {
        ...serviceEnv('ingestion'),
        DB_SCHEMA: schemas.ingestion,
        INGESTION_API_KEYS: `producer:${PRODUCER_KEY}`,
      }).then(kept),
      startService('feature-store', {
        ...serviceEnv('feature-store'),
        DB_SCHEMA: schemas.featureStore,
        ARTIFACT_STORE_DIR: artifactDir,
      }).then(kept),
    ]);
    const [ingestion] = started.map((result) => {
      if (result.status === 'rejected') throw result.reason;
      return result.value;
    });
    const eventId = uniqueName('sasl-read');
    const response = await fetch(`${ingestion.url}/v1/interactions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': PRODUCER_KEY },
      body: JSON.stringify({ ...topicExamples.interactionsRaw.value, eventId }),
    });
    expect(response.status).toBe(202);

    const db = new Client({ connectionString: testServers().databaseUrl });
    await db.connect();
    try {
      // Ingestion's relay thread published it, the feature store's consumer group read it.
      await waitFor(
        'the read in the feature store',
        async () =>
          (
            await db.query(
              `SELECT count(*)::int AS n FROM "${schemas.featureStore}".interaction_log WHERE event_id = $1`,
              [eventId],
            )
          ).rows[0].n === 1,
        { timeoutMs: 60_000, intervalMs: 250 },
      );
    } finally {
      await db.end();
    }
    // Every consumer group joined and every publisher wrote: the catalog's ACLs were enough.
    for (const service of services)
      expect(service.output()).not.toMatch(/AUTHORIZATION_FAILED|not authorized/i);
  });

  it("refuses a principal another service's topics, and a client without the right password or TLS", async () => {
    const ingestion = broker.client('acl-test-ingestion', 'ingestion');
    const producer = ingestion.producer();
    await producer.connect();
    try {
      const refused = await producer
        .send({ topic: 'model.promoted', messages: [{ key: 'v1', value: '{}' }] })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(brokerErrorType(refused)).toBe('TOPIC_AUTHORIZATION_FAILED');
      // Its own topic, through the same connection: the refusal above was the ACL, not the link.
      await producer.send({ topic: 'service.vitals', messages: [{ key: 'test', value: '{}' }] });
    } finally {
      await producer.disconnect();
    }

    const ingestionAdmin = ingestion.admin();
    await ingestionAdmin.connect();
    try {
      // Not even described: the registry's topics are none of ingestion's business.
      const refused = await ingestionAdmin.fetchTopicOffsets('model.promoted').then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(brokerErrorType(refused)).toBe('TOPIC_AUTHORIZATION_FAILED');
    } finally {
      await ingestionAdmin.disconnect();
    }

    const wrongPassword = new Kafka({
      clientId: 'acl-test-intruder',
      brokers: [broker.brokers],
      ssl: { ca: [broker.security().ssl!.ca!] },
      sasl: { mechanism: 'scram-sha-512', username: 'ingestion', password: 'guessed' },
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    }).admin();
    await expect(wrongPassword.connect()).rejects.toThrow(/SASL SCRAM SHA512 authentication failed/i);

    const plain = new Kafka({
      clientId: 'acl-test-plain',
      brokers: [broker.brokers],
      connectionTimeout: 2_000,
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    }).admin();
    await expect(plain.connect()).rejects.toThrow();
  });
});

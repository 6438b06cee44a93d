import { allTopics, topicExamples } from '@newsroom/contracts';
import { TestTopics, createTestTopics } from '@newsroom/messaging/testing';
import {
  PrivatePostgres,
  ServiceProcess,
  startPrivatePostgres,
  startService,
  uniqueName,
  waitFor,
} from '@newsroom/testing';
import { readFileSync } from 'node:fs';
import { Client } from 'pg';

const PRODUCER_KEY = 'tls-producer-key-0123456789';

/**
 * PostgreSQL over TLS, the option a managed database demands: a server that refuses the service's
 * role without TLS, and ingestion (pool, migrations, the outbox relay's worker thread and its
 * LISTEN connection) configured by DATABASE_URL alone.
 */
describe('ingestion on a PostgreSQL server that requires TLS', () => {
  let server: PrivatePostgres;
  let topics: TestTopics;
  let service: ServiceProcess | undefined;
  let tlsUrl: string;
  const schema = uniqueName('warehouse');
  const connect = async (url: string, ssl?: { ca: string }) => {
    const client = new Client({ connectionString: url, ...(ssl ? { ssl } : {}) });
    await client.connect();
    return client;
  };

  beforeAll(async () => {
    server = await startPrivatePostgres({ requireTls: true });
    tlsUrl = `${server.url}?sslmode=verify-full&sslrootcert=${encodeURIComponent(server.caFile!)}`;
    topics = await createTestTopics(allTopics, 1);
  }, 120_000);
  afterAll(async () => {
    await service?.stop();
    await topics?.remove();
    await server?.destroy();
  });

  it('refuses the role in plain text, and a certificate its CA did not sign', async () => {
    await expect(connect(server.url)).rejects.toThrow(/no encryption/);
    // verify-full without our CA: Node's default CAs do not know the server's.
    await expect(connect(`${server.url}?sslmode=verify-full`)).rejects.toThrow(
      /self.signed|unable to verify|certificate/i,
    );
  });

  it('runs ingestion with sslmode=verify-full: every connection of the service encrypted, its events published', async () => {
    service = await startService('ingestion', {
      DATABASE_URL: tlsUrl,
      DB_SCHEMA: schema,
      KAFKA_TOPIC_PREFIX: topics.prefix,
      KAFKA_GROUP_ID: uniqueName('ingestion'),
      INGESTION_API_KEYS: `producer:${PRODUCER_KEY}`,
    });
    const response = await fetch(`${service.url}/v1/interactions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': PRODUCER_KEY },
      body: JSON.stringify({ ...topicExamples.interactionsRaw.value, eventId: uniqueName('tls-read') }),
    });
    expect(response.status).toBe(202);

    // The superuser sees every session's TLS state (pg_stat_ssl hides others' from ordinary roles).
    const observer = await connect(server.url.replace('newsroom:newsroom@', 'postgres@'), {
      ca: readFileSync(server.caFile!, 'utf8'),
    });
    try {
      await waitFor(
        'the interaction stored and its event published by the relay',
        async () =>
          (
            await observer.query(
              `SELECT count(*)::int AS n FROM "${schema}".outbox WHERE published_at IS NOT NULL`,
            )
          ).rows[0].n >= 1,
        { timeoutMs: 30_000, intervalMs: 200 },
      );
      const { rows } = await observer.query(
        `SELECT a.application_name, s.ssl, s.version
           FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)
          WHERE a.usename = 'newsroom'`,
      );
      // The pool, the relay's thread and its LISTEN connection: all there, all over TLS.
      expect(rows.length).toBeGreaterThanOrEqual(2);
      expect(rows.filter((r) => !r.ssl)).toEqual([]);
      // The service's own pool and the relay's LISTEN connection both among them.
      const names = new Set(rows.map((r) => r.application_name));
      expect(names).toContain('ingestion');
      expect(names).toContain('outbox-signal');
    } finally {
      await observer.end();
    }
  });
});

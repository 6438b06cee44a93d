import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { allTopics } from '@newsroom/contracts';
import { TestTopics, createTestTopics } from '@newsroom/messaging/testing';
import { ServiceProcess, startService, testServers, uniqueName, workspaceRoot } from '@newsroom/testing';
import { DataSource } from 'typeorm';

/**
 * The behaviour every service process shares, checked against the real servers: it refuses a bad
 * configuration naming the variable, migrates its schema, reports ready, serves /metrics and
 * /docs, and exits 0 within 10 s of SIGTERM.
 */
export function describeServiceLifecycle(name: string, ownSchema: string): void {
  describe(`${name} service process`, () => {
    const schema = uniqueName(ownSchema);
    let service: ServiceProcess;
    let db: DataSource;
    let topics: TestTopics;

    beforeAll(async () => {
      db = await new DataSource({ type: 'postgres', url: testServers().databaseUrl }).initialize();
      topics = await createTestTopics(allTopics, 1);
      service = await startService(name, { DB_SCHEMA: schema, KAFKA_TOPIC_PREFIX: topics.prefix });
    });

    afterAll(async () => {
      await service?.stop('SIGKILL');
      await db?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await db?.destroy();
      await topics?.remove();
    });

    it('exits 1 naming each invalid variable', () => {
      const result = spawnSync(process.execPath, [join(workspaceRoot, 'dist/services', name, 'main.js')], {
        env: { ...process.env, PORT: 'eighty', KAFKA_BROKERS: '', OTEL_SDK_DISABLED: 'true' },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('PORT:');
      expect(result.stderr).toContain('KAFKA_BROKERS:');
    });

    it('reports ready with Kafka and PostgreSQL up, and live', async () => {
      const ready = await fetch(`${service.url}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({
        status: 'ok',
        info: { kafka: { status: 'up' }, postgres: { status: 'up' } },
      });
      expect((await fetch(`${service.url}/health/live`)).status).toBe(200);
    });

    it('owns its schema, created by migrations', async () => {
      const tables: { table_name: string }[] = await db.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
        [schema],
      );
      expect(tables.map((t) => t.table_name)).toEqual(
        expect.arrayContaining(['inbox', 'migrations', 'outbox']),
      );
    });

    it('serves Prometheus metrics: process, HTTP and Kafka', async () => {
      await fetch(`${service.url}/health/live`);
      const response = await fetch(`${service.url}/metrics`);
      expect(response.headers.get('content-type')).toContain('text/plain');
      const body = await response.text();
      expect(body).toContain('process_cpu_user_seconds_total');
      expect(body).toMatch(
        /http_server_request_duration_seconds_count\{method="GET",route="\/health\/live",status_code="200"\} [1-9]/,
      );
      expect(body).toContain('# TYPE kafka_messages_consumed_total counter');
    });

    it('serves its OpenAPI document', async () => {
      const document = (await (await fetch(`${service.url}/docs/openapi.json`)).json()) as {
        openapi: string;
        info: { title: string };
        paths: Record<string, unknown>;
      };
      expect(document.openapi).toMatch(/^3\./);
      expect(document.info.title).toBe(`Newsroom ${name}`);
      expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/health/live', '/health/ready']));
      expect((await fetch(`${service.url}/docs`)).status).toBe(200);
    });

    it('exits 0 within 10 s of SIGTERM', async () => {
      const { code, ms } = await service.stop('SIGTERM');
      expect(code).toBe(0);
      expect(ms).toBeLessThan(10_000);
    });
  });
}

import { EventEnvelope, TopicDefinition, allTopics, newEvent, topics } from '@newsroom/contracts';
import { EventPublisher, physicalTopic } from '@newsroom/messaging';
import { TestTopics, createTestTopics, readAllMessages } from '@newsroom/messaging/testing';
import { World, WorldEvent, publishEvents, simulate } from '@newsroom/datagen';
import {
  ServiceProcess,
  StartServiceOptions,
  startService,
  testServers,
  uniqueName,
  waitFor,
} from '@newsroom/testing';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';

export const testAdminKey = 'tests-admin-key-0123456789';
/** A parsed JSON response body; tests assert on its shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface ServiceHandle {
  process: ServiceProcess;
  schema: string;
  /** GET with the tests' admin key (`headers` replace it). */
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; body: Json }>;
  post(
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: Json }>;
}

/**
 * Several services of one test on their own topics, schemas and artifact directory, with the
 * test's own publisher and database connection; `tearDown` stops them and removes it all.
 */
export async function serviceWorld(partitions = 3) {
  const kafkaTopics: TestTopics = await createTestTopics(allTopics, partitions);
  const artifactDir = await mkdtemp(join(tmpdir(), 'service-world-artifacts-'));
  const db = await new DataSource({ type: 'postgres', url: testServers().databaseUrl }).initialize();
  const publisher = new EventPublisher(kafkaTopics.kafka, kafkaTopics.prefix);
  const started: ServiceHandle[] = [];

  const handle = (process: ServiceProcess, schema: string): ServiceHandle => ({
    process,
    schema,
    get: async (path, headers = { 'x-api-key': testAdminKey }) => {
      const response = await fetch(`${process.url}${path}`, { headers });
      return { status: response.status, body: (await response.json()) as Json };
    },
    post: async (path, body = {}, headers = {}) => {
      const response = await fetch(`${process.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': testAdminKey, ...headers },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Json };
    },
  });

  return {
    kafkaTopics,
    artifactDir,
    db,
    publisher,
    /**
     * Starts a built service on its own schema (or `schema`, to share one between replicas) and
     * consumer group, with the world's topics and artifact directory; `options` as startService's
     * (a `command` to run node under, say).
     */
    async start(
      name: string,
      env: Record<string, string> = {},
      schema = uniqueName(name.replace(/-/g, '_')),
      options: Pick<StartServiceOptions, 'command' | 'nodeArgs'> = {},
    ) {
      const fullEnv = {
        DB_SCHEMA: schema,
        KAFKA_TOPIC_PREFIX: kafkaTopics.prefix,
        KAFKA_GROUP_ID: `${kafkaTopics.prefix}${name}`,
        ARTIFACT_STORE_DIR: artifactDir,
        ...env,
      };
      const service = handle(
        await startService(name, fullEnv, { ...options, readyTimeoutMs: 90_000 }),
        schema,
      );
      started.push(service);
      return service;
    },
    publish: <T extends TopicDefinition>(topic: T, events: { key: string; value: EventEnvelope }[]) =>
      publisher.publish(topic, events as never),
    /** Promotes a model (as the registry would): `model.promoted` naming its artifact. */
    promote: (modelVersion: string, artifact: { uri: string; sha256: string }, sequence = 1) =>
      publisher.publish(topics.modelPromoted, [
        {
          key: modelVersion,
          value: newEvent(
            topics.modelPromoted.name,
            { modelVersion, sequence, previousVersion: null, artifact, reason: 'test' },
            'test',
          ),
        },
      ]),
    /** Every event on a topic so far, as parsed envelopes, in order per partition. */
    readAll: async (name: string): Promise<Json[]> =>
      (await readAllMessages(kafkaTopics.kafka, physicalTopic(kafkaTopics.prefix, name))).map((m) =>
        JSON.parse(m.value?.toString() ?? 'null'),
      ),
    /**
     * Publishes a synthetic world to the raw topics (ingestion must be running) and waits until
     * `featureStore` has every interaction in its log; `events` picks what of it (e.g. readsOnly).
     */
    async publishWorld(
      sim: World,
      featureStore: ServiceHandle,
      events: Iterable<WorldEvent> = simulate(sim),
    ): Promise<void> {
      const summary = await publishEvents(publisher, events);
      const interactions = Object.values(summary.interactions).reduce((a, b) => a + b, 0);
      await waitFor(
        'the world in the feature store',
        async () =>
          (await db.query(`SELECT count(*)::int AS n FROM "${featureStore.schema}".interaction_log`))[0].n ===
          interactions,
        { timeoutMs: 120_000, intervalMs: 500 },
      );
    },
    /** Runs a query with `$schema` standing for the service's schema. */
    query: (service: ServiceHandle, sql: string, params: unknown[] = []): Promise<Json[]> =>
      db.query(sql.replaceAll('$schema', `"${service.schema}"`), params),
    async tearDown() {
      await Promise.all(started.map((s) => s.process.stop()));
      await publisher.disconnect();
      for (const schema of new Set(started.map((s) => s.schema)))
        await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await db.destroy();
      await kafkaTopics.remove();
      await rm(artifactDir, { recursive: true, force: true });
    },
  };
}
export type ServiceWorld = Awaited<ReturnType<typeof serviceWorld>>;

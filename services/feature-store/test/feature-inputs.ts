import {
  EventEnvelope,
  TopicDefinition,
  TopicPayload,
  allTopics,
  newEvent,
  topics,
} from '@newsroom/contracts';
import { apiKeyDigest } from '@newsroom/config';
import { EventPublisher, physicalTopic } from '@newsroom/messaging';
import { createTestTopics, readAllMessages } from '@newsroom/messaging/testing';
import { startService, testServers, uniqueName } from '@newsroom/testing';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';

type ArticleIngested = TopicPayload<typeof topics.articlesIngested>;
type InteractionIngested = TopicPayload<typeof topics.interactionsIngested>;

export const adminKey = 'tests-admin-key-0123456789';
/** Reads a reader's features; configured as its SHA-256, as a deployment would. */
export const readerKey = 'tests-reader-key-0123456789';
export const HOUR = 3_600_000;
/** A parsed JSON response body; tests assert on its shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** Builds the events the feature store consumes, as ingestion and moderation would publish them. */
export const inputs = {
  article(articleId: string, category: string, publishedAt: number, title = `${category} news ${articleId}`) {
    const payload: ArticleIngested = {
      eventId: randomUUID(),
      articleId,
      title,
      body: `More about ${category}.`,
      category,
      publisher: 'daily-planet',
      url: `https://news.example/${articleId}`,
      publishedAt: new Date(publishedAt).toISOString(),
      language: 'en',
      revision: 1,
      ingestedAt: new Date().toISOString(),
    };
    return newEvent(topics.articlesIngested.name, payload, 'tests');
  },
  interaction(
    type: InteractionIngested['type'],
    userId: string,
    articleId: string,
    at: number,
    dwellSeconds?: number,
    region: InteractionIngested['region'] = 'africa',
  ) {
    const payload: InteractionIngested = {
      eventId: randomUUID(),
      userId,
      articleId,
      type,
      ...(dwellSeconds === undefined ? {} : { dwellSeconds }),
      occurredAt: new Date(at).toISOString(),
      region,
      ingestedAt: new Date().toISOString(),
    };
    return newEvent(topics.interactionsIngested.name, payload, 'tests');
  },
  read(userId: string, articleId: string, at: number, dwellSeconds: number) {
    return inputs.interaction('read', userId, articleId, at, dwellSeconds);
  },
  flag(articleId: string, flagged: boolean, at: number, takedownId?: string) {
    return newEvent(
      topics.articlesFlagged.name,
      { articleId, flagged, reason: 'misinformation', actor: 'moderator', takedownId },
      'tests',
      { occurredAt: new Date(at).toISOString() },
    );
  },
};

/** Topics, a schema, an artifact directory and a database connection of one test's own. */
export async function featureStoreWorld(extraEnv: Record<string, string> = {}) {
  const kafkaTopics = await createTestTopics(allTopics, 3);
  const schema = uniqueName('features');
  const artifactDir = await mkdtemp(join(tmpdir(), 'feature-store-artifacts-'));
  const db = await new DataSource({ type: 'postgres', url: testServers().databaseUrl }).initialize();
  const env: Record<string, string> = {
    DB_SCHEMA: schema,
    KAFKA_TOPIC_PREFIX: kafkaTopics.prefix,
    KAFKA_GROUP_ID: uniqueName('feature-store'),
    ARTIFACT_STORE_DIR: artifactDir,
    FEATURES_ADMIN_API_KEYS: `tests:${adminKey}`,
    FEATURES_READER_API_KEYS: `reader:sha256:${apiKeyDigest(readerKey)}`,
    FEATURES_PUBLISH_INTERVAL_MS: '100',
    // Each change published at once, unless a test is about the pace.
    FEATURES_REPUBLISH_USERS_AFTER_MS: '0',
    FEATURES_REPUBLISH_ARTICLES_AFTER_MS: '0',
    FEATURES_STALE_WINDOWS_MS: '100',
    ...extraEnv,
  };
  // The platform's own publisher: it checks every event against its contract and splits requests.
  const publisher = new EventPublisher(kafkaTopics.kafka, kafkaTopics.prefix);
  const service = await startService('feature-store', env);

  const count = async (sql: string) =>
    Number((await db.query(sql.replaceAll('$schema', `"${schema}"`)))[0].n);
  const send = async <T extends TopicDefinition>(
    topic: T,
    events: EventEnvelope[],
    key: (payload: never) => string,
  ) => {
    await publisher.publish(
      topic,
      events.map((e) => ({ key: key(e.payload as never), value: e as never })),
    );
  };
  return {
    env,
    kafkaTopics,
    schema,
    artifactDir,
    db,
    service,
    sendArticles: (events: EventEnvelope[]) =>
      send(topics.articlesIngested, events, (p: ArticleIngested) => p.articleId),
    sendInteractions: (events: EventEnvelope[]) =>
      send(topics.interactionsIngested, events, (p: InteractionIngested) => p.userId),
    sendFlags: (events: EventEnvelope[]) =>
      send(topics.articlesFlagged, events, (p: { articleId: string }) => p.articleId),
    count,
    /** Every message on a topic so far, in order per partition. */
    readAll: (name: string) => readAllMessages(kafkaTopics.kafka, physicalTopic(kafkaTopics.prefix, name)),
    /** The latest payload per key of a compacted topic: what a service rebuilding from Kafka holds. */
    latestPerKey: async (name: string) => {
      const state = new Map<string, Json>();
      for (const message of await readAllMessages(
        kafkaTopics.kafka,
        physicalTopic(kafkaTopics.prefix, name),
      )) {
        const payload = JSON.parse(message.value?.toString() ?? 'null').payload;
        const key = message.key ?? '';
        if ((state.get(key)?.version ?? 0) < payload.version) state.set(key, payload);
      }
      return state;
    },
    /** Readers and articles whose latest state is not yet on the compacted topics. */
    unpublished: () =>
      count(
        `SELECT (SELECT count(*) FROM $schema.user_features WHERE version > published_version) +
                (SELECT count(*) FROM $schema.article_features WHERE version > published_version) AS n`,
      ),
    get: async (path: string, headers: Record<string, string> = { 'x-api-key': readerKey }) => {
      const response = await fetch(`${service.url}${path}`, { headers });
      return { status: response.status, body: (await response.json()) as Json };
    },
    post: async (path: string, body: unknown, key = adminKey) => {
      const response = await fetch(`${service.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Json };
    },
    tearDown: async () => {
      await service.stop();
      await publisher.disconnect();
      await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await db.destroy();
      await kafkaTopics.remove();
      await rm(artifactDir, { recursive: true, force: true });
    },
  };
}
export type FeatureStoreWorld = Awaited<ReturnType<typeof featureStoreWorld>>;

import { allTopics, deadLetterTopicName, newEvent, topicExamples, topics } from '@newsroom/contracts';
import { EventPublisher, ensureTopics, partitionLag, planTopics } from '@newsroom/messaging';
import { PrivateKafka, exactProducer, startPrivateKafka } from '@newsroom/messaging/testing';
import { selectBackend } from '@newsroom/ml';
import { savedUntrainedTwoTower } from '@newsroom/ml/testing';
import {
  PrivatePostgres,
  ServiceProcess,
  serviceMetric,
  startPrivatePostgres,
  startService,
  waitFor,
} from '@newsroom/testing';
import { Admin, Kafka } from 'kafkajs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

/** The services a read passes through, in order, and the schema each keeps it in. */
export const pipelineServices = ['ingestion', 'feature-store', 'batch-scoring', 'serving'] as const;
export type PipelineService = (typeof pipelineServices)[number];

export const READERS = 200;
export const ARTICLES = 40;
const PARTITIONS = 3;
const categories = ['politics', 'sport', 'science', 'culture', 'economy'];

/**
 * The read pipeline of one test file, all of it its own: a Kafka broker and a PostgreSQL server it
 * may kill, and ingestion → feature store → batch scoring → serving as processes on them, with a
 * champion model promoted and the articles in place, so that every read ends in a reader's list.
 * Faults are the test's; the ledger counts what every store holds.
 */
export interface Pipeline {
  kafka: PrivateKafka;
  postgres: PrivatePostgres;
  /** The running process of each service (the first replica). */
  services: Record<PipelineService, ServiceProcess>;
  /** Every replica started and not stopped, of each service. */
  replicas: Record<PipelineService, ServiceProcess[]>;
  /** Starts one more replica of a service (same schema and consumer group). */
  addReplica(name: PipelineService, env?: Record<string, string>): Promise<ServiceProcess>;
  /** Stops a replica with `signal` (SIGKILL: a crash) and forgets it. */
  stopReplica(replica: ServiceProcess, signal?: NodeJS.Signals): Promise<void>;
  /** Kills or stops a service's first replica with `signal` and starts it again. */
  restart(name: PipelineService, signal: NodeJS.Signals): Promise<ServiceProcess>;
  /** A query on a fresh connection: long-lived ones would not outlive a database outage. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Counts reads sent another way (over HTTP) in the ledger, once they were accepted. */
  recordSent(eventIds: Iterable<string>): void;
  /** A stream of reads to `interactions.raw` that keeps sending through broker outages. */
  stream(options: StreamOptions): ReadStream;
  /** Waits until every read sent is in every store and every consumer group has caught up. */
  settle(timeoutMs?: number): Promise<Ledger>;
  /** What every store holds, counted against every read sent so far. */
  ledger(): Promise<Ledger>;
  /** How many records a topic holds, over its partitions. */
  topicSize(topic: string): Promise<number>;
  /** Records not yet committed, per consumer group, over every topic the group consumes. */
  lag(): Promise<Record<PipelineService, number>>;
  /** A metric's sum over the running replicas of a service. */
  metric(name: PipelineService, metric: string, labels?: string): Promise<number>;
  /** The services' output, for a failing test's account. */
  output(): string;
  tearDown(): Promise<void>;
}

/**
 * Everything the stores hold, against what was sent: a healthy pipeline has 0 in every `lost` and
 * `duplicated`. The warehouse and the feature store's log are keyed by event id, so a row twice is
 * impossible there: what catches a read applied twice is `featureReadsCounted` (each read adds one
 * to its reader's count) and the lists downstream, which must be the latest of each reader's.
 */
export interface Ledger {
  sent: number;
  warehouse: { stored: number; lost: number; duplicated: number };
  featureLog: { stored: number; lost: number; duplicated: number };
  /** Reads counted in the readers' online features: each read once. */
  featureReadsCounted: number;
  /** Readers whose latest features batch scoring does not hold, or has not scored yet. */
  scoringBehind: number;
  /** Readers whose list in serving is not the revision batch scoring made last. */
  servingBehind: number;
  /** Records on any dead-letter topic, and reads ingestion rejected. */
  deadLetters: number;
  rejected: number;
}

/** What every store must hold once `sent` reads went in: each once, nothing behind or dead-lettered. */
export const everyReadOnce = (sent: number): Ledger => ({
  sent,
  warehouse: { stored: sent, lost: 0, duplicated: 0 },
  featureLog: { stored: sent, lost: 0, duplicated: 0 },
  featureReadsCounted: sent,
  scoringBehind: 0,
  servingBehind: 0,
  deadLetters: 0,
  rejected: 0,
});

export interface StreamOptions {
  /** Event id prefix: each scenario's reads are its own. */
  id: string;
  reads: number;
  /** Records per send and the pause between sends (the pace). */
  perSend?: number;
  everyMs?: number;
}

export interface ReadStream {
  /** Reads acknowledged by the broker so far. */
  readonly sent: number;
  /** Sends that failed (broker away) and were sent again. */
  readonly resends: number;
  /** Resolves when every read is acknowledged. */
  readonly done: Promise<void>;
  /** Resolves once at least `count` reads are acknowledged. */
  reached(count: number, timeoutMs?: number): Promise<void>;
  /** Sends no more after the send under way (`done` then resolves). */
  stop(): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

export async function startPipeline({ env = {} as Record<string, string> } = {}): Promise<Pipeline> {
  const servers = await Promise.allSettled([startPrivateKafka(), startPrivatePostgres()]);
  const [kafkaStarted, postgresStarted] = servers;
  if (kafkaStarted.status === 'rejected' || postgresStarted.status === 'rejected') {
    await Promise.allSettled(servers.map((s) => s.status === 'fulfilled' && s.value.destroy()));
    throw kafkaStarted.status === 'rejected'
      ? kafkaStarted.reason
      : postgresStarted.status === 'rejected' && postgresStarted.reason;
  }
  const [kafka, postgres] = [kafkaStarted.value, postgresStarted.value];
  const artifactDir = await mkdtemp(join(tmpdir(), 'fault-suite-artifacts-'));
  const client: Kafka = kafka.client('fault-suite');
  const baseEnv: Record<string, string> = {
    DATABASE_URL: postgres.url,
    KAFKA_BROKERS: kafka.brokers,
    ARTIFACT_STORE_DIR: artifactDir,
    // A dependency back after an outage is noticed within a second.
    KAFKA_OUTAGE_MAX_BACKOFF_MS: '1000',
    // A killed member's partitions go to the others (or its successor) after 10 s, not 30.
    KAFKA_SESSION_TIMEOUT_MS: '10000',
    ML_BACKENDS: 'wasm,cpu',
    SCORING_WORKERS: '1',
    SCORING_SHARDS: '8',
    ...env,
  };
  const envOf = (name: PipelineService) => ({ ...baseEnv, KAFKA_GROUP_ID: name });
  const replicas = Object.fromEntries(
    pipelineServices.map((s) => [s, []]),
  ) as unknown as Pipeline['replicas'];
  let logs = '';
  const launch = async (name: PipelineService, extra: Record<string, string> = {}) => {
    const process = await startService(name, { ...envOf(name), ...extra }, { readyTimeoutMs: 120_000 });
    replicas[name].push(process);
    return process;
  };
  const forget = (replica: ServiceProcess) => {
    for (const name of pipelineServices) {
      const i = replicas[name].indexOf(replica);
      if (i >= 0) {
        replicas[name].splice(i, 1);
        logs += `--- ${name} (stopped) ---\n${replica.output().slice(-10_000)}\n`;
      }
    }
  };
  const sentIds = new Set<string>();
  let admin: Admin | undefined;
  const connectedAdmin = async () => {
    if (!admin) {
      admin = client.admin();
      await admin.connect();
    }
    return admin;
  };

  const query = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => {
    // Generous: on a busy CI machine a connection has been seen to take more than 2 s.
    const db = new Client({ connectionString: postgres.url, connectionTimeoutMillis: 15_000 });
    await db.connect();
    try {
      return (await db.query(sql, params)).rows;
    } finally {
      await db.end();
    }
  };

  const pipeline: Pipeline = {
    kafka,
    postgres,
    replicas,
    services: {} as Pipeline['services'],
    addReplica: launch,
    async stopReplica(replica, signal = 'SIGTERM') {
      await replica.stop(signal);
      forget(replica);
    },
    async restart(name, signal) {
      const [first] = replicas[name];
      await pipeline.stopReplica(first, signal);
      const started = await launch(name);
      // The restarted process takes the first place again.
      replicas[name].splice(replicas[name].indexOf(started), 1);
      replicas[name].unshift(started);
      pipeline.services[name] = started;
      return started;
    },
    query,
    recordSent: (eventIds) => {
      for (const id of eventIds) sentIds.add(id);
    },
    stream: (options) => readStream(client, options, sentIds),
    async topicSize(topic) {
      const offsets = await (await connectedAdmin()).fetchTopicOffsets(topic);
      return offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
    },
    async lag() {
      const connected = await connectedAdmin();
      const result = {} as Record<PipelineService, number>;
      for (const name of pipelineServices) {
        result[name] = 0;
        for (const topic of allTopics.filter((t) => t.consumers.includes(name)))
          for (const partition of await partitionLag(connected, name, topic.name))
            result[name] += partition.lag;
      }
      return result;
    },
    async ledger() {
      const ids = async (sql: string) => (await query<{ id: string }>(sql)).map((r) => r.id);
      const tally = (stored: string[]) => {
        const distinct = new Set(stored);
        return {
          stored: stored.length,
          lost: [...sentIds].filter((id) => !distinct.has(id)).length,
          duplicated: stored.length - distinct.size,
        };
      };
      const [warehouse, featureLog] = await Promise.all([
        ids('SELECT event_id AS id FROM warehouse.interactions'),
        ids('SELECT event_id AS id FROM features.interaction_log'),
      ]);
      const number = async (sql: string) => Number((await query<{ n: string }>(sql))[0].n);
      const size = pipeline.topicSize;
      const deadLetterCounts = await Promise.all(allTopics.map((t) => size(deadLetterTopicName(t.name))));
      return {
        sent: sentIds.size,
        warehouse: tally(warehouse),
        featureLog: tally(featureLog),
        featureReadsCounted: await number('SELECT coalesce(sum(reads), 0) AS n FROM features.user_features'),
        scoringBehind: await number(
          `SELECT count(*) AS n FROM features.user_features f LEFT JOIN scoring.readers r USING (user_id)
            WHERE r.user_id IS NULL OR r.version <> f.version OR r.scored_version < r.version`,
        ),
        servingBehind: await number(
          `SELECT count(*) AS n FROM scoring.lists l LEFT JOIN serving.lists s USING (user_id)
            WHERE s.user_id IS NULL OR s.revision <> l.revision`,
        ),
        deadLetters: deadLetterCounts.reduce((a, b) => a + b, 0),
        rejected: await size(topics.ingestionRejected.name),
      };
    },
    async settle(timeoutMs = 120_000) {
      let last = await pipeline.ledger();
      let lastLag: Record<PipelineService, number> | undefined;
      try {
        await waitFor(
          'every read in every store and every consumer group caught up',
          async () => {
            last = await pipeline.ledger();
            const settled =
              last.warehouse.stored >= last.sent &&
              last.featureLog.stored >= last.sent &&
              last.featureReadsCounted >= last.sent &&
              last.scoringBehind === 0 &&
              last.servingBehind === 0;
            if (!settled) return false;
            lastLag = await pipeline.lag();
            return Object.values(lastLag).every((n) => n === 0);
          },
          { timeoutMs, intervalMs: 500 },
        );
      } catch (error) {
        throw new Error(
          `${(error as Error).message}\nlast ledger: ${JSON.stringify(last)}\nlast lag: ${JSON.stringify(lastLag)}`,
        );
      }
      return last;
    },
    async metric(name, metric, labels = '') {
      let sum = 0;
      for (const replica of replicas[name]) sum += await serviceMetric(replica, metric, labels);
      return sum;
    },
    output: () =>
      logs +
      pipelineServices
        .flatMap((name) => replicas[name].map((r) => `--- ${name} ---\n${r.output().slice(-10_000)}\n`))
        .join(''),
    async tearDown() {
      // Each step whatever the others did: nothing may outlive the test.
      await Promise.allSettled(pipelineServices.flatMap((name) => replicas[name].map((r) => r.stop())));
      await admin?.disconnect().catch(() => undefined);
      await Promise.allSettled([kafka.destroy(), postgres.destroy()]);
      await rm(artifactDir, { recursive: true, force: true });
    },
  };

  try {
    await ensureTopics(
      client,
      planTopics(allTopics, { partitions: PARTITIONS, replicationFactor: 1, retentionMs: 3_600_000 }),
    );
    // All at once, and all of them settled before going on: a failure leaves none starting behind.
    const launched = await Promise.allSettled(
      pipelineServices.map(async (name) => (pipeline.services[name] = await launch(name))),
    );
    for (const result of launched) if (result.status === 'rejected') throw result.reason;
    await prepareArticlesAndChampion(pipeline, client, artifactDir);
  } catch (error) {
    const logsSoFar = pipeline.output();
    await pipeline.tearDown();
    throw new Error(`${(error as Error).message}\n${logsSoFar}`);
  }
  return pipeline;
}

/** The articles through ingestion into every store, and a champion model promoted and scored. */
async function prepareArticlesAndChampion(pipeline: Pipeline, kafka: Kafka, artifactDir: string) {
  const publishedAt = new Date(Date.now() - 2 * 3_600_000).toISOString();
  const catalog = Array.from({ length: ARTICLES }, (_, i) => ({
    ...topicExamples.articlesRaw.value,
    eventId: `fault-article-${i}`,
    articleId: `article-${i}`,
    category: categories[i % categories.length],
    publisher: `publisher-${i % 3}`,
    publishedAt,
  }));
  const producer = exactProducer(kafka);
  await producer.connect();
  try {
    await producer.send({
      topic: topics.articlesRaw.name,
      acks: -1,
      messages: catalog.map((a) => ({ key: a.articleId, value: JSON.stringify(a) })),
    });
  } finally {
    await producer.disconnect();
  }
  const count = async (sql: string) => Number((await pipeline.query<{ n: string }>(sql))[0].n);
  await waitFor(
    'the articles in the feature store and batch scoring',
    async () =>
      (await count('SELECT count(*) AS n FROM features.article_features')) === ARTICLES &&
      (await count('SELECT count(*) AS n FROM scoring.articles')) === ARTICLES,
    { timeoutMs: 60_000, intervalMs: 250 },
  );
  await selectBackend(['wasm', 'cpu']);
  const artifact = await savedUntrainedTwoTower(
    artifactDir,
    catalog.map((a) => ({ tokenHashes: [], category: a.category, publisher: a.publisher })),
    7,
  );
  const publisher = new EventPublisher(kafka, '');
  try {
    await publisher.publish(topics.modelPromoted, [
      {
        key: 'fault-champion',
        value: newEvent(
          topics.modelPromoted.name,
          { modelVersion: 'fault-champion', sequence: 1, previousVersion: null, artifact, reason: 'test' },
          'fault-suite',
        ),
      },
    ]);
  } finally {
    await publisher.disconnect();
  }
  await waitFor(
    'the champion scored',
    async () => (await count(`SELECT count(*) AS n FROM scoring.runs WHERE status = 'succeeded'`)) === 1,
    { timeoutMs: 60_000, intervalMs: 250 },
  );
}

/**
 * Reads of READERS readers over the ARTICLES articles, sent at a steady pace by an idempotent
 * producer. A send the broker does not acknowledge (it is away) is sent again, by a new producer
 * once the old one gives up, until it is: a producer that keeps its records, as a newsroom's
 * should. The ids go into `sentIds` only when acknowledged.
 */
function readStream(kafka: Kafka, options: StreamOptions, sentIds: Set<string>): ReadStream {
  const { id, reads, perSend = 50, everyMs = 100 } = options;
  const now = Date.now();
  let sent = 0;
  let resends = 0;
  let stopped = false;
  const done = (async () => {
    let producer = exactProducer(kafka);
    await producer.connect();
    const started = Date.now();
    try {
      for (let i = 0; i < reads && !stopped; i += perSend) {
        await sleep(started + (i / perSend) * everyMs - Date.now());
        const batch = Array.from({ length: Math.min(perSend, reads - i) }, (_, k) => {
          const n = i + k;
          return {
            ...topicExamples.interactionsRaw.value,
            eventId: `${id}-${n}`,
            userId: `reader-${n % READERS}`,
            articleId: `article-${(n * 7) % ARTICLES}`,
            dwellSeconds: (n % 120) + 1,
            sessionId: `session-${n % 500}`,
            occurredAt: new Date(now - 3_600_000 + n * 10).toISOString(),
          };
        });
        const deadline = Date.now() + 180_000;
        for (;;) {
          try {
            await producer.send({
              topic: topics.interactionsRaw.name,
              acks: -1,
              messages: batch.map((r) => ({ key: r.userId, value: JSON.stringify(r) })),
            });
            break;
          } catch (error) {
            if (Date.now() > deadline) throw error;
            resends++;
            await producer.disconnect().catch(() => undefined);
            await sleep(500);
            producer = exactProducer(kafka);
            await producer.connect().catch(() => undefined);
          }
        }
        for (const r of batch) sentIds.add(r.eventId);
        sent += batch.length;
      }
    } finally {
      await producer.disconnect().catch(() => undefined);
    }
  })();
  done.catch(() => undefined);
  return {
    get sent() {
      return sent;
    },
    get resends() {
      return resends;
    },
    done,
    stop: () => {
      stopped = true;
    },
    reached: (count, timeoutMs = 120_000) =>
      waitFor(`${count} reads of ${id} sent`, () => sent >= count, { timeoutMs, intervalMs: 20 }).then(
        () => undefined,
      ),
  };
}

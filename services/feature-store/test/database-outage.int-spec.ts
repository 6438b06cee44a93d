import { allTopics, deadLetterTopicName, topicExamples, topics } from '@newsroom/contracts';
import { physicalTopic } from '@newsroom/messaging';
import { TestTopics, createTestTopics, exactProducer, topicSize } from '@newsroom/messaging/testing';
import {
  PrivatePostgres,
  ServiceProcess,
  startPrivatePostgres,
  startService,
  waitFor,
  watchLiveness,
} from '@newsroom/testing';
import { Admin, Producer } from 'kafkajs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

const READS = 20_000;
const READERS = 300;
const ARTICLES = 50;
/** 40 records every 100 ms: the 20,000 reads take 50 s, the outage falls inside the stream. */
const SEND_EVERY_MS = 100;
const RECORDS_PER_SEND = 40;
const OUTAGE_AFTER = READS / 4;
const OUTAGE_MS = 30_000;
const PROBE_EVERY_MS = 250;
/**
 * Liveness must answer 200 whatever the database does, within the timeout our Kubernetes probes
 * give it (timeoutSeconds: 3): in CI, other projects' tests share the 2 cores, and the catch-up
 * after the outage has been seen to answer in 1.1–1.3 s there (0.2–0.3 s on a quiet machine; the
 * slowest answer is printed). Readiness may take its checks' 2 s.
 */
const LIVE_WITHIN_MS = 3_000;
const READY_WITHIN_MS = 5_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

interface ReadinessSample {
  /** When the probe was sent… */
  at: number;
  /** …and when its answer came: a probe sent before the outage may be answered during it. */
  answeredAt: number;
  ready: boolean;
  /** Status and body, or the request's error, of an answer that was not a 200. */
  answer?: string;
}

/** Asks a service's /health/ready every 250 ms until stopped: when it said ready and when not. */
function watchReadiness(service: ServiceProcess) {
  const samples: ReadinessSample[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const at = Date.now();
      let answer: string | undefined;
      try {
        const response = await fetch(`${service.url}/health/ready`, {
          signal: AbortSignal.timeout(READY_WITHIN_MS),
        });
        const body = await response.text();
        if (response.status !== 200) answer = `${response.status} ${body}`;
      } catch (error) {
        answer = (error as Error).message;
      }
      samples.push({ at, answeredAt: Date.now(), ready: answer === undefined, answer });
      await sleep(at + PROBE_EVERY_MS - Date.now());
    }
  })();
  return {
    samples,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

/** The sum of a Prometheus metric's samples on a service's /metrics, optionally of one label set. */
async function metric(service: ServiceProcess, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .filter((line) => line.includes(labels))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/**
 * PostgreSQL stopped (immediate, as in a crash) for 30 s while 20,000 reads stream through
 * ingestion and on into the feature store, both real processes on real Kafka. The server is one of
 * the test's own: the shared one on 5432 is never touched. Afterwards every read is stored once in
 * each, nothing was dead-lettered or rejected, readiness went false and came back, and liveness
 * answered at once throughout.
 */
describe('a PostgreSQL outage under a stream of reads (ingestion → feature store)', () => {
  let postgres: PrivatePostgres;
  let kafkaTopics: TestTopics;
  let artifactDir: string;
  let ingestion: ServiceProcess;
  let featureStore: ServiceProcess;
  let producer: Producer;
  let admin: Admin;
  /** Stops the health probes: at the end of the test, or in afterAll when it failed before. */
  const stopProbes: (() => Promise<unknown>)[] = [];
  const groups = { ingestion: '', featureStore: '' };

  const physical = (logical: string) => physicalTopic(kafkaTopics.prefix, logical);
  /** One query on a fresh connection: the test's own connections would not survive the outage either. */
  const query = async <T>(sql: string): Promise<T[]> => {
    const client = new Client({ connectionString: postgres.url, connectionTimeoutMillis: 2_000 });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  };
  const count = async (sql: string) => Number((await query<{ n: string }>(sql))[0].n);
  const stored = () => count('SELECT count(*) AS n FROM warehouse.interactions');
  const applied = () => count('SELECT count(*) AS n FROM features.interaction_log');
  /** Records of a topic the group has not committed yet, over all partitions. */
  const lag = async (groupId: string, logical: string) => {
    const topic = physical(logical);
    const [ends, [committed]] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId, topics: [topic] }),
    ]);
    return ends.reduce((sum, end) => {
      const at = committed.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
      return sum + Number(end.high) - (Number(at) >= 0 ? Number(at) : Number(end.low));
    }, 0);
  };

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    kafkaTopics = await createTestTopics(allTopics, 3);
    artifactDir = await mkdtemp(join(tmpdir(), 'database-outage-artifacts-'));
    groups.ingestion = `${kafkaTopics.prefix}ingestion`;
    groups.featureStore = `${kafkaTopics.prefix}feature-store`;
    const env = { DATABASE_URL: postgres.url, KAFKA_TOPIC_PREFIX: kafkaTopics.prefix };
    // Both start at once; each is kept as soon as it is up, so afterAll stops it even if the other failed.
    const started = await Promise.allSettled([
      startService('ingestion', { ...env, DB_SCHEMA: 'warehouse', KAFKA_GROUP_ID: groups.ingestion }).then(
        (service) => (ingestion = service),
      ),
      startService('feature-store', {
        ...env,
        DB_SCHEMA: 'features',
        KAFKA_GROUP_ID: groups.featureStore,
        ARTIFACT_STORE_DIR: artifactDir,
      }).then((service) => (featureStore = service)),
    ]);
    for (const result of started) if (result.status === 'rejected') throw result.reason;
    producer = exactProducer(kafkaTopics.kafka);
    await producer.connect();
    admin = kafkaTopics.kafka.admin();
    await admin.connect();
  }, 120_000);

  afterAll(async () => {
    await Promise.all(stopProbes.map((stop) => stop()));
    await Promise.all([ingestion?.stop(), featureStore?.stop()]);
    await producer?.disconnect();
    await admin?.disconnect();
    await postgres?.destroy();
    await kafkaTopics?.remove();
    if (artifactDir) await rm(artifactDir, { recursive: true, force: true });
  }, 60_000);

  it('stores every read once in each service, dead-letters nothing, and is unready only while the database is away', async () => {
    const services = { ingestion, 'feature-store': featureStore };
    try {
      // The articles first, so that reads fold into known articles' categories and windows.
      const now = Date.now();
      await producer.send({
        topic: physical(topics.articlesRaw.name),
        acks: -1,
        messages: Array.from({ length: ARTICLES }, (_, i) => {
          const article = {
            ...topicExamples.articlesRaw.value,
            eventId: `outage-article-${i}`,
            articleId: `article-${i}`,
            category: `category-${i % 5}`,
            publishedAt: new Date(now - 2 * 3_600_000).toISOString(),
          };
          return { key: article.articleId, value: JSON.stringify(article) };
        }),
      });
      await waitFor(
        'the articles in the feature store',
        async () => (await count('SELECT count(*) AS n FROM features.article_features')) === ARTICLES,
        { timeoutMs: 30_000, intervalMs: 200 },
      );

      const reads = Array.from({ length: READS }, (_, i) => ({
        ...topicExamples.interactionsRaw.value,
        eventId: `outage-read-${i}`,
        userId: `reader-${i % READERS}`,
        articleId: `article-${(i * 7) % ARTICLES}`,
        dwellSeconds: (i % 120) + 1,
        sessionId: `session-${i % 1_000}`,
        occurredAt: new Date(now - 3_600_000 + i * 100).toISOString(),
      }));

      const liveness = watchLiveness(
        Object.values(services).map((s) => s.url),
        { intervalMs: PROBE_EVERY_MS, limitMs: LIVE_WITHIN_MS },
      );
      const ready = Object.values(services).map(watchReadiness);
      stopProbes.push(liveness.stop, ...ready.map((r) => r.stop));

      // A producer at a steady pace: each send is due at its slot, whatever the service does.
      let sent = 0;
      const streamStarted = Date.now();
      const streaming = (async () => {
        for (let i = 0; i < reads.length; i += RECORDS_PER_SEND) {
          await sleep(streamStarted + (i / RECORDS_PER_SEND) * SEND_EVERY_MS - Date.now());
          await producer.send({
            topic: physical(topics.interactionsRaw.name),
            acks: -1,
            messages: reads
              .slice(i, i + RECORDS_PER_SEND)
              .map((r) => ({ key: r.userId, value: JSON.stringify(r) })),
          });
          sent = Math.min(i + RECORDS_PER_SEND, reads.length);
        }
      })();

      await waitFor('a quarter of the reads sent', () => sent >= OUTAGE_AFTER, {
        timeoutMs: 60_000,
        intervalMs: 20,
      });
      const storedBefore = await stored();
      const appliedBefore = await applied();
      const stopping = Date.now();
      await postgres.stopImmediate();
      const stoppedAt = Date.now();
      const sentAtStop = sent;
      await sleep(OUTAGE_MS); // the outage under test
      const restartAt = Date.now();
      await postgres.start();
      const restartedAt = Date.now();
      await streaming;
      const streamEnded = Date.now();

      await waitFor(
        'every read stored by ingestion and applied by the feature store',
        async () => (await stored()) === READS && (await applied()) === READS,
        { timeoutMs: 90_000, intervalMs: 250 },
      );
      await waitFor(
        'both consumer groups caught up',
        async () =>
          (await lag(groups.ingestion, topics.interactionsRaw.name)) === 0 &&
          (await lag(groups.featureStore, topics.interactionsIngested.name)) === 0,
        { timeoutMs: 30_000, intervalMs: 250 },
      );
      const settled = Date.now();
      await waitFor(
        'both services answering ready again',
        () => ready.every((r) => r.samples[r.samples.length - 1]?.ready),
        { timeoutMs: 30_000, intervalMs: 100 },
      );
      await Promise.all(ready.map((r) => r.stop()));
      const live = await liveness.stop();

      // The figures first, so that a failing run shows them too.
      const readiness = Object.keys(services).map((name, i) => {
        const samples = ready[i].samples;
        const firstDown = samples.find((s) => !s.ready && s.at >= stopping);
        const lastDown = [...samples].reverse().find((s) => !s.ready);
        const backUp = lastDown && samples.find((s) => s.ready && s.at > lastDown.at);
        return { name, firstDown, backUp };
      });
      const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
      const at = (t: number) => `+${seconds(t - streamStarted)}`;
      const relayed = await topicSize(kafkaTopics.kafka, physical(topics.interactionsIngested.name));
      const lines = [
        `database outage: ${READS} reads of ${READERS} readers on ${ARTICLES} articles streamed in ${seconds(streamEnded - streamStarted)}`,
        `  PostgreSQL stopped (immediate) at ${at(stoppedAt)} with ${sentAtStop} reads sent, ${storedBefore} stored by ingestion and ${appliedBefore} applied by the feature store`,
        `  down for ${seconds(restartAt - stoppedAt)}, accepting connections again at ${at(restartedAt)}`,
        `  every read stored and applied, lag 0, at ${at(settled)}: ${seconds(settled - streamEnded)} after the stream ended`,
        ...readiness.map(({ name, firstDown, backUp }) =>
          firstDown && backUp
            ? `  ${name}: readiness false from ${at(firstDown.at)} to ${at(backUp.at)} (${seconds(backUp.at - firstDown.at)}; ` +
              `${seconds(backUp.at - restartedAt)} after the restart), first answer: ${firstDown.answer?.slice(0, 400)}`
            : `  ${name}: readiness never went false during the outage`,
        ),
        ...(await Promise.all(
          Object.entries(services).map(async ([name, service], i) => {
            const { probes, maxMs, late } = live[i];
            const delay = await metric(service, 'nodejs_eventloop_delay_max_seconds');
            return (
              `  ${name}: liveness probed ${probes} times, slowest answer ${maxMs.toFixed(0)} ms, ` +
              `${late.length} not 200 within ${LIVE_WITHIN_MS} ms` +
              (late.length > 0
                ? ` (${late.map((l) => `${at(Date.parse(l.at))} ${l.ms} ms ${l.outcome}`).join(', ')})`
                : '') +
              `; longest event-loop delay ${(delay * 1000).toFixed(0)} ms`
            );
          }),
        )),
        `  handler dependency retries: ingestion ${await metric(ingestion, 'kafka_handler_dependency_retries_total')}, ` +
          `feature-store ${await metric(featureStore, 'kafka_handler_dependency_retries_total')}`,
        `  outbox relay failures: ingestion ${await metric(ingestion, 'outbox_relay_failures_total')}, ` +
          `feature-store ${await metric(featureStore, 'outbox_relay_failures_total')}`,
        `  redeliveries: ${await metric(ingestion, 'ingestion_events_total', 'outcome="duplicate"')} raw reads handled again by ingestion, ` +
          `${relayed - READS} interactions.ingested events published again by its relay, ` +
          `${await metric(featureStore, 'features_events_applied_total', 'kind="interaction",outcome="duplicate"')} handled again by the feature store`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);

      // The outage hit mid-stream: some reads were stored before it, most after.
      expect(storedBefore).toBeGreaterThan(0);
      expect(storedBefore).toBeLessThan(READS / 2);

      // Every read once, in both services; the online features counted each read once too.
      const ids = new Set(reads.map((r) => r.eventId));
      const warehouseIds = await query<{ event_id: string }>('SELECT event_id FROM warehouse.interactions');
      const logIds = await query<{ event_id: string }>('SELECT event_id FROM features.interaction_log');
      expect(warehouseIds).toHaveLength(READS);
      expect(new Set(warehouseIds.map((r) => r.event_id))).toEqual(ids);
      expect(logIds).toHaveLength(READS);
      expect(new Set(logIds.map((r) => r.event_id))).toEqual(ids);
      expect(await count('SELECT sum(reads) AS n FROM features.user_features')).toBe(READS);
      expect(await count('SELECT count(*) AS n FROM features.user_features')).toBe(READERS);

      // Nothing dead-lettered anywhere, nothing rejected.
      const deadLetters = await Promise.all(
        allTopics.map(async (t) => {
          const dlq = deadLetterTopicName(t.name);
          return { dlq, records: await topicSize(kafkaTopics.kafka, physical(dlq)) };
        }),
      );
      expect(deadLetters.filter((d) => d.records > 0)).toEqual([]);
      expect(await topicSize(kafkaTopics.kafka, physical(topics.ingestionRejected.name))).toBe(0);

      for (const [i, [name, service]] of Object.entries(services).entries()) {
        // The process lived through it, and liveness answered 200 within the probe's timeout every time.
        expect({ name, exitCode: service.process.exitCode, signal: service.process.signalCode }).toEqual({
          name,
          exitCode: null,
          signal: null,
        });
        expect({ name, late: live[i].late }).toEqual({ name, late: [] });
        expect(live[i].probes).toBeGreaterThan(OUTAGE_MS / PROBE_EVERY_MS);
        // Readiness: true before the outage, false during it, true again after.
        const samples = ready[i].samples;
        expect({
          name,
          downBefore: samples.filter((s) => !s.ready && s.answeredAt < stopping),
          downDuring: samples.some((s) => !s.ready && s.at >= stopping && s.at < restartAt),
          readyAtTheEnd: samples[samples.length - 1].ready,
        }).toEqual({ name, downBefore: [], downDuring: true, readyAtTheEnd: true });
      }
    } catch (error) {
      // The services' own account of what went wrong (warnings and errors: LOG_LEVEL warn).
      for (const [name, service] of Object.entries(services)) {
        process.stdout.write(
          `--- ${name} output (last 20,000 characters) ---\n${service.output().slice(-20_000)}\n`,
        );
      }
      throw error;
    }
  }, 240_000);
});

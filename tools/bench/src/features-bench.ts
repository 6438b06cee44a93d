import { DatasetManifest, allTopics, articleTokenHashes, newEvent, topics } from '@newsroom/contracts';
import { World, WorldEvent, simulate, startForNow, worldConfig } from '@newsroom/datagen';
import { EventPublisher, physicalTopic } from '@newsroom/messaging';
import { TestTopics, createTestTopics } from '@newsroom/messaging/testing';
import { ensureTestServers, startService, uniqueName, waitFor } from '@newsroom/testing';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { machine, median } from './stats';

type Manifest = z.infer<typeof DatasetManifest>;

const ADMIN_KEY = 'bench-admin-key-0123456789';
type Records = { articles: { key: string; value: string }[]; interactions: { key: string; value: string }[] };

/** The pilot world's events as ingestion publishes them (enveloped `*.ingested`), until `n` interactions. */
function pilotIngested(n: number): Records {
  const records: Records = { articles: [], interactions: [] };
  const ingestedAt = new Date().toISOString();
  for (const event of simulate(new World(worldConfig('pilot', { start: startForNow(7) })))) {
    if (event.kind === 'article') {
      const payload = { ...event.value, revision: 1, ingestedAt };
      records.articles.push({
        key: event.key,
        value: JSON.stringify(newEvent(topics.articlesIngested.name, payload, 'bench')),
      });
    } else if (event.kind === 'interaction') {
      const payload = { ...event.value, ingestedAt };
      records.interactions.push({
        key: event.key,
        value: JSON.stringify(newEvent(topics.interactionsIngested.name, payload, 'bench')),
      });
      if (records.interactions.length === n) return records;
    }
  }
  throw new Error(`the pilot world has fewer than ${n} interactions`);
}

export async function startFeatureStore(
  kafkaTopics: TestTopics,
  partitions: number,
  extraEnv: Record<string, string> = {},
) {
  const schema = uniqueName('bench_features');
  const artifactDir = await mkdtemp(join(tmpdir(), 'bench-artifacts-'));
  const service = await startService(
    'feature-store',
    {
      DB_SCHEMA: schema,
      KAFKA_TOPIC_PREFIX: kafkaTopics.prefix,
      KAFKA_PARTITIONS_CONSUMED_CONCURRENTLY: String(partitions),
      ARTIFACT_STORE_DIR: artifactDir,
      FEATURES_ADMIN_API_KEYS: `bench:${ADMIN_KEY}`,
      LOG_LEVEL: 'error',
      ...extraEnv,
    },
    {
      nodeArgs: process.env['BENCH_PROFILE_DIR']
        ? ['--cpu-prof', '--cpu-prof-dir', process.env['BENCH_PROFILE_DIR']]
        : [],
    },
  );
  return {
    kafkaTopics,
    schema,
    artifactDir,
    service,
    stop: async (db: DataSource) => {
      await service.stop();
      await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await kafkaTopics.remove();
      await rm(artifactDir, { recursive: true, force: true });
    },
  };
}

/**
 * Feature updates: the pilot world's first events are on articles.ingested / interactions.ingested
 * before the feature store starts (so the load generator does not share the 2 cores with it); the
 * clock starts when its process is launched and stops when every interaction is in the offline log
 * and folded into the online features. Also reported: when the compacted topics had caught up.
 */
async function updateRun(db: DataSource, records: Records, partitions: number) {
  const kafkaTopics = await createTestTopics(allTopics, partitions);
  // Serialised before the clock; the publisher splits them into requests the broker accepts.
  const publisher = new EventPublisher(kafkaTopics.kafka, kafkaTopics.prefix);
  await publisher.publishSerialized(topics.articlesIngested.name, records.articles);
  await publisher.publishSerialized(topics.interactionsIngested.name, records.interactions);
  await publisher.disconnect();

  const bareSeconds = await bareConsumerSeconds(
    kafkaTopics,
    records.interactions.length + records.articles.length,
  );
  const started = performance.now();
  const world = await startFeatureStore(kafkaTopics, partitions);
  const readySeconds = (performance.now() - started) / 1000;
  const s = `"${world.schema}"`;
  try {
    const n = records.interactions.length;
    const count = async (sql: string) => Number((await db.query(sql))[0].n);
    await waitFor(
      `${n} interactions applied`,
      async () => (await count(`SELECT count(*) AS n FROM ${s}.interaction_log`)) >= n,
      { timeoutMs: 600_000, intervalMs: 100 },
    );
    const seconds = (performance.now() - started) / 1000;
    await waitFor(
      'compacted topics caught up',
      async () =>
        (await count(
          `SELECT (SELECT count(*) FROM ${s}.user_features WHERE version > published_version) +
                  (SELECT count(*) FROM ${s}.article_features WHERE version > published_version) AS n`,
        )) === 0,
      { timeoutMs: 600_000, intervalMs: 100 },
    );
    const publishedSeconds = (performance.now() - started) / 1000;
    const events = n + records.articles.length;
    return {
      seconds,
      readySeconds,
      publishedSeconds,
      rate: events / seconds,
      events,
      bareRate: events / bareSeconds,
    };
  } finally {
    await world.stop(db);
  }
}

/**
 * The baseline, measured in the same run on the same topics: a bare kafkajs consumer that only
 * parses each message (no validation, no database), from its creation until it has read them all.
 */
export async function bareConsumerSeconds(
  kafkaTopics: TestTopics,
  total: number,
  topicNames: string[] = [topics.articlesIngested.name, topics.interactionsIngested.name],
): Promise<number> {
  const consumer = kafkaTopics.kafka.consumer({
    groupId: uniqueName('bench-bare'),
    maxBytesPerPartition: 4 * 2 ** 20,
  });
  const started = performance.now();
  let seen = 0;
  await consumer.connect();
  try {
    await consumer.subscribe({
      topics: topicNames.map((name) => physicalTopic(kafkaTopics.prefix, name)),
      fromBeginning: true,
    });
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachBatch: async ({ batch }) => {
          for (const message of batch.messages) JSON.parse(message.value?.toString() ?? 'null');
          seen += batch.messages.length;
          if (seen >= total) resolve();
        },
      });
    });
    return (performance.now() - started) / 1000;
  } finally {
    await consumer.disconnect();
  }
}

/** The pilot world's 7 days up to the current minute, the last day for validation. */
export function pilotWindow() {
  const end = Math.floor(Date.now() / 60_000) * 60_000;
  return {
    windowStart: new Date(end - 7 * 86_400_000).toISOString(),
    windowEnd: new Date(end).toISOString(),
    validationHours: 24,
  };
}

/** POST /v1/datasets; the manifest of the (new or existing) dataset. */
export async function requestSnapshot(
  serviceUrl: string,
  window: ReturnType<typeof pilotWindow>,
): Promise<Manifest> {
  const response = await fetch(`${serviceUrl}/v1/datasets`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': ADMIN_KEY },
    body: JSON.stringify(window),
  });
  const body = await response.json();
  if (response.status >= 300) throw new Error(`snapshot failed: ${response.status} ${JSON.stringify(body)}`);
  return body as Manifest;
}

/** Loads the whole pilot world into the offline store with bulk statements (the snapshot's input, not what is timed). */
export async function loadPilotOfflineStore(
  db: DataSource,
  schema: string,
  world: World,
): Promise<{ interactions: number; articles: number }> {
  const s = `"${schema}"`;
  const kind = { impression: 0, click: 1, read: 2 } as const;
  let interactions: unknown[] = [];
  let articles: unknown[] = [];
  let totals = { interactions: 0, articles: 0 };
  // The world publishes each article before its reads, so online every read is weighed by category.
  const categoryOf = new Map<string, string>();
  const flush = async () => {
    if (articles.length > 0) {
      await db.query(
        `INSERT INTO ${s}.article_versions (article_id, revision, valid_from, category, publisher, language, token_hashes, published_at, flagged, cause)
         SELECT a, 1, p, c, pub, l, h, p, false, 'revision' FROM json_to_recordset($1::json) AS x(a text, c text, pub text, l text, h int[], p timestamptz)`,
        [JSON.stringify(articles)],
      );
      totals.articles += articles.length;
      articles = [];
    }
    if (interactions.length > 0) {
      await db.query(
        `INSERT INTO ${s}.interaction_log (event_id, user_id, article_id, kind, dwell_seconds, occurred_at, region, category)
         SELECT e, u, a, k, d, t, r, c FROM json_to_recordset($1::json)
           AS x(e text, u text, a text, k smallint, d double precision, t timestamptz, r text, c text)`,
        [JSON.stringify(interactions)],
      );
      totals.interactions += interactions.length;
      interactions = [];
    }
  };
  for (const event of simulate(world) as Generator<WorldEvent>) {
    if (event.kind === 'article') {
      const a = event.value;
      categoryOf.set(a.articleId, a.category);
      articles.push({
        a: a.articleId,
        c: a.category,
        pub: a.publisher,
        l: a.language ?? null,
        h: articleTokenHashes(a.title, a.body),
        p: a.publishedAt,
      });
    } else if (event.kind === 'interaction') {
      const i = event.value;
      interactions.push({
        e: i.eventId,
        u: i.userId,
        a: i.articleId,
        k: kind[i.type],
        d: i.dwellSeconds ?? null,
        t: i.occurredAt,
        r: i.region ?? null,
        c: i.type === 'read' ? (categoryOf.get(i.articleId) ?? null) : null,
      });
      if (interactions.length === 50_000) await flush();
    }
  }
  await flush();
  totals = { ...totals };
  await db.query(`ANALYZE ${s}.interaction_log`);
  return totals;
}

export async function benchFeatures(args: {
  n: number;
  runs: number;
  partitions: number;
  parts: ('updates' | 'snapshot')[];
}): Promise<void> {
  const servers = await ensureTestServers();
  const db = await new DataSource({ type: 'postgres', url: servers.databaseUrl }).initialize();
  try {
    console.log(`bench:features on ${machine()}`);
    if (args.parts.includes('updates')) await benchUpdates(db, args);
    if (args.parts.includes('snapshot')) await benchSnapshot(db, args);
  } finally {
    await db.destroy();
  }
}

async function benchUpdates(db: DataSource, args: { n: number; runs: number; partitions: number }) {
  console.log(
    `Feature updates: the first ${args.n} interactions of the pilot world (and the articles before them) waiting on *.ingested (${args.partitions} partitions); the feature store is launched and timed until all are folded into the features`,
  );
  const records = pilotIngested(args.n);
  const runs = [];
  for (let i = 1; i <= args.runs; i++) {
    const run = await updateRun(db, records, args.partitions);
    runs.push(run);
    console.log(
      `  run ${i}: ${run.events} events in ${run.seconds.toFixed(1)} s from launch (ready after ${run.readySeconds.toFixed(1)} s) = ${Math.round(run.rate)} events/s; compacted topics caught up at ${run.publishedSeconds.toFixed(1)} s; bare consumer ${Math.round(run.bareRate)} events/s`,
    );
  }
  console.log(`  median: ${Math.round(median(runs.map((r) => r.rate)))} events/s (target >= 30,000)`);
  console.log(
    `  baseline in the same runs, a bare consumer that only parses the messages: ${Math.round(median(runs.map((r) => r.bareRate)))} events/s; the feature store makes ${Math.round(100 * median(runs.map((r) => r.rate / r.bareRate)))}% of it`,
  );
}

async function benchSnapshot(db: DataSource, args: { runs: number }) {
  console.log(
    'Snapshot of the pilot workload: 15,000 readers over 7 days, loaded into the offline store, then POST /v1/datasets',
  );
  const world = await startFeatureStore(await createTestTopics(allTopics, 3), 3, {
    DATASET_GATE_MIN_READS: '1',
  });
  try {
    const loadStarted = performance.now();
    const loaded = await loadPilotOfflineStore(
      db,
      world.schema,
      new World(worldConfig('pilot', { start: startForNow(7) })),
    );
    console.log(
      `  loaded ${loaded.interactions} interactions and ${loaded.articles} articles in ${((performance.now() - loadStarted) / 1000).toFixed(0)} s`,
    );
    // One explicit window for every run: the same data must give the same dataset each time.
    const window = pilotWindow();
    const snapshotRuns: number[] = [];
    for (let i = 1; i <= args.runs; i++) {
      const started = performance.now();
      const manifest = await requestSnapshot(world.service.url, window);
      const seconds = (performance.now() - started) / 1000;
      snapshotRuns.push(seconds);
      console.log(
        `  run ${i}: ${seconds.toFixed(1)} s, ${manifest.rows.train} train + ${manifest.rows.validation} validation examples, ${manifest.rows.readers} readers, ${manifest.rows.articles} articles, ${(manifest.file.bytes / 2 ** 20).toFixed(0)} MiB, id ${manifest.datasetId.slice(0, 12)}`,
      );
    }
    console.log(`  median: ${median(snapshotRuns).toFixed(1)} s (target <= 60 s)`);
  } finally {
    await world.stop(db);
  }
}

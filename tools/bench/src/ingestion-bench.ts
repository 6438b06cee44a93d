import { allTopics, topicExamples, topics } from '@newsroom/contracts';
import { World, simulate, startForNow, worldConfig } from '@newsroom/datagen';
import { physicalTopic } from '@newsroom/messaging';
import { createTestTopics } from '@newsroom/messaging/testing';
import { ensureTestServers, startService, uniqueName, waitFor } from '@newsroom/testing';
import { DataSource } from 'typeorm';
import { machine, median, percentile } from './stats';

const API_KEY = 'bench-producer-0123456789';

/**
 * The first `n` interactions of the pilot synthetic world (15,000 readers): impressions, clicks and
 * reads as the world's readers produce them, serialised once before the clock starts.
 */
function pilotInteractions(n: number): { key: string; value: string }[] {
  const records: { key: string; value: string }[] = [];
  for (const event of simulate(new World(worldConfig('pilot', { start: startForNow(7) })))) {
    if (event.kind !== 'interaction') continue;
    records.push({ key: event.key, value: JSON.stringify(event.value) });
    if (records.length === n) return records;
  }
  throw new Error(`the pilot world has fewer than ${n} interactions`);
}

/** Distinct interactions for the HTTP path (each run needs fresh event ids). */
function interaction(run: string, i: number) {
  return {
    ...topicExamples.interactionsRaw.value,
    eventId: `${run}-${i}`,
    userId: `reader-${i % 15_000}`,
    articleId: `article-${(i * 7) % 4_000}`,
    sessionId: `session-${Math.floor(i / 8)}`,
    dwellSeconds: (i % 180) + 0.5,
    occurredAt: new Date(Date.now() - (i % 3_600) * 1000).toISOString(),
  };
}

interface KafkaRun {
  seconds: number;
  produceSeconds: number;
  rate: number;
}

/**
 * End to end through Kafka: the ingestion service is up and idle; the clock starts when the first
 * of N interactions is produced to interactions.raw and stops when all N are stored in the
 * warehouse and all N interactions.ingested events are on their topic.
 */
async function kafkaRun(
  db: DataSource,
  records: { key: string; value: string }[],
  partitions: number,
): Promise<KafkaRun> {
  const n = records.length;
  const kafkaTopics = await createTestTopics(allTopics, partitions);
  const schema = uniqueName('bench_warehouse');
  const service = await startService(
    'ingestion',
    {
      DB_SCHEMA: schema,
      KAFKA_TOPIC_PREFIX: kafkaTopics.prefix,
      KAFKA_PARTITIONS_CONSUMED_CONCURRENTLY: String(partitions),
      LOG_LEVEL: 'error',
    },
    { nodeArgs: profileArgs() },
  );
  const admin = kafkaTopics.kafka.admin();
  await admin.connect();
  try {
    const producer = kafkaTopics.kafka.producer();
    await producer.connect();
    const started = performance.now();
    const raw = physicalTopic(kafkaTopics.prefix, topics.interactionsRaw.name);
    for (let offset = 0; offset < n; offset += 10_000) {
      await producer.send({ topic: raw, messages: records.slice(offset, offset + 10_000) });
    }
    const produceSeconds = (performance.now() - started) / 1000;
    await producer.disconnect();
    const ingested = physicalTopic(kafkaTopics.prefix, topics.interactionsIngested.name);
    await waitFor(
      `${n} interactions stored and published`,
      async () => {
        const offsets = await admin.fetchTopicOffsets(ingested);
        return offsets.reduce((sum, p) => sum + Number(p.high), 0) >= n;
      },
      { timeoutMs: 600_000, intervalMs: 50 },
    );
    const seconds = (performance.now() - started) / 1000;
    const [{ stored }] = await db.query(`SELECT count(*)::int AS stored FROM "${schema}".interactions`);
    if (stored !== n) throw new Error(`expected ${n} stored interactions, found ${stored}`);
    return { seconds, produceSeconds, rate: n / seconds };
  } finally {
    await admin.disconnect();
    await service.stop();
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await kafkaTopics.remove();
  }
}

/** HTTP: batches of `batchSize` items POSTed by `concurrency` clients; events/s and per-request latency. */
async function httpRun(db: DataSource, batches: number, batchSize: number, concurrency: number) {
  const kafkaTopics = await createTestTopics(allTopics, 3);
  const schema = uniqueName('bench_warehouse');
  const service = await startService('ingestion', {
    DB_SCHEMA: schema,
    KAFKA_TOPIC_PREFIX: kafkaTopics.prefix,
    INGESTION_API_KEYS: `bench:${API_KEY}`,
    INGESTION_RATE_LIMIT_PER_SECOND: '100000',
    LOG_LEVEL: 'error',
  });
  try {
    const run = uniqueName('h');
    const bodies = Array.from({ length: batches }, (_, b) =>
      JSON.stringify({
        items: Array.from({ length: batchSize }, (_, i) => interaction(run, b * batchSize + i)),
      }),
    );
    const latencies: number[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < bodies.length) {
          const body = bodies[next++];
          const t0 = performance.now();
          const response = await fetch(`${service.url}/v1/interactions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
            body,
          });
          const result = (await response.json()) as { accepted: number };
          if (response.status !== 202 || result.accepted !== batchSize) {
            throw new Error(`unexpected answer ${response.status}: ${JSON.stringify(result).slice(0, 200)}`);
          }
          latencies.push(performance.now() - t0);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    return {
      rate: (batches * batchSize) / seconds,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
    };
  } finally {
    await service.stop();
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await kafkaTopics.remove();
  }
}

export async function benchIngestion(args: { n: number; runs: number; partitions: number }): Promise<void> {
  const servers = await ensureTestServers();
  const db = await new DataSource({ type: 'postgres', url: servers.databaseUrl }).initialize();
  try {
    console.log(`bench:ingestion on ${machine()}`);
    console.log(
      `Kafka path: the first ${args.n} interactions of the pilot world on interactions.raw (${args.partitions} partitions) until stored and interactions.ingested published`,
    );
    const records = pilotInteractions(args.n);
    const kafkaRuns: KafkaRun[] = [];
    for (let i = 1; i <= args.runs; i++) {
      const result = await kafkaRun(db, records, args.partitions);
      kafkaRuns.push(result);
      console.log(
        `  run ${i}: ${result.seconds.toFixed(1)} s end to end (producing took ${result.produceSeconds.toFixed(1)} s) = ${Math.round(result.rate)} events/s`,
      );
    }
    const kafkaMedian = median(kafkaRuns.map((r) => r.rate));
    console.log(`  median: ${Math.round(kafkaMedian)} events/s (target >= 20,000)`);

    console.log('HTTP path: 1,000-item batches, 4 concurrent clients, 60 batches per run');
    const httpRuns = [];
    for (let i = 1; i <= args.runs; i++) {
      const result = await httpRun(db, 60, 1_000, 4);
      httpRuns.push(result);
      console.log(
        `  run ${i}: ${Math.round(result.rate)} events/s, p50 ${result.p50.toFixed(0)} ms, p99 ${result.p99.toFixed(0)} ms per batch`,
      );
    }
    console.log(
      `  median: ${Math.round(median(httpRuns.map((r) => r.rate)))} events/s, p99 ${median(httpRuns.map((r) => r.p99)).toFixed(0)} ms per 1,000-item batch`,
    );
  } finally {
    await db.destroy();
  }
}

/** BENCH_PROFILE_DIR=dir writes a CPU profile of the service under test there (open it in Chrome DevTools). */
function profileArgs(): string[] {
  const dir = process.env['BENCH_PROFILE_DIR'];
  return dir ? ['--cpu-prof', '--cpu-prof-dir', dir] : [];
}

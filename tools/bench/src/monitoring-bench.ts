import { allTopics, newEvent, topics } from '@newsroom/contracts';
import { World, readsOnly, simulate, startForNow, worldConfig } from '@newsroom/datagen';
import { EventPublisher } from '@newsroom/messaging';
import { createTestTopics } from '@newsroom/messaging/testing';
import { ensureTestServers, startService, uniqueName, waitFor } from '@newsroom/testing';
import { DataSource } from 'typeorm';
import { bareConsumerSeconds } from './features-bench';
import { machine, median } from './stats';

type Record_ = { key: string; value: string };
interface Load {
  articles: Record_[];
  served: Record_[];
  interactions: Record_[];
  reads: number;
}

/**
 * What monitoring folds from the pilot world as its producers send it (articles and reads, as
 * ingestion publishes them), up to `n` reads, and one served list per reader at the start of the
 * last day, of that day's first articles: the reads of the last day are joined with them.
 */
function pilotLoad(n: number): Load {
  const world = new World(worldConfig('pilot', { start: startForNow(7) }));
  const load: Load = { articles: [], served: [], interactions: [], reads: 0 };
  const lastDay = world.config.days - 1;
  const lastDayArticles: string[] = [];
  const ingestedAt = new Date().toISOString();
  for (const event of readsOnly(simulate(world))) {
    if (event.kind === 'article') {
      const payload = { ...event.value, revision: 1, ingestedAt };
      load.articles.push({
        key: event.key,
        value: JSON.stringify(newEvent(topics.articlesIngested.name, payload, 'bench')),
      });
      if (event.day === lastDay && lastDayArticles.length < 200) lastDayArticles.push(event.value.articleId);
    } else if (event.kind === 'interaction') {
      const payload = { ...event.value, ingestedAt };
      load.interactions.push({
        key: event.key,
        value: JSON.stringify(newEvent(topics.interactionsIngested.name, payload, 'bench')),
      });
      if (++load.reads === n) break;
    }
  }
  const servedAt = new Date(world.startMs + lastDay * 86_400_000).toISOString();
  for (let u = 0; u < world.readerCount && lastDayArticles.length >= 10; u++) {
    const userId = world.readerId(u);
    const items = Array.from({ length: 10 }, (_, k) => ({
      articleId: lastDayArticles[(u * 7 + k * 13) % lastDayArticles.length],
      rank: k + 1,
      score: 1 - k / 10,
    }));
    const payload = {
      requestId: `bench-${u}`,
      userId,
      modelVersion: 'bench',
      source: 'personalized' as const,
      items,
    };
    load.served.push({
      key: userId,
      value: JSON.stringify(
        newEvent(topics.recommendationsServed.name, payload, 'bench', { occurredAt: servedAt }),
      ),
    });
  }
  return load;
}

/**
 * One run: the load waits on its topics before monitoring starts (so the load generator does not
 * share the cores with it); the clock runs from the launch of its process until every read is
 * folded and every served list stored. A bare kafkajs consumer that only parses the same records,
 * in the same run, is the baseline. Monitoring's CPU seconds (one thread) and memory come from its /metrics.
 */
async function run(db: DataSource, load: Load, partitions: number) {
  const kafkaTopics = await createTestTopics(allTopics, partitions);
  const publisher = new EventPublisher(kafkaTopics.kafka, kafkaTopics.prefix);
  await publisher.publishSerialized(topics.articlesIngested.name, load.articles);
  await publisher.publishSerialized(topics.recommendationsServed.name, load.served);
  await publisher.publishSerialized(topics.interactionsIngested.name, load.interactions);
  await publisher.disconnect();
  const records = load.articles.length + load.served.length + load.interactions.length;
  const bareSeconds = await bareConsumerSeconds(kafkaTopics, records, [
    topics.articlesIngested.name,
    topics.recommendationsServed.name,
    topics.interactionsIngested.name,
  ]);
  const schema = uniqueName('bench_monitoring');
  const started = performance.now();
  const service = await startService('monitoring', {
    DB_SCHEMA: schema,
    KAFKA_TOPIC_PREFIX: kafkaTopics.prefix,
    KAFKA_PARTITIONS_CONSUMED_CONCURRENTLY: String(partitions),
    LOG_LEVEL: 'error',
  });
  const s = `"${schema}"`;
  try {
    let servedSeconds = 0;
    await waitFor(
      'every read folded and list stored',
      async () => {
        const [{ reads, lists }] = await db.query(
          `SELECT (SELECT coalesce(sum(value), 0)::int FROM ${s}.hourly_counts WHERE metric = 'reads') AS reads,
                  (SELECT count(*)::int FROM ${s}.served_lists) AS lists`,
        );
        if (lists === load.served.length && servedSeconds === 0)
          servedSeconds = (performance.now() - started) / 1000;
        return reads === load.reads && lists === load.served.length;
      },
      { timeoutMs: 900_000, intervalMs: 100 },
    );
    const seconds = (performance.now() - started) / 1000;
    const [{ joined }] = await db.query(
      `SELECT count(*)::int AS joined FROM ${s}.served_lists WHERE cardinality(read_ranks) > 0`,
    );
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    const metric = (name: string) =>
      Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(metrics)?.[1]);
    return {
      seconds,
      rate: load.reads / seconds,
      bareRate: records / bareSeconds,
      servedPerSecond: load.served.length / servedSeconds,
      joined,
      cpuSeconds: metric('process_cpu_seconds_total'),
      rssMiB: metric('process_resident_memory_bytes') / 2 ** 20,
      heapMiB: metric('nodejs_heap_size_used_bytes') / 2 ** 20,
    };
  } finally {
    await service.stop();
    await db.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    await kafkaTopics.remove();
  }
}

export async function benchMonitoring(args: { n: number; runs: number; partitions: number }): Promise<void> {
  const servers = await ensureTestServers();
  const db = await new DataSource({ type: 'postgres', url: servers.databaseUrl }).initialize();
  try {
    console.log(`bench:monitoring on ${machine()}`);
    const load = pilotLoad(args.n);
    console.log(
      `load: ${load.reads} reads and ${load.articles.length} articles of the pilot world, ${load.served.length} served lists; ${args.partitions} partitions`,
    );
    const results = [];
    for (let i = 1; i <= args.runs; i++) {
      const r = await run(db, load, args.partitions);
      results.push(r);
      console.log(
        `run ${i}: ${Math.round(r.rate)} reads/s folded (${r.seconds.toFixed(1)} s incl. start-up; ` +
          `${Math.round(load.reads / r.cpuSeconds)} reads per CPU-second of the service's one thread), ` +
          `${Math.round(r.servedPerSecond)} served lists stored/s, ${r.joined} lists joined with later reads; ` +
          `bare consumer ${Math.round(r.bareRate)} records/s; RSS ${r.rssMiB.toFixed(0)} MiB, heap ${r.heapMiB.toFixed(0)} MiB`,
      );
    }
    const rate = median(results.map((r) => r.rate));
    const bare = median(results.map((r) => r.bareRate));
    console.log(
      `median: ${Math.round(rate)} reads/s folded into drift, volume and quality state (target ≥ 20,000), ` +
        `${Math.round(median(results.map((r) => load.reads / r.cpuSeconds)))} per CPU-second; ` +
        `bare consumer ${Math.round(bare)} records/s (monitoring at ${((100 * rate) / bare).toFixed(0)}% of it); ` +
        `${Math.round(median(results.map((r) => r.servedPerSecond)))} served lists/s; ` +
        `RSS after the load ${median(results.map((r) => r.rssMiB)).toFixed(0)} MiB`,
    );
  } finally {
    await db.destroy();
  }
}

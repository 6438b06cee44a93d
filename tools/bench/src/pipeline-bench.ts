import { ServiceName, allTopics, serviceNames, topics } from '@newsroom/contracts';
import { World, readsOnly, simulate, startForNow, worldConfig } from '@newsroom/datagen';
import { EventPublisher, physicalTopic } from '@newsroom/messaging';
import { TestTopics, createTestTopics, topicSize } from '@newsroom/messaging/testing';
import { ServiceProcess, ensureTestServers, startService, uniqueName, waitFor } from '@newsroom/testing';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { machine, median } from './stats';

type Record = { key: string; value: string };
interface RawRecords {
  articles: Record[];
  reads: Record[];
}

/** What `npm start` runs, in its order; each gets its own schema, consumer group and the run's topics. */
const platform = serviceNames;

/** The pilot world as a producer without impression logs sends it: articles and the first `n` reads. */
function pilotReads(n: number): RawRecords {
  const records: RawRecords = { articles: [], reads: [] };
  for (const event of readsOnly(simulate(new World(worldConfig('pilot', { start: startForNow(7) }))))) {
    if (event.kind === 'article')
      records.articles.push({ key: event.key, value: JSON.stringify(event.value) });
    else if (event.kind === 'interaction') {
      records.reads.push({ key: event.key, value: JSON.stringify(event.value) });
      if (records.reads.length === n) return records;
    }
  }
  throw new Error(`the pilot world has fewer than ${n} reads`);
}

/** CPU seconds a process has used so far (user + system), from /proc. */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (in parentheses) may hold spaces: fields start after its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** CPU seconds used so far by every process whose command line matches (the database's backends). */
function cpuSecondsOf(pattern: RegExp): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (pattern.test(readFileSync(`/proc/${entry}/cmdline`, 'utf8'))) total += cpuSeconds(Number(entry));
    } catch {
      // The process ended meanwhile.
    }
  }
  return total;
}

/** The servers the services share: every PostgreSQL process and the Kafka broker. */
const servers: [string, RegExp][] = [
  ['postgresql', /^postgres/],
  ['kafka', /kafka\.Kafka/],
];

async function publishRaw(kafkaTopics: TestTopics, records: RawRecords): Promise<void> {
  const publisher = new EventPublisher(kafkaTopics.kafka, kafkaTopics.prefix);
  try {
    await publisher.publishSerialized(topics.articlesRaw.name, records.articles);
    await publisher.publishSerialized(topics.interactionsRaw.name, records.reads);
  } finally {
    await publisher.disconnect();
  }
}

interface Run {
  seconds: number;
  rate: number;
  cpu: [string, number][];
}

/**
 * One measurement: the services named in `running` are up and idle; the clock starts when the
 * records are produced to the raw topics (as a producer would, sharing the cores) and stops when
 * `done` says every read got where it goes. CPU seconds of each service, and of the database and
 * the broker, over that time are reported.
 */
async function measure(
  db: DataSource,
  records: RawRecords,
  partitions: number,
  running: readonly ServiceName[],
  done: (world: { services: Map<string, ServiceProcess>; kafkaTopics: TestTopics }) => Promise<boolean>,
): Promise<Run> {
  const kafkaTopics = await createTestTopics(allTopics, partitions);
  const artifactDir = await mkdtemp(join(tmpdir(), 'bench-pipeline-'));
  const schemas = new Map<string, string>();
  const services: [string, ServiceProcess][] = [];
  const start = async (name: string) => {
    const schema = uniqueName(`bench_${name.replace(/-/g, '_')}`);
    schemas.set(name, schema);
    const service = await startService(
      name,
      {
        DB_SCHEMA: schema,
        KAFKA_TOPIC_PREFIX: kafkaTopics.prefix,
        KAFKA_GROUP_ID: `${kafkaTopics.prefix}${name}`,
        ARTIFACT_STORE_DIR: artifactDir,
        LOG_LEVEL: 'error',
      },
      { readyTimeoutMs: 120_000 },
    );
    services.push([name, service]);
  };
  try {
    await Promise.all(running.map(start));
    const cpuNow = (): [string, number][] => [
      ...services.map(([name, s]): [string, number] => [name, cpuSeconds(s.process.pid)]),
      ...servers.map(([name, pattern]): [string, number] => [name, cpuSecondsOf(pattern)]),
    ];
    const cpuBefore = new Map(cpuNow());
    const started = performance.now();
    await publishRaw(kafkaTopics, records);
    await waitFor('every read folded', () => done({ services: new Map(services), kafkaTopics }), {
      timeoutMs: 900_000,
      intervalMs: 250,
    });
    const seconds = (performance.now() - started) / 1000;
    const cpu = cpuNow().map(([name, total]): [string, number] => [name, total - (cpuBefore.get(name) ?? 0)]);
    return { seconds, rate: (records.reads.length + records.articles.length) / seconds, cpu };
  } finally {
    await Promise.all(services.map(([, s]) => s.stop()));
    for (const schema of schemas.values()) await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await kafkaTopics.remove();
    await rm(artifactDir, { recursive: true, force: true });
  }
}

/**
 * The fold as the demo and a newsroom's first day see it: the pilot world's articles and first
 * `n` reads through ingestion into the feature store with every service of the platform running,
 * against ingestion's own rate measured alone in the same run (stored and announced on
 * interactions.ingested). Medians of `runs`.
 */
export async function benchPipeline(args: { n: number; runs: number; partitions: number }) {
  console.log(`bench:pipeline on ${machine()}`);
  const servers = await ensureTestServers();
  const db = await new DataSource({ type: 'postgres', url: servers.databaseUrl }).initialize();
  const records = pilotReads(args.n);
  const events = records.reads.length + records.articles.length;
  console.log(
    `${records.articles.length} articles and ${records.reads.length} reads of the pilot world (${events} events), ${args.partitions} partitions`,
  );
  // From the service's own counter: a count(*) of the log every poll would load the database measured.
  const applied = async (featureStore: ServiceProcess | undefined) => {
    const text = await (await fetch(`${featureStore?.url}/metrics`)).text();
    return Number(
      /^features_events_applied_total\{kind="interaction",outcome="applied"\} (\S+)$/m.exec(text)?.[1] ?? 0,
    );
  };
  const alone: Run[] = [];
  const whole: Run[] = [];
  try {
    for (let run = 1; run <= args.runs; run++) {
      const solo = await measure(db, records, args.partitions, ['ingestion'], async ({ kafkaTopics }) => {
        const ingested = physicalTopic(kafkaTopics.prefix, topics.interactionsIngested.name);
        return (await topicSize(kafkaTopics.kafka, ingested)) >= records.reads.length;
      });
      alone.push(solo);
      const all = await measure(
        db,
        records,
        args.partitions,
        platform,
        async ({ services }) => (await applied(services.get('feature-store'))) >= records.reads.length,
      );
      whole.push(all);
      console.log(
        `run ${run}: ingestion alone ${Math.round(solo.rate)} events/s (${solo.seconds.toFixed(1)} s); ` +
          `whole platform, into the feature store ${Math.round(all.rate)} events/s (${all.seconds.toFixed(1)} s); ratio ${(all.rate / solo.rate).toFixed(2)}`,
      );
      const cpu = (r: Run) => r.cpu.map(([name, s]) => `${name} ${s.toFixed(1)}`).join(', ');
      console.log(`  CPU seconds, ingestion alone: ${cpu(solo)}`);
      console.log(`  CPU seconds, whole platform: ${cpu(all)}`);
    }
  } finally {
    await db.destroy();
  }
  const rate = median(whole.map((r) => r.rate));
  const soloRate = median(alone.map((r) => r.rate));
  console.log(
    `\nmedian of ${args.runs}: whole platform ${Math.round(rate)} events/s end to end (target >= 10,000), ` +
      `ingestion alone ${Math.round(soloRate)} events/s; ratio ${(rate / soloRate).toFixed(2)}`,
  );
}

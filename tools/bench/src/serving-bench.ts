import { allTopics, featureGroups, newEvent, recommendationListSize, topics } from '@newsroom/contracts';
import { EventPublisher } from '@newsroom/messaging';
import { createTestTopics } from '@newsroom/messaging/testing';
import {
  ServiceProcess,
  ensureTestServers,
  freePort,
  startService,
  uniqueName,
  waitFor,
} from '@newsroom/testing';
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { DataSource } from 'typeorm';
import { machine, median } from './stats';

const rateConnections = 10;

interface Load {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

const readerKey = 'bench-reader-key-0123456789';

/** autocannon on `base` + a fresh `path()` per request for `seconds`: flat out, or at `rate` req/s. */
async function load(base: string, path: () => string, seconds: number, rate?: number): Promise<Load> {
  const result = await autocannon({
    url: base,
    // At a fixed rate, 10 keep-alive connections (a gateway's pool); flat out, 64.
    connections: rate ? rateConnections : 64,
    pipelining: 1,
    duration: seconds,
    // Explained lists need a reader key; sent with every request alike (bare Fastify ignores it).
    headers: { 'x-api-key': readerKey },
    ...(rate ? { overallRate: rate } : {}),
    requests: [{ setupRequest: (request) => ({ ...request, path: path() }) }],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx + result.timeouts,
  };
}

/** A bare Fastify server answering a constant JSON: the ceiling for any Node HTTP service here. */
async function startBareFastify(): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const app = require('fastify')();
       app.get('/', async () => ({ hello: 'world' }));
       app.listen({ port: ${port}, host: '127.0.0.1' });`,
    ],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}/`;
  await waitFor('bare Fastify', async () => (await fetch(url).catch(() => undefined))?.ok, {
    timeoutMs: 10_000,
    intervalMs: 50,
  });
  return { url, stop: () => child.kill('SIGKILL') };
}

/** A listed item as batch scoring publishes it: facets, origin, and attributions adding up to score − baseline. */
function listedItem(r: number, i: number, baseline: number) {
  const article = (r * 31 + i * 17) % 10_000;
  const score = 1 - i / 100;
  return {
    articleId: `article-${article}`,
    score,
    category: `category-${article % 12}`,
    publisher: `publisher-${article % 40}`,
    origin: i === 3 ? ('fresh' as const) : ('model' as const),
    attributions: Object.fromEntries(
      featureGroups.map((group) => [group, (score - baseline) / featureGroups.length]),
    ),
  };
}

/**
 * Serving: 15,000 readers' lists (50 items each, with category, publisher, origin and attributions
 * as batch scoring publishes them) loaded through Kafka, then autocannon on
 * `GET /v1/users/{random known reader}/recommendations` at 2,000 req/s (latency) and flat out
 * (throughput), and, in the same run, flat out on a bare Fastify hello-world server; then the
 * plain request and `?explain=true` (a database lookup of the reader's attributions) each at
 * 100 req/s.
 */
export async function benchServing(options: { runs: number; seconds: number; readers: number }) {
  const servers = await ensureTestServers();
  const kafkaTopics = await createTestTopics(allTopics, 6);
  const schema = uniqueName('bench_serving');
  const db = await new DataSource({ type: 'postgres', url: servers.databaseUrl }).initialize();
  let serving: ServiceProcess | undefined;
  let bare: { url: string; stop: () => void } | undefined;
  try {
    serving = await startService(
      'serving',
      {
        DB_SCHEMA: schema,
        KAFKA_TOPIC_PREFIX: kafkaTopics.prefix,
        KAFKA_GROUP_ID: `${kafkaTopics.prefix}serving`,
        LOG_LEVEL: 'warn',
        SERVING_API_KEYS: `bench:${readerKey}`,
        SERVING_OPEN_LISTS: 'true',
      },
      {
        nodeArgs: process.env['BENCH_PROFILE_DIR']
          ? ['--cpu-prof', '--cpu-prof-dir', process.env['BENCH_PROFILE_DIR']]
          : [],
      },
    );
    const publisher = new EventPublisher(kafkaTopics.kafka, kafkaTopics.prefix);
    const generatedAt = new Date().toISOString();
    const readers = Array.from({ length: options.readers }, (_, r) => `reader-${r}`);
    await publisher.publish(
      topics.recommendationsGenerated,
      readers.map((userId, r) => ({
        key: userId,
        value: newEvent(
          topics.recommendationsGenerated.name,
          {
            userId,
            modelVersion: 'bench',
            generatedAt,
            revision: 1,
            items: Array.from({ length: recommendationListSize }, (_, i) => listedItem(r, i, 0.1)),
            datasetId: 'b'.repeat(64),
            featureSchemaVersion: 1,
            attributionBaseline: 0.1,
          },
          'bench',
        ),
      })),
    );
    await publisher.disconnect();
    await waitFor(
      'every list in serving',
      async () =>
        Number((await db.query(`SELECT count(*) AS n FROM "${schema}".lists`))[0].n) === readers.length,
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    const last = await fetch(`${serving.url}/v1/users/${readers[readers.length - 1]}/recommendations`);
    const lastBody = (await last.json()) as { source: string };
    if (lastBody.source !== 'personalized') throw new Error('serving has not indexed the lists');

    bare = await startBareFastify();
    const servingBase = serving.url;
    const bareBase = bare.url;
    const readerPath = () =>
      `/v1/users/${readers[Math.floor(Math.random() * readers.length)]}/recommendations?limit=10`;
    const explainPath = () => `${readerPath()}&explain=true`;
    const explained = (await (
      await fetch(`${servingBase}${explainPath()}`, { headers: { 'x-api-key': readerKey } })
    ).json()) as {
      items: { attributions?: unknown }[];
    };
    if (!explained.items.every((item) => item.attributions)) throw new Error('serving explains no item');
    const root = () => '/';
    // Warm-up (JIT, connection pools), not counted.
    await load(servingBase, readerPath, 3);
    await load(bareBase, root, 3);

    await load(servingBase, explainPath, 3, 100);

    const rows: {
      atRate: Load;
      bareAtRate: Load;
      servingMax: Load;
      bareMax: Load;
      plainAt100: Load;
      explainAt100: Load;
    }[] = [];
    for (let run = 1; run <= options.runs; run++) {
      const atRate = await load(servingBase, readerPath, options.seconds, 2_000);
      const bareAtRate = await load(bareBase, root, options.seconds, 2_000);
      const servingMax = await load(servingBase, readerPath, options.seconds);
      const bareMax = await load(bareBase, root, options.seconds);
      const plainAt100 = await load(servingBase, readerPath, options.seconds, 100);
      const explainAt100 = await load(servingBase, explainPath, options.seconds, 100);
      rows.push({ atRate, bareAtRate, servingMax, bareMax, plainAt100, explainAt100 });
      console.log(
        `run ${run}: serving at 2,000 req/s: ${atRate.rps.toFixed(0)} req/s, p50 ${atRate.p50} ms, p99 ${atRate.p99} ms, ` +
          `${atRate.errors} errors | bare Fastify at 2,000 req/s: p50 ${bareAtRate.p50} ms, p99 ${bareAtRate.p99} ms | serving flat out: ${servingMax.rps.toFixed(0)} req/s (p99 ${servingMax.p99} ms) | ` +
          `bare Fastify flat out: ${bareMax.rps.toFixed(0)} req/s | ratio ${(servingMax.rps / bareMax.rps).toFixed(2)} | ` +
          `at 100 req/s: plain p99 ${plainAt100.p99} ms, explain=true p99 ${explainAt100.p99} ms (p50 ${explainAt100.p50} ms, ${explainAt100.errors} errors)`,
      );
    }
    console.log(
      `\nbench:serving on ${machine()}, ${readers.length} readers with 50 items, ${options.seconds} s per load ` +
        `(${rateConnections} connections at 2,000 req/s, 64 flat out), medians of ${options.runs} runs:`,
    );
    console.log(
      `  at 2,000 req/s: p50 ${median(rows.map((r) => r.atRate.p50))} ms, p99 ${median(rows.map((r) => r.atRate.p99))} ms (target p99 <= 5 ms), achieved ${median(rows.map((r) => r.atRate.rps)).toFixed(0)} req/s`,
    );
    console.log(
      `  maximum throughput: serving ${median(rows.map((r) => r.servingMax.rps)).toFixed(0)} req/s, bare Fastify ${median(rows.map((r) => r.bareMax.rps)).toFixed(0)} req/s`,
    );
    console.log(
      `  serving / bare Fastify: ${median(rows.map((r) => r.servingMax.rps / r.bareMax.rps)).toFixed(2)} (target >= 0.50)`,
    );
    console.log(
      `  at 100 req/s: plain p50 ${median(rows.map((r) => r.plainAt100.p50))} ms, p99 ${median(rows.map((r) => r.plainAt100.p99))} ms; ` +
        `explain=true p50 ${median(rows.map((r) => r.explainAt100.p50))} ms, p99 ${median(rows.map((r) => r.explainAt100.p99))} ms`,
    );
    console.log(
      `  errors (non-2xx, timeouts): ${rows.reduce(
        (sum, r) => sum + r.atRate.errors + r.servingMax.errors + r.plainAt100.errors + r.explainAt100.errors,
        0,
      )}`,
    );
  } finally {
    bare?.stop();
    await serving?.stop();
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.destroy();
    await kafkaTopics.remove();
  }
}

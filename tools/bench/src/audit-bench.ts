import { allTopics, newEvent, topics } from '@newsroom/contracts';
import { EventPublisher } from '@newsroom/messaging';
import { createTestTopics } from '@newsroom/messaging/testing';
import { ServiceProcess, ensureTestServers, startService, uniqueName, waitFor } from '@newsroom/testing';
import { DataSource } from 'typeorm';
import { machine, median, percentile } from './stats';

const DAY_MS = 86_400_000;
const auditorKey = 'bench-auditor-key-0123456789';
const datasetId = 'd'.repeat(64);
/** Articles a day's lists are drawn from; a list picks them with probability ∝ 1/popularity rank. */
const ARTICLES_PER_DAY = 2_000;
const ITEMS = 10;

export interface AuditBenchArgs {
  runs: number;
  /** Served responses published for the store rate. */
  responses: number;
  partitions: number;
  /** Pilot traffic of the query part: readers, logins per reader and day, days. */
  readers: number;
  logins: number;
  days: number;
  /** Queries of each kind per run. */
  queries: number;
}

type Serialized = { key: string; value: string };

/** `n` served responses of 10 items, spread over the last 30 days (each day's partition made on demand). */
function servedLoad(n: number, readers: number): Serialized[] {
  const now = Date.now();
  return Array.from({ length: n }, (_, k) => {
    const userId = `reader-${k % readers}`;
    const day = k % 30;
    const items = Array.from({ length: ITEMS }, (_, rank) => ({
      articleId: `a${day}-${(k * 7 + rank * 131) % ARTICLES_PER_DAY}`,
      rank: rank + 1,
      score: 1 - rank / 20,
      origin: rank === 0 && k % 5 === 0 ? ('fresh' as const) : ('list' as const),
    }));
    const payload = {
      requestId: `store-${k}`,
      userId,
      modelVersion: 'v12',
      source: 'personalized' as const,
      generatedAt: new Date(now - day * DAY_MS - 3_600_000).toISOString(),
      items,
      servedAt: new Date(now - day * DAY_MS - (k % 3_600) * 1_000).toISOString(),
      datasetId,
      featureSchemaVersion: 1,
      filtered: k % 10 === 0 ? [{ articleId: `a${day}-flagged`, reason: 'flagged' as const }] : [],
    };
    return {
      key: userId,
      value: JSON.stringify(newEvent(topics.recommendationsServed.name, payload, 'bench')),
    };
  });
}

/** Starts monitoring on its own schema and topics; `stop` also drops them. */
async function startMonitoring(db: DataSource, partitions: number) {
  const kafkaTopics = await createTestTopics(allTopics, partitions);
  const schema = uniqueName('bench_audit');
  let service: ServiceProcess | undefined;
  const stop = async () => {
    await service?.stop();
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await kafkaTopics.remove();
  };
  try {
    service = await startService('monitoring', {
      DB_SCHEMA: schema,
      KAFKA_TOPIC_PREFIX: kafkaTopics.prefix,
      KAFKA_PARTITIONS_CONSUMED_CONCURRENTLY: String(partitions),
      MONITORING_AUDITOR_API_KEYS: `bench:${auditorKey}`,
      MONITORING_API_KEY_RATE: '1000000',
      LOG_LEVEL: 'error',
    });
  } catch (error) {
    await stop();
    throw error;
  }
  const publisher = new EventPublisher(kafkaTopics.kafka, kafkaTopics.prefix);
  const count = async (where = 'true'): Promise<number> =>
    (await db.query(`SELECT count(*)::int AS n FROM "${schema}".audit_responses WHERE ${where}`))[0].n;
  return { service, schema, publisher, count, stop: () => publisher.disconnect().then(stop) };
}

/**
 * Store rate: the responses wait on their topic, then the clock runs from the first response in
 * the trail to the last, through the real consumer path (Kafka → the served handler, which in the
 * same transaction also keeps online quality's served list and counters → PostgreSQL).
 */
async function storeRun(db: DataSource, load: Serialized[], partitions: number) {
  const monitoring = await startMonitoring(db, partitions);
  try {
    await monitoring.publisher.publishSerialized(topics.recommendationsServed.name, load);
    const first = await waitFor(
      'the first response in the trail',
      async () => {
        const stored = await monitoring.count();
        return stored > 0 && { at: performance.now(), stored };
      },
      { timeoutMs: 120_000, intervalMs: 50 },
    );
    await waitFor('every response in the trail', async () => (await monitoring.count()) === load.length, {
      timeoutMs: 900_000,
      intervalMs: 100,
    });
    const seconds = (performance.now() - first.at) / 1000;
    return { perSecond: (load.length - first.stored) / seconds, seconds };
  } finally {
    await monitoring.stop();
  }
}

/**
 * Pilot traffic written straight into the trail's tables (the bench's own schema), a day at a
 * time: every reader logs in `logins` times a day and is served 10 of the day's articles, picked
 * with probability ∝ 1/popularity rank, so the popular articles have tens of thousands of exposures.
 */
async function generateTraffic(
  db: DataSource,
  schema: string,
  args: AuditBenchArgs,
  firstDay: number,
): Promise<void> {
  const s = `"${schema}"`;
  for (let d = 0; d < args.days; d++) {
    const day = new Date(firstDay + d * DAY_MS).toISOString();
    await db.query(
      `INSERT INTO ${s}.audit_responses (user_id, served_at, request_id, model_version, source, region,
         generated_at, dataset_id, feature_schema_version, items, filtered)
       SELECT 'reader-' || u,
              $1::timestamptz + make_interval(secs => login * (86400 / $4) + floor(random() * (86400 / $4))),
              'q' || $2 || '-' || u || '-' || login, 'v12', 'personalized', 'africa', $1::timestamptz, $3, 1,
              (SELECT jsonb_agg(jsonb_build_object('rank', rank, 'articleId', a, 'score', 1 - rank / 20.0,
                        'origin', CASE WHEN rank = 1 AND u % 5 = 0 THEN 'fresh' ELSE 'list' END) ORDER BY rank)
               FROM (SELECT a, row_number() OVER (ORDER BY first) AS rank
                     FROM (SELECT a, min(n) AS first
                           FROM (SELECT 'a' || $2 || '-' || floor(exp(random() * ln($6)))::int AS a, n
                                 FROM generate_series(1, 14 + 0 * (u + login)) n) draws
                           GROUP BY a) distinct_draws
                     ORDER BY first LIMIT ${ITEMS}) picked),
              CASE WHEN u % 10 = 0
                THEN jsonb_build_array(jsonb_build_object('articleId', 'a' || $2 || '-flagged', 'reason', 'flagged'))
                ELSE '[]'::jsonb END
       FROM generate_series(0, $5 - 1) u, generate_series(0, $4 - 1) login`,
      [day, d, datasetId, args.logins, args.readers, ARTICLES_PER_DAY],
    );
    await db.query(
      `INSERT INTO ${s}.audit_exposures (article_id, served_at, request_id, user_id, rank, score, origin)
       SELECT i->>'articleId', r.served_at, r.request_id, r.user_id, (i->>'rank')::int, (i->>'score')::float8, i->>'origin'
       FROM ${s}.audit_responses r, jsonb_array_elements(r.items) i
       WHERE r.served_at >= $1 AND r.served_at < $1::timestamptz + interval '1 day' AND r.request_id LIKE 'q%'`,
      [day],
    );
  }
  await db.query(`ANALYZE ${s}.audit_responses`);
  await db.query(`ANALYZE ${s}.audit_exposures`);
}

/**
 * Milliseconds per HTTP query, sequentially (one auditor at a time): each path's first page and,
 * when there is one, the page after it (through its cursor).
 */
async function timeQueries(url: string, paths: string[]): Promise<number[]> {
  const times: number[] = [];
  const get = async (path: string) => {
    const started = performance.now();
    const response = await fetch(`${url}${path}`, { headers: { 'x-api-key': auditorKey } });
    const body = (await response.json()) as { items?: unknown[]; nextCursor?: string | null };
    times.push(performance.now() - started);
    if (response.status !== 200 || !body.items?.length)
      throw new Error(`${path} answered ${response.status} with ${body.items?.length ?? 0} items`);
    return body.nextCursor;
  };
  for (const path of paths) {
    const cursor = await get(path);
    if (cursor) await get(`${path}&cursor=${cursor}`);
  }
  return times;
}

async function queryRuns(db: DataSource, args: AuditBenchArgs): Promise<void> {
  const monitoring = await startMonitoring(db, 1);
  const s = `"${monitoring.schema}"`;
  try {
    const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
    const firstDay = today - args.days * DAY_MS;
    // One response a day through the consumer creates the days' partitions, as late records would.
    await monitoring.publisher.publishSerialized(
      topics.recommendationsServed.name,
      servedLoad(args.days, 1).map((m, k) => {
        const event = JSON.parse(m.value);
        event.payload.servedAt = new Date(firstDay + k * DAY_MS + 1_000).toISOString();
        return { key: m.key, value: JSON.stringify(event) };
      }),
    );
    await waitFor('a response on every day', async () => (await monitoring.count()) === args.days, {
      timeoutMs: 120_000,
    });
    let started = performance.now();
    await generateTraffic(db, monitoring.schema, args, firstDay);
    const [sizes] = await db.query(
      `SELECT (SELECT count(*) FROM ${s}.audit_responses)::int AS responses,
              (SELECT count(*) FROM ${s}.audit_exposures)::int AS exposures,
              (SELECT sum(pg_total_relation_size(i.inhrelid)) FROM pg_inherits i
               WHERE i.inhparent IN ('${s}.audit_responses'::regclass, '${s}.audit_exposures'::regclass))::float8 AS bytes`,
    );
    console.log(
      `traffic: ${sizes.responses.toLocaleString('en')} responses, ${sizes.exposures.toLocaleString('en')} exposures ` +
        `over ${args.days} days (${args.readers.toLocaleString('en')} readers × ${args.logins} logins a day × ${ITEMS} items), ` +
        `${(sizes.bytes / 2 ** 30).toFixed(2)} GiB with indexes (${Math.round(sizes.bytes / sizes.responses)} bytes a response); ` +
        `generated in ${((performance.now() - started) / 1000).toFixed(0)} s`,
    );
    // Articles asked about in proportion to their exposures (the popular ones are the heavy queries).
    const articles: string[] = (
      await db.query(
        `SELECT article_id FROM ${s}.audit_exposures TABLESAMPLE BERNOULLI (0.1) WHERE request_id LIKE 'q%' LIMIT $1`,
        [args.queries],
      )
    ).map((r: { article_id: string }) => r.article_id);
    const [{ busiest }] = await db.query(
      `SELECT max(n)::int AS busiest FROM (SELECT count(*) AS n FROM ${s}.audit_exposures GROUP BY article_id) c`,
    );
    const from = new Date(firstDay).toISOString();
    const to = new Date(today).toISOString();
    const range = `from=${from}&to=${to}&limit=100`;
    const p99s = { exposures: [] as number[], impressions: [] as number[] };
    const p50s = { exposures: [] as number[], impressions: [] as number[] };
    for (let run = 1; run <= args.runs; run++) {
      started = performance.now();
      const exposures = await timeQueries(
        monitoring.service.url,
        Array.from(
          { length: args.queries },
          (_, k) => `/v1/audit/articles/${articles[k % articles.length]}/exposures?${range}`,
        ),
      );
      const impressions = await timeQueries(
        monitoring.service.url,
        Array.from(
          { length: args.queries },
          (_, k) => `/v1/audit/users/reader-${(k * 7_919 + run) % args.readers}/impressions?${range}`,
        ),
      );
      p99s.exposures.push(percentile(exposures, 99));
      p99s.impressions.push(percentile(impressions, 99));
      p50s.exposures.push(percentile(exposures, 50));
      p50s.impressions.push(percentile(impressions, 50));
      console.log(
        `run ${run}: ${args.queries} articles and readers over all ${args.days} days, pages of 100 (the first, and the next when there is one) — ` +
          `exposures of an article p50 ${percentile(exposures, 50).toFixed(1)} ms, p99 ${percentile(exposures, 99).toFixed(1)} ms; ` +
          `impressions of a reader p50 ${percentile(impressions, 50).toFixed(1)} ms, p99 ${percentile(impressions, 99).toFixed(1)} ms ` +
          `(${exposures.length} and ${impressions.length} pages) ` +
          `(${((performance.now() - started) / 1000).toFixed(1)} s)`,
      );
    }
    console.log(
      `median query latency (HTTP, one auditor at a time; the busiest article has ${busiest.toLocaleString('en')} exposures): ` +
        `exposures p50 ${median(p50s.exposures).toFixed(1)} ms, p99 ${median(p99s.exposures).toFixed(1)} ms; ` +
        `impressions p50 ${median(p50s.impressions).toFixed(1)} ms, p99 ${median(p99s.impressions).toFixed(1)} ms`,
    );
  } finally {
    await monitoring.stop();
  }
}

/**
 * bench:audit — the "why shown" trail: responses stored per second through monitoring's consumer,
 * and the p99 of both audit queries over `days` days of pilot traffic (default 30 days of 15,000
 * readers logging in twice a day, 10 items a response: 900,000 responses, 9 million exposures).
 */
export async function benchAudit(args: AuditBenchArgs): Promise<void> {
  const servers = await ensureTestServers();
  const db = await new DataSource({ type: 'postgres', url: servers.databaseUrl }).initialize();
  try {
    console.log(`bench:audit on ${machine()}`);
    const load = servedLoad(args.responses, args.readers);
    console.log(
      `store: ${load.length.toLocaleString('en')} served responses of ${ITEMS} items over 30 days, ${args.partitions} partitions`,
    );
    const rates: number[] = [];
    for (let run = 1; run <= args.runs; run++) {
      const r = await storeRun(db, load, args.partitions);
      rates.push(r.perSecond);
      console.log(
        `run ${run}: ${Math.round(r.perSecond).toLocaleString('en')} responses/s ` +
          `(${Math.round(r.perSecond * ITEMS).toLocaleString('en')} exposure rows/s), ${r.seconds.toFixed(1)} s`,
      );
    }
    console.log(
      `median: ${Math.round(median(rates)).toLocaleString('en')} responses/s stored in the trail ` +
        `(${Math.round(median(rates) * ITEMS).toLocaleString('en')} exposure rows/s) through the consumer`,
    );
    await queryRuns(db, args);
  } finally {
    await db.destroy();
  }
}

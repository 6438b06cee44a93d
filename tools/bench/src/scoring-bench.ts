import { ArtifactStore } from '@newsroom/artifacts';
import { Article, allTopics, articleTokenHashes, featureSchema, newEvent, topics } from '@newsroom/contracts';
import { World, simulate, startForNow, worldConfig } from '@newsroom/datagen';
import { EventPublisher, physicalTopic } from '@newsroom/messaging';
import { createTestTopics, readAllMessages } from '@newsroom/messaging/testing';
import {
  AttributionBaseline,
  BackendName,
  CandidateScorer,
  FeatureEncoder,
  GroupAttributor,
  ReaderProfile,
  TwoTowerModel,
  ageBucketsAt,
  baselineSampleSize,
  computeAttributionBaseline,
  defaultTrainOptions,
  readerProfileFromFeatures,
  saveModel,
  selectBackend,
  stableSample,
} from '@newsroom/ml';
import { ServiceProcess, ensureTestServers, startService, uniqueName, waitFor } from '@newsroom/testing';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { machine, median, percentile } from './stats';

const DAY = 86_400_000;
const freshnessHours = 48;

interface Read {
  articleId: string;
  dwellSeconds: number;
  at: string;
}

interface PilotReader {
  region?: string;
  reads: Read[];
  dwellByCategory: Map<string, number>;
}

export interface PilotFeatures {
  articles: Map<string, { article: Article; tokenHashes: number[] }>;
  readers: Map<string, PilotReader>;
}

/** The pilot world reduced to what batch scoring keeps: articles' words, readers' latest reads and category mix. */
export function pilotFeatures(): PilotFeatures {
  const features: PilotFeatures = { articles: new Map(), readers: new Map() };
  for (const event of simulate(new World(worldConfig('pilot', { start: startForNow(7) })))) {
    if (event.kind === 'article') {
      features.articles.set(event.key, {
        article: event.value,
        tokenHashes: articleTokenHashes(event.value.title, event.value.body),
      });
    } else if (event.kind === 'interaction' && event.value.type === 'read') {
      const { userId, articleId, dwellSeconds = 0, occurredAt, region } = event.value;
      const reader = features.readers.get(userId) ?? {
        region,
        reads: [] as Read[],
        dwellByCategory: new Map<string, number>(),
      };
      reader.reads.push({ articleId, dwellSeconds, at: occurredAt });
      // The latest reads are what the feature store keeps; trimmed in steps to stay linear.
      if (reader.reads.length > 2 * featureSchema.recentReads)
        reader.reads.splice(0, featureSchema.recentReads);
      const category = features.articles.get(articleId)?.article.category;
      if (category)
        reader.dwellByCategory.set(category, (reader.dwellByCategory.get(category) ?? 0) + dwellSeconds);
      features.readers.set(userId, reader);
    }
  }
  return features;
}

const recentReads = (reads: Read[]) => reads.slice(-featureSchema.recentReads).reverse();
function categoryMix(dwell: Map<string, number>): Record<string, number> {
  const total = [...dwell.values()].reduce((a, b) => a + b, 0);
  return Object.fromEntries([...dwell].map(([c, d]) => [c, total > 0 ? d / total : 0]));
}

function freshPool(features: PilotFeatures): string[] {
  const now = Date.now();
  let newest = 0;
  for (const { article } of features.articles.values()) {
    const at = Date.parse(article.publishedAt);
    if (at <= now && at > newest) newest = at;
  }
  return [...features.articles.values()]
    .filter(({ article }) => Date.parse(article.publishedAt) > newest - freshnessHours * 3_600_000)
    .map(({ article }) => article.articleId)
    .sort();
}

/** An untrained two-tower model over the pilot's categories and publishers (the defaults' shape). */
export function championModel(features: PilotFeatures) {
  const options = defaultTrainOptions;
  const encoder = FeatureEncoder.fromArticles(
    [...features.articles.values()].map(({ article, tokenHashes }) => ({ ...article, tokenHashes })),
    {
      articleTokens: options.articleTokens,
      historyReads: options.historyReads,
      readerTokens: options.readerTokens,
    },
  );
  const model = TwoTowerModel.create(
    {
      tokenBuckets: featureSchema.tokenBuckets,
      categorySlots: encoder.categorySlots,
      publisherSlots: encoder.publisherSlots,
      articleTokens: options.articleTokens,
      readerTokens: options.readerTokens,
      dimensions: options.dimensions,
    },
    42,
  );
  return { model, encoder };
}

const articleContent = (features: PilotFeatures) => (id: string) => {
  const a = features.articles.get(id);
  return a && { tokenHashes: a.tokenHashes, category: a.article.category, publisher: a.article.publisher };
};

const readerProfile = (features: PilotFeatures, reader: PilotReader) =>
  readerProfileFromFeatures(
    { categoryMix: categoryMix(reader.dwellByCategory), recentReads: recentReads(reader.reads) },
    articleContent(features),
  );

/**
 * The champion's attribution baseline as training would store it: the mean terms of up to 2,000
 * pilot readers and articles in stable order (the pilot world stands for the training data).
 */
export function championBaseline(
  features: PilotFeatures,
  model: TwoTowerModel,
  encoder: FeatureEncoder,
): AttributionBaseline {
  const readers = stableSample([...features.readers], ([id]) => id, baselineSampleSize).map(([, r]) =>
    readerProfile(features, r),
  );
  const articles = stableSample([...features.articles.keys()], (id) => id, baselineSampleSize).flatMap(
    (id) => articleContent(features)(id) ?? [],
  );
  return computeAttributionBaseline(model, encoder, readers, articles, 'training-data');
}

/**
 * One thread, in process: the library's scorer over every pilot reader and the fresh pool, with
 * each listed item explained (`explain`: the pool's coalition vectors computed too) or not.
 */
function inProcessRate(
  features: PilotFeatures,
  pool: string[],
  explain: boolean,
): { seconds: number; scores: number } {
  const { model, encoder } = championModel(features);
  const scorer = new CandidateScorer(model, encoder);
  if (explain) scorer.explainWith(new GroupAttributor(model, championBaseline(features, model, encoder)));
  const content = articleContent(features);
  const poolIndex = new Map(pool.map((id, i) => [id, i]));
  const readers = [...features.readers.values()];
  const started = performance.now();
  const candidates = pool.map((id) => content(id) ?? { tokenHashes: [], category: '', publisher: '' });
  // Each candidate's freshness term as of the newest, as batch scoring adds it.
  const publishedAt = pool.map((id) => Date.parse(features.articles.get(id)?.article.publishedAt ?? ''));
  const asOf = publishedAt.reduce((newest, t) => (t > newest ? t : newest), 0);
  scorer.setPool(
    scorer.articleVectors(candidates),
    explain ? scorer.articleCoalitions(candidates) : undefined,
    model.freshnessTerms(ageBucketsAt(asOf, publishedAt)),
  );
  for (let from = 0; from < readers.length; from += 1_000) {
    const chunk = readers.slice(from, from + 1_000);
    const profiles: ReaderProfile[] = chunk.map((r) => readerProfile(features, r));
    const excluded = chunk.map((r) => r.reads.flatMap((read) => poolIndex.get(read.articleId) ?? []));
    scorer.scoreReaders(profiles, excluded, 50);
  }
  const seconds = (performance.now() - started) / 1000;
  scorer.dispose();
  return { seconds, scores: readers.length * pool.length };
}

/** Batch scoring's articles and readers tables filled with the pilot's, as its consumers would. */
export async function bulkLoad(db: DataSource, schema: string, features: PilotFeatures): Promise<void> {
  const articles = [...features.articles.values()].map(({ article, tokenHashes }) => ({
    article_id: article.articleId,
    category: article.category,
    publisher: article.publisher,
    token_hashes: tokenHashes,
    published_at: article.publishedAt,
  }));
  for (let i = 0; i < articles.length; i += 5_000) {
    await db.query(
      `INSERT INTO "${schema}".articles (article_id, revision, category, publisher, token_hashes, published_at)
       SELECT article_id, 1, category, publisher, token_hashes, published_at
       FROM json_to_recordset($1::json) AS x(article_id text, category text, publisher text, token_hashes integer[], published_at timestamptz)`,
      [JSON.stringify(articles.slice(i, i + 5_000))],
    );
  }
  const readers = [...features.readers].map(([userId, r]) => ({
    user_id: userId,
    region: r.region ?? null,
    category_mix: categoryMix(r.dwellByCategory),
    recent_reads: recentReads(r.reads),
  }));
  for (let i = 0; i < readers.length; i += 2_000) {
    await db.query(
      `INSERT INTO "${schema}".readers (user_id, region, category_mix, recent_reads, version, scored_version)
       SELECT user_id, region, category_mix, recent_reads, 1, 1
       FROM json_to_recordset($1::json) AS x(user_id text, region text, category_mix jsonb, recent_reads jsonb)`,
      [JSON.stringify(readers.slice(i, i + 2_000))],
    );
  }
}

/**
 * Batch scoring at the pilot size. (1) The rate: reader × candidate scores per second of one
 * thread (the library's scorer, in process), with and without each listed item's attributions.
 * (2) The service: batch-scoring with the pilot's readers and articles in its tables, timed from
 * `model.promoted` to `scoring.completed`, several promotions without attributions
 * (SCORING_ATTRIBUTIONS=false), then as many with them (the default), on the same tables: the
 * cost of explaining every list is their ratio. (3) Freshness: new articles published to `articles.raw` (ingestion, batch scoring and
 * serving running), each written like a reader's favourite, timed until that reader's served list
 * holds it. Then an extrapolation to full scale.
 */
export async function benchScoring(options: { runs: number; fresh: number; backends: BackendName[] }) {
  let started = performance.now();
  const features = pilotFeatures();
  const pool = freshPool(features);
  console.log(
    `pilot world: ${features.readers.size} readers who read, ${features.articles.size} articles, ` +
      `${pool.length} fresh (${freshnessHours} h) in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );

  // Explained (every listed item's attributions) and plain, alternately, on the same data; each backend in turn.
  const rates: Record<string, { explained: number[]; plain: number[] }> = Object.fromEntries(
    options.backends.map((b) => [b, { explained: [], plain: [] }]),
  );
  for (const backend of options.backends) {
    await selectBackend([backend]);
    for (let run = 1; run <= options.runs; run++) {
      for (const explain of [false, true]) {
        const { seconds, scores } = inProcessRate(features, pool, explain);
        (explain ? rates[backend].explained : rates[backend].plain).push(scores / seconds);
        console.log(
          `rate on ${backend}, run ${run}${explain ? ', explained' : ''}: ${scores.toLocaleString()} scores in ${seconds.toFixed(1)} s on one thread`,
        );
      }
    }
  }

  const servers = await ensureTestServers();
  const kafkaTopics = await createTestTopics(allTopics, 6);
  const artifactDir = await mkdtemp(join(tmpdir(), 'bench-scoring-'));
  const db = await new DataSource({ type: 'postgres', url: servers.databaseUrl }).initialize();
  const schemas = {
    scoring: uniqueName('bench_scoring'),
    serving: uniqueName('bench_serving'),
    ingestion: uniqueName('bench_ingestion'),
  };
  const common = {
    KAFKA_TOPIC_PREFIX: kafkaTopics.prefix,
    ARTIFACT_STORE_DIR: artifactDir,
    LOG_LEVEL: 'warn',
  };
  const processes: ServiceProcess[] = [];
  const publisher = new EventPublisher(kafkaTopics.kafka, kafkaTopics.prefix);
  try {
    const startScoring = async (env: Record<string, string> = {}) => {
      const service = await startService('batch-scoring', {
        ...common,
        DB_SCHEMA: schemas.scoring,
        KAFKA_GROUP_ID: `${kafkaTopics.prefix}scoring`,
        ...env,
      });
      processes.push(service);
      return service;
    };
    const { model, encoder } = championModel(features);
    const artifact = await saveModel(new ArtifactStore(artifactDir), model, encoder, {
      attributionBaseline: championBaseline(features, model, encoder),
    });
    model.dispose();

    /**
     * One promotion scored by a batch-scoring process of its own, explaining every list or not
     * (SCORING_ATTRIBUTIONS=false), on the same tables: `seconds` is the run's own duration, from
     * its start to its completion, so a new process's join of the consumer group is not counted.
     */
    let promotions = 0;
    const serviceRun = async (backend: BackendName, explain: boolean) => {
      const service = await startScoring({
        ML_BACKENDS: backend,
        ...(explain ? {} : { SCORING_ATTRIBUTIONS: 'false' }),
      });
      if (promotions === 0) await bulkLoad(db, schemas.scoring, features);
      const modelVersion = `bench-${++promotions}`;
      started = performance.now();
      await publisher.publish(topics.modelPromoted, [
        {
          key: modelVersion,
          value: newEvent(
            topics.modelPromoted.name,
            { modelVersion, sequence: promotions, previousVersion: null, artifact, reason: 'bench' },
            'bench',
          ),
        },
      ]);
      const completed = await waitFor(
        `${modelVersion} completed`,
        async () =>
          (
            await readAllMessages(
              kafkaTopics.kafka,
              physicalTopic(kafkaTopics.prefix, topics.scoringCompleted.name),
            )
          )
            .map((m) => JSON.parse(String(m.value)).payload)
            .find((p) => p.modelVersion === modelVersion),
        { timeoutMs: 900_000, intervalMs: 100 },
      );
      const wall = (performance.now() - started) / 1000;
      const [{ bytes }] = await db.query(
        `SELECT avg(octet_length(items::text))::int AS bytes FROM "${schemas.scoring}".lists`,
      );
      console.log(
        `service run ${promotions} (${backend}, ${explain ? 'with' : 'without'} attributions): ${completed.readersScored} readers × ` +
          `${completed.articlesScored} articles in ${(completed.durationMs / 1000).toFixed(1)} s (run), ` +
          `${wall.toFixed(1)} s from model.promoted to scoring.completed; a list's items ${(Number(bytes) / 1024).toFixed(1)} KiB of JSON`,
      );
      return { service, seconds: completed.durationMs / 1000, listBytes: Number(bytes) };
    };
    // Alternately without and with, so that both see the machine alike, each backend in turn; the
    // last one keeps running (for the freshness part).
    type Run = Awaited<ReturnType<typeof serviceRun>>;
    const service: Record<string, { plain: Run[]; explained: Run[] }> = Object.fromEntries(
      options.backends.map((b) => [b, { plain: [], explained: [] }]),
    );
    for (const backend of options.backends) {
      for (let run = 1; run <= options.runs; run++) {
        for (const explain of [false, true]) {
          const result = await serviceRun(backend, explain);
          (explain ? service[backend].explained : service[backend].plain).push(result);
          if (backend !== options.backends.at(-1) || run < options.runs || !explain) {
            await result.service.stop();
            processes.splice(processes.indexOf(result.service), 1);
          }
        }
      }
    }
    const runSeconds = (results: { seconds: number }[]) => median(results.map((r) => r.seconds));

    // Freshness: raw article → ingestion → batch scoring → serving, timed per article.
    const [ingestion, serving] = await Promise.all([
      startService('ingestion', {
        ...common,
        DB_SCHEMA: schemas.ingestion,
        KAFKA_GROUP_ID: `${kafkaTopics.prefix}ingestion`,
      }),
      startService('serving', {
        ...common,
        DB_SCHEMA: schemas.serving,
        KAFKA_GROUP_ID: `${kafkaTopics.prefix}serving`,
      }),
    ]);
    processes.push(ingestion, serving);
    const listed: { user_id: string; items: { articleId: string }[] }[] = await db.query(
      `SELECT user_id, items FROM "${schemas.scoring}".lists ORDER BY random() LIMIT $1`,
      [options.fresh],
    );
    await waitFor(
      'serving holds every list',
      async () =>
        Number((await db.query(`SELECT count(*) AS n FROM "${schemas.serving}".lists`))[0].n) >=
        Number((await db.query(`SELECT count(*) AS n FROM "${schemas.scoring}".lists`))[0].n),
      { timeoutMs: 300_000, intervalMs: 250 },
    );
    const latencies: number[] = [];
    for (const { user_id: userId, items } of listed) {
      const favourite = features.articles.get(items[0].articleId)?.article;
      if (!favourite) continue;
      const fresh: Article = {
        ...favourite,
        eventId: randomUUID(),
        articleId: `fresh-${randomUUID()}`,
        url: `https://example.com/fresh/${randomUUID()}`,
        publishedAt: new Date().toISOString(),
      };
      started = performance.now();
      await publisher.publish(topics.articlesRaw, [{ key: fresh.articleId, value: fresh }]);
      await waitFor(
        `${fresh.articleId} served to ${userId}`,
        async () => {
          const response = await fetch(`${serving.url}/v1/users/${userId}/recommendations?limit=50`);
          const body = (await response.json()) as { items: { articleId: string }[] };
          return body.items.some((i) => i.articleId === fresh.articleId);
        },
        { timeoutMs: 300_000, intervalMs: 50 },
      );
      latencies.push((performance.now() - started) / 1000);
    }
    const changed = Number(
      (
        await db.query(
          `SELECT count(*) AS n FROM "${schemas.scoring}".lists WHERE items::text LIKE '%fresh-%'`,
        )
      )[0].n,
    );
    console.log(`freshness: ${latencies.map((l) => l.toFixed(2)).join(' ')} s`);

    const cores = availableParallelism();
    const fullReaders = 521_000;
    const fullPool = 144_000 * (freshnessHours / 24);
    console.log(`\nbench:scoring on ${machine()}, medians of ${options.runs} runs:`);
    for (const backend of options.backends) {
      const rate = median(rates[backend].plain);
      const explainedRate = median(rates[backend].explained);
      const runs = service[backend];
      const plain = { seconds: runSeconds(runs.plain), listBytes: runs.plain[0].listBytes };
      const explained = { seconds: runSeconds(runs.explained), listBytes: runs.explained[0].listBytes };
      console.log(
        `  ${backend}: scoring rate ${(rate / 1e6).toFixed(1)} million reader × candidate scores per second per thread (top 50 kept, reads excluded); ` +
          `${(explainedRate / 1e6).toFixed(1)} million with each listed item's attributions (${(rate / explainedRate).toFixed(2)}× the time)`,
      );
      console.log(
        `  ${backend}: pilot run (${features.readers.size} readers × ${pool.length} fresh articles, ${cores} scoring threads): ${explained.seconds.toFixed(1)} s from the run's start to scoring.completed with attributions (target <= 30 s), ` +
          `${plain.seconds.toFixed(1)} s without (SCORING_ATTRIBUTIONS=false): ${(explained.seconds / plain.seconds).toFixed(2)}× the time; ` +
          `a list's items ${(explained.listBytes / 1024).toFixed(1)} KiB of JSON with attributions, ${(plain.listBytes / 1024).toFixed(1)} KiB without`,
      );
    }
    const [first, ...others] = options.backends;
    for (const other of others) {
      console.log(
        `  ${other} / ${first}: rate ${(median(rates[first].plain) / median(rates[other].plain)).toFixed(2)}× slower; ` +
          `pilot run with attributions ${(runSeconds(service[other].explained) / runSeconds(service[first].explained)).toFixed(2)}× the time`,
      );
    }
    console.log(
      `  freshness (on ${options.backends.at(-1)}), articles.raw → served list of a matching reader: p50 ${percentile(latencies, 50).toFixed(2)} s, p95 ${percentile(latencies, 95).toFixed(2)} s, max ${Math.max(...latencies).toFixed(2)} s over ${latencies.length} articles (target p95 <= 60 s); ${changed} lists took at least one of them`,
    );
    const rate = median(rates[first].plain);
    const fullScores = fullReaders * fullPool;
    console.log(
      `  full scale, extrapolated from ${first}'s rate: ${fullReaders.toLocaleString()} readers × ${fullPool.toLocaleString()} fresh articles = ${(fullScores / 1e9).toFixed(0)} billion scores → ` +
        `${(fullScores / rate / 3600).toFixed(1)} thread-hours per full run (${(fullScores / rate / 3600 / 16).toFixed(1)} h on 16 threads); ` +
        `freshness: ${((144_000 / DAY) * 1000 * fullReaders).toFixed(0)} reader × article scores per second for 144,000 new articles a day (${((((144_000 / 86_400) * fullReaders) / rate) * 100).toFixed(1)}% of one thread)`,
    );
  } finally {
    await publisher.disconnect();
    await Promise.all(processes.map((p) => p.stop()));
    for (const schema of Object.values(schemas)) await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.destroy();
    await kafkaTopics.remove();
    await rm(artifactDir, { recursive: true, force: true });
  }
}

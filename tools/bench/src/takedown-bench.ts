import { ArtifactStore } from '@newsroom/artifacts';
import { allTopics, newEvent, topics } from '@newsroom/contracts';
import { EventPublisher, partitionLag, physicalTopic } from '@newsroom/messaging';
import { createTestTopics, readAllMessages } from '@newsroom/messaging/testing';
import { saveModel, selectBackend } from '@newsroom/ml';
import { ServiceProcess, ensureTestServers, startService, uniqueName, waitFor } from '@newsroom/testing';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { bulkLoad, championModel, pilotFeatures } from './scoring-bench';
import { machine, median, percentile } from './stats';

const adminKey = 'bench-admin-key-0123456789';
const auditorKey = 'bench-auditor-key-0123456789';

interface Receipt {
  complete: boolean;
  holders: { holder: string; instance: string; confirmedAt: string }[];
}

interface Timing {
  articleId: string;
  lists: number;
  /** Seconds from the flag request to each holder's confirmation as stated (serving: its last replica). */
  holders: Record<string, number>;
  /** Seconds from the flag request until each holder's confirmation was on the topic (after its commit). */
  published: Record<string, number>;
  last: number;
  /** Seconds from the flag request until a client polling monitoring saw the receipt complete. */
  receipt: number;
}

/** Whether `replica`'s index holds these readers' lists: it answers each of them from their list. */
async function indexed(replica: ServiceProcess, readers: readonly string[]): Promise<boolean> {
  for (const userId of readers) {
    const response = await fetch(`${replica.url}/v1/users/${encodeURIComponent(userId)}/recommendations`);
    if (((await response.json()) as { source: string }).source !== 'personalized') return false;
  }
  return true;
}

/**
 * Takedowns at the pilot size: batch scoring holds the pilot's 15,000 readers' lists (a run of an
 * untrained champion over the pilot world), two serving replicas hold them in their indexes, and
 * the feature store, ingestion and monitoring run beside them. The most-listed articles are
 * flagged one after another through ingestion, each once the previous one has settled; each is
 * timed from the flag request to monitoring's receipt showing complete (the target), and to each
 * holder's confirmation on the topic (the feature store, batch scoring, both replicas).
 */
export async function benchTakedown(options: { flags: number }) {
  await selectBackend(['tensorflow', 'wasm', 'cpu']);
  let started = performance.now();
  const features = pilotFeatures();
  console.log(
    `pilot world: ${features.readers.size} readers who read, ${features.articles.size} articles in ` +
      `${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  const servers = await ensureTestServers();
  const kafkaTopics = await createTestTopics(allTopics, 6);
  const artifactDir = await mkdtemp(join(tmpdir(), 'bench-takedown-'));
  const db = await new DataSource({ type: 'postgres', url: servers.databaseUrl }).initialize();
  const schemas = {
    scoring: uniqueName('bench_scoring'),
    serving: uniqueName('bench_serving'),
    features: uniqueName('bench_features'),
    ingestion: uniqueName('bench_ingestion'),
    monitoring: uniqueName('bench_monitoring'),
  };
  const processes: ServiceProcess[] = [];
  const start = async (name: string, schema: string, group: string, env: Record<string, string> = {}) => {
    const service = await startService(
      name,
      {
        KAFKA_TOPIC_PREFIX: kafkaTopics.prefix,
        ARTIFACT_STORE_DIR: artifactDir,
        LOG_LEVEL: 'warn',
        // Monitoring learns the live serving replicas from their vitals.
        VITALS_INTERVAL_MS: '5000',
        DB_SCHEMA: schema,
        KAFKA_GROUP_ID: `${kafkaTopics.prefix}${group}`,
        ...env,
      },
      { readyTimeoutMs: 120_000 },
    );
    processes.push(service);
    return service;
  };
  const publisher = new EventPublisher(kafkaTopics.kafka, kafkaTopics.prefix);
  const admin = kafkaTopics.kafka.admin();
  try {
    await start('batch-scoring', schemas.scoring, 'scoring');
    await bulkLoad(db, schemas.scoring, features);
    // Two replicas of one deployment: one schema, each its own consumer group and index.
    const replicas = [
      await start('serving', schemas.serving, 'serving-a'),
      await start('serving', schemas.serving, 'serving-b'),
    ];
    const [ingestion, , monitoring] = await Promise.all([
      start('ingestion', schemas.ingestion, 'ingestion', { INGESTION_ADMIN_API_KEYS: `bench:${adminKey}` }),
      start('feature-store', schemas.features, 'feature-store'),
      start('monitoring', schemas.monitoring, 'monitoring', {
        MONITORING_AUDITOR_API_KEYS: `bench:${auditorKey}`,
      }),
    ]);

    const { model, encoder } = championModel(features);
    const artifact = await saveModel(new ArtifactStore(artifactDir), model, encoder);
    model.dispose();
    started = performance.now();
    await publisher.publish(topics.modelPromoted, [
      {
        key: 'bench-takedown',
        value: newEvent(
          topics.modelPromoted.name,
          { modelVersion: 'bench-takedown', sequence: 1, previousVersion: null, artifact, reason: 'bench' },
          'bench',
        ),
      },
    ]);
    await waitFor(
      'scoring.completed',
      async () =>
        (
          await readAllMessages(
            kafkaTopics.kafka,
            physicalTopic(kafkaTopics.prefix, topics.scoringCompleted.name),
          )
        ).length > 0,
      { timeoutMs: 600_000, intervalMs: 250 },
    );
    const count = async (sql: string) => Number((await db.query(sql))[0].n);
    const lists = await count(`SELECT count(*) AS n FROM "${schemas.scoring}".lists`);
    await waitFor(
      'every list in serving',
      async () => (await count(`SELECT count(*) AS n FROM "${schemas.serving}".lists`)) >= lists,
      { timeoutMs: 300_000, intervalMs: 250 },
    );
    const sample: string[] = (
      await db.query(`SELECT user_id FROM "${schemas.scoring}".lists ORDER BY random() LIMIT 200`)
    ).map((r: { user_id: string }) => r.user_id);
    for (const replica of replicas)
      await waitFor(`${replica.url} indexing every list`, () => indexed(replica, sample), {
        timeoutMs: 300_000,
        intervalMs: 500,
      });
    console.log(
      `${lists} readers' lists in batch scoring and both serving replicas ` +
        `${((performance.now() - started) / 1000).toFixed(0)} s after model.promoted`,
    );

    // The most-listed articles: the largest withdrawals batch scoring makes.
    const targets: { article_id: string; lists: number }[] = await db.query(
      `SELECT item->>'articleId' AS article_id, count(*)::int AS lists
       FROM "${schemas.scoring}".lists, jsonb_array_elements(items) AS item
       GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT $1`,
      [options.flags],
    );
    await admin.connect();
    const confirmationsTopic = physicalTopic(kafkaTopics.prefix, topics.takedownConfirmed.name);
    const listsTopic = physicalTopic(kafkaTopics.prefix, topics.recommendationsGenerated.name);
    /** Lists a serving replica has not consumed yet (its group's lag on recommendations.generated). */
    const servingLag = async (group: string) =>
      (await partitionLag(admin, `${kafkaTopics.prefix}${group}`, listsTopic)).reduce(
        (sum, p) => sum + p.lag,
        0,
      );
    const timings: Timing[] = [];
    for (const [i, target] of targets.entries()) {
      // Each flag on a settled platform: the lists the previous takedown rewrote are published
      // and in both replicas' indexes (a burst of flags queues behind them instead).
      await waitFor(
        'the previous takedown settled',
        async () =>
          (await count(
            `SELECT count(*) AS n FROM "${schemas.scoring}".outbox WHERE published_at IS NULL`,
          )) === 0 &&
          (await servingLag('serving-a')) === 0 &&
          (await servingLag('serving-b')) === 0,
        { timeoutMs: 300_000, intervalMs: 250 },
      );
      const flaggedAt = Date.now();
      const response = await fetch(
        `${ingestion.url}/v1/articles/${encodeURIComponent(target.article_id)}/flag`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': adminKey },
          body: JSON.stringify({ reason: 'bench: misinformation' }),
        },
      );
      if (response.status !== 200)
        throw new Error(`flag answered ${response.status}: ${await response.text()}`);
      const { takedownId } = (await response.json()) as { takedownId: string };
      const receipt = await waitFor(
        `the receipt of ${takedownId} complete`,
        async () => {
          const answer = await fetch(`${monitoring.url}/v1/takedowns/${takedownId}`, {
            headers: { 'x-api-key': auditorKey },
          });
          const body = answer.status === 200 ? ((await answer.json()) as Receipt) : undefined;
          return body?.complete ? body : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 20 },
      );
      const seenAt = Date.now();
      // Each holder's confirmation as it states it (in its transaction, before the commit) and as
      // published (the record's time on the topic, after the commit): serving, its last replica.
      const holders: Record<string, number> = {};
      for (const { holder, confirmedAt } of receipt.holders)
        holders[holder] = Math.max(holders[holder] ?? 0, (Date.parse(confirmedAt) - flaggedAt) / 1000);
      const published: Record<string, number> = {};
      for (const message of await readAllMessages(kafkaTopics.kafka, confirmationsTopic)) {
        const { payload } = JSON.parse(message.value?.toString() ?? 'null');
        if (payload.takedownId !== takedownId) continue;
        const seconds = (Number(message.timestamp) - flaggedAt) / 1000;
        published[payload.holder] = Math.max(published[payload.holder] ?? 0, seconds);
      }
      const unpublished = Object.keys(holders).filter((holder) => published[holder] === undefined);
      if (unpublished.length > 0)
        throw new Error(
          `the receipt is complete, but no confirmation of ${unpublished.join(', ')} is on the topic`,
        );
      const timing: Timing = {
        articleId: target.article_id,
        lists: target.lists,
        holders,
        published,
        last: Math.max(...Object.values(published)),
        receipt: (seenAt - flaggedAt) / 1000,
      };
      timings.push(timing);
      const listed = (values: Record<string, number>) =>
        Object.entries(values)
          .map(([holder, seconds]) => `${holder} ${seconds.toFixed(2)} s`)
          .join(', ');
      console.log(
        `flag ${i + 1}: ${timing.articleId} in ${timing.lists} lists: receipt seen complete at ${timing.receipt.toFixed(2)} s; ` +
          `confirmations published ${listed(published)}; as stated ${listed(holders)}`,
      );
    }

    const last = timings.map((t) => t.last);
    const receipts = timings.map((t) => t.receipt);
    const holderNames = [...new Set(timings.flatMap((t) => Object.keys(t.holders)))].sort();
    console.log(
      `\nbench:takedown on ${machine()}, ${lists} readers' lists, two serving replicas, ${timings.length} flags ` +
        `of the most-listed articles (${Math.min(...timings.map((t) => t.lists))}–${Math.max(...timings.map((t) => t.lists))} lists each):`,
    );
    const perHolder = (of: (t: Timing) => Record<string, number>) =>
      holderNames
        .map((h) => {
          const values = timings.map((t) => of(t)[h]);
          return `${h} ${median(values).toFixed(2)} / ${percentile(values, 95).toFixed(2)} s`;
        })
        .join(', ');
    console.log(
      `  flag → receipt complete in monitoring, as a client polling every 20 ms sees it: p50 ${median(receipts).toFixed(2)} s, ` +
        `p95 ${percentile(receipts, 95).toFixed(2)} s, max ${Math.max(...receipts).toFixed(2)} s (target p95 <= 5 s)`,
    );
    console.log(
      `  flag → last confirmation published (after its holder's commit): p50 ${median(last).toFixed(2)} s, ` +
        `p95 ${percentile(last, 95).toFixed(2)} s`,
    );
    console.log(`  per holder, published, p50 / p95: ${perHolder((t) => t.published)}`);
    console.log(`  per holder, as stated in the confirmation, p50 / p95: ${perHolder((t) => t.holders)}`);
  } finally {
    await admin.disconnect();
    await publisher.disconnect();
    await Promise.all(processes.map((p) => p.stop()));
    for (const schema of new Set(Object.values(schemas)))
      await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.destroy();
    await kafkaTopics.remove();
    await rm(artifactDir, { recursive: true, force: true });
  }
}

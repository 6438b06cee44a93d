import { ArtifactStore } from '@newsroom/artifacts';
import { DatasetManifest, allTopics, newEvent, topics } from '@newsroom/contracts';
import { DAY_MS, World, startForNow, worldConfig } from '@newsroom/datagen';
import { EventPublisher } from '@newsroom/messaging';
import { createTestTopics } from '@newsroom/messaging/testing';
import {
  BackendName,
  RankingReport,
  TwoTowerModel,
  categoryPopularityOrders,
  defaultTrainOptions,
  evaluateOrders,
  heldOutSlice,
  loadDataset,
  loadModel,
  modelOrders,
  popularityOrders,
  rankingReport,
  recencyOrders,
  selectBackend,
  withoutImpressions,
} from '@newsroom/ml';
import { ensureTestServers, startService, uniqueName, waitFor, watchLiveness } from '@newsroom/testing';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { loadPilotOfflineStore, requestSnapshot, startFeatureStore } from './features-bench';
import { machine } from './stats';

const ADMIN_KEY = 'bench-training-admin-0123456789';
type Manifest = z.infer<typeof DatasetManifest>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/**
 * Training on the pilot world, by the training service: the world is loaded into a feature store
 * and snapshotted (its 7 days; validation = the last day), or `--dataset FILE` is reused; the
 * training service (a process of its own, on its own topics and schema) learns of the dataset on
 * dataset.snapshotted and trains on it on request. Meanwhile its /health/live is probed every
 * 100 ms and its event-loop delay and consumer-group joins are read from /metrics: a run must not
 * stop the service answering. Then the model is compared, on the held-out day, with the
 * popularity and recency baselines and with the oracle (the world's true expected dwell).
 */
export async function benchTraining(args: {
  epochs: number;
  backends: BackendName[];
  dataset?: string;
  keepDataset?: string;
}) {
  console.log(`bench:training on ${machine()}`);
  const file = args.dataset ?? (await snapshotPilot(args.keepDataset));
  const set = await loadDataset(createInterface({ input: createReadStream(file), crlfDelay: Infinity }));
  const heldOut = heldOutSlice(set);
  // The same day as a producer without impression logs would have it judged (sampled-fresh).
  const readsOnlySet = withoutImpressions(set);
  const readsOnly = heldOutSlice(readsOnlySet);
  let readsOnlyModel: number | undefined;
  const models: [string, RankingReport][] = [];
  const trainingSeconds = new Map<string, number>();
  const evaluationSeconds = new Map<string, number>();
  // The same dataset, trained by the service on each backend in turn (ML_BACKENDS).
  for (const backend of args.backends) {
    const trained = await trainByTheService(file, args.epochs, backend);
    const { run, liveness, delay, joins } = trained;
    if (run.backend !== backend) {
      await trained.cleanUp();
      throw new Error(
        `asked to train on ${backend}, the service trained on ${run.backend} (is it installed here?)`,
      );
    }
    const epochSeconds = run.epochs.reduce((sum: number, e: Json) => sum + e.seconds, 0);
    trainingSeconds.set(backend, epochSeconds);
    console.log(
      `training on ${run.backend}: ${run.wallSeconds.toFixed(1)} s wall (${run.cpuSeconds.toFixed(1)} s CPU), ` +
        `epochs ${run.epochs.map((e: Json) => `${e.epoch}: loss ${e.loss.toFixed(4)}, ${e.seconds.toFixed(1)} s`).join('; ')} ` +
        `(target <= 300 s with loading); peak RSS of the service ${(run.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
    );
    console.log(
      `the service meanwhile: event-loop delay p99 <= ${(delay.p99 * 1000).toFixed(0)} ms, max <= ${(delay.max * 1000).toFixed(0)} ms ` +
        `(targets <= 100 ms and <= 1 s); /health/live ${liveness.probes} probes, slowest ${liveness.maxMs.toFixed(0)} ms, ` +
        `${liveness.late.length} late or failed; consumer-group joins during the run: ${joins} (0: it kept its membership)`,
    );
    // Scored here on the backend it was trained on: the ranking is the model's, wherever it runs.
    await selectBackend([backend]);
    const { model, encoder } = await loadModel(new ArtifactStore(trained.artifactDir), run.artifact);
    await trained.cleanUp();
    // Evaluation's part that computes: every held-out reader's candidates ranked, and the metrics.
    const evaluationStarted = performance.now();
    const { overall } = evaluateOrders(heldOut, modelOrders(model, encoder, heldOut));
    evaluationSeconds.set(backend, (performance.now() - evaluationStarted) / 1000);
    console.log(
      `evaluation on ${backend}: the held-out day's ${heldOut.readers.length} readers ranked and judged, overall and per slice, in ${evaluationSeconds.get(backend)?.toFixed(1)} s`,
    );
    models.push([`model (trained on ${backend})`, overall]);
    readsOnlyModel ??= rankingReport(readsOnly, modelOrders(model, encoder, readsOnly)).ndcgAt10;
    if (models.length === 1) {
      // The model as initialised, untrained: its near-identity projections score by shared words alone.
      const untrained = TwoTowerModel.create(model.shape, defaultTrainOptions.seed);
      models.push([
        'untrained model (shared words)',
        rankingReport(heldOut, modelOrders(untrained, encoder, heldOut)),
      ]);
      untrained.dispose();
    }
    model.dispose();
  }
  const [fastest, ...others] = args.backends;
  for (const other of others) {
    console.log(
      `training time ${other} / ${fastest}: ${((trainingSeconds.get(other) ?? 0) / (trainingSeconds.get(fastest) ?? 1)).toFixed(2)} ` +
        `(${fastest} ${(trainingSeconds.get(fastest) ?? 0).toFixed(1)} s, ${other} ${(trainingSeconds.get(other) ?? 0).toFixed(1)} s over the epochs)`,
    );
    console.log(
      `evaluation time ${other} / ${fastest}: ${((evaluationSeconds.get(other) ?? 0) / (evaluationSeconds.get(fastest) ?? 1)).toFixed(2)}`,
    );
  }

  const world = new World(worldConfig('pilot', { start: set.header.window.start }));
  const day = world.config.days - 1;
  const reports: [string, RankingReport][] = [
    ...models,
    ['popularity', rankingReport(heldOut, popularityOrders(set, heldOut))],
    ['category × popularity', rankingReport(heldOut, categoryPopularityOrders(set, heldOut))],
    ['recency', rankingReport(heldOut, recencyOrders(heldOut))],
    [
      'oracle',
      rankingReport(
        heldOut,
        heldOut.readers.map((r) => world.oracleRanking(r.userId, r.candidates, day)),
      ),
    ],
  ];
  const shown = heldOut.readers.reduce((sum, r) => sum + r.candidates.length, 0);
  console.log(
    `held-out day: ${heldOut.readers.length} readers (${JSON.stringify(heldOut.protocols)}), ${(shown / heldOut.readers.length).toFixed(1)} candidates each on average, ${heldOut.articles.size} articles in all`,
  );
  console.log('| ranker | NDCG@10 | recall@10 | MRR | AUC | coverage | fresh share |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const [name, r] of reports) {
    console.log(
      `| ${name} | ${[r.ndcgAt10, r.recallAt10, r.mrr, r.auc].map((v) => v.toFixed(4)).join(' | ')} | ${r.coverage.toFixed(3)} | ${r.freshShare.toFixed(3)} |`,
    );
  }
  const ndcg = Object.fromEntries(reports.map(([name, r]) => [name, r.ndcgAt10]));
  const readsOnlyPopularity = rankingReport(readsOnly, popularityOrders(readsOnlySet, readsOnly)).ndcgAt10;
  const readsOnlyCategories = rankingReport(
    readsOnly,
    categoryPopularityOrders(readsOnlySet, readsOnly),
  ).ndcgAt10;
  console.log(
    `reads only (the same day without its impression logs: ${readsOnly.readers.length} readers, sampled-fresh): NDCG@10 ${models[0][0]} ${readsOnlyModel?.toFixed(4)}, ` +
      `category × popularity ${readsOnlyCategories.toFixed(4)}, popularity ${readsOnlyPopularity.toFixed(4)}: ` +
      `${((readsOnlyModel ?? 0) / readsOnlyCategories).toFixed(2)}x and ${((readsOnlyModel ?? 0) / readsOnlyPopularity).toFixed(2)}x (targets >= 1.25 and >= 2)`,
  );
  const first = models[0];
  console.log(
    `${first[0]} / popularity: ${(first[1].ndcgAt10 / ndcg['popularity']).toFixed(2)} (target >= 2); ` +
      `/ category × popularity: ${(first[1].ndcgAt10 / ndcg['category × popularity']).toFixed(2)} (target >= 1.25); ` +
      `/ oracle: ${(first[1].ndcgAt10 / ndcg['oracle']).toFixed(2)} (target >= 0.75)`,
  );
}

/** The training service's metrics that say whether it kept answering. */
async function serviceGauges(url: string) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
  const buckets = [...text.matchAll(/^nodejs_eventloop_delay_seconds_bucket\{le="([^"]+)"\} (\S+)$/gm)].map(
    ([, le, count]) => ({ le: le === '+Inf' ? Infinity : Number(le), count: Number(count) }),
  );
  return { buckets, joins: value(/^kafka_consumer_group_joins_total\{[^}]*\} (\S+)$/m) };
}

/** The bound of the highest bucket a delay fell into between two scrapes: the longest delay was at most that. */
function maxBetween(before: { le: number; count: number }[], after: { le: number; count: number }[]): number {
  const counts = after.map((b, i) => b.count - (before[i]?.count ?? 0));
  const highest = counts.findIndex((count) => count === counts.at(-1));
  return after[highest]?.le ?? Infinity;
}

/** The smallest bucket bound under which 99% of the delays between two scrapes fell. */
function p99Between(before: { le: number; count: number }[], after: { le: number; count: number }[]): number {
  const counts = after.map((b, i) => ({ le: b.le, count: b.count - (before[i]?.count ?? 0) }));
  const total = counts.at(-1)?.count ?? 0;
  return counts.find((b) => b.count >= 0.99 * total)?.le ?? Infinity;
}

/** Trains on `file` with the training service, as a run requested over HTTP; what it measured. */
async function trainByTheService(file: string, epochs: number, backend: BackendName) {
  const servers = await ensureTestServers();
  const db = await new DataSource({ type: 'postgres', url: servers.databaseUrl }).initialize();
  const kafkaTopics = await createTestTopics(allTopics, 3);
  const artifactDir = await mkdtemp(join(tmpdir(), 'bench-training-'));
  const schema = uniqueName('bench_training');
  const cleanUp = async () => {
    await service.stop();
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.destroy();
    await kafkaTopics.remove();
    await rm(artifactDir, { recursive: true, force: true });
  };
  const manifest = await datasetManifest(file);
  await mkdir(join(artifactDir, 'datasets'), { recursive: true });
  await copyFile(file, join(artifactDir, 'datasets', `${manifest.datasetId}.jsonl`));
  const service = await startService('training', {
    DB_SCHEMA: schema,
    KAFKA_TOPIC_PREFIX: kafkaTopics.prefix,
    KAFKA_GROUP_ID: `${kafkaTopics.prefix}training`,
    ARTIFACT_STORE_DIR: artifactDir,
    TRAINING_ADMIN_API_KEYS: `bench:${ADMIN_KEY}`,
    TRAINING_EPOCHS: String(epochs),
    ML_BACKENDS: backend,
    TRAINING_PUSH_MIN_TRAIN_ROWS: '0',
    TRAINING_POLL_INTERVAL_MS: '200',
    LOG_LEVEL: 'warn',
  });
  try {
    const publisher = new EventPublisher(kafkaTopics.kafka, kafkaTopics.prefix);
    await publisher.publish(topics.datasetSnapshotted, [
      {
        key: manifest.datasetId,
        value: newEvent(
          topics.datasetSnapshotted.name,
          { datasetId: manifest.datasetId, artifact: manifest.file, manifest },
          'bench',
        ),
      },
    ]);
    await publisher.disconnect();
    const post = () =>
      fetch(`${service.url}/v1/training-runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': ADMIN_KEY },
        body: JSON.stringify({ datasetId: manifest.datasetId, reason: 'bench:training' }),
      });
    const before = await serviceGauges(service.url);
    const liveness = watchLiveness([service.url]);
    // Training learns of the dataset from dataset.snapshotted, moments after it is published.
    const { runId } = await waitFor('the run accepted', async () => {
      const response = await post();
      return response.status === 202 ? ((await response.json()) as Json) : undefined;
    });
    const run: Json = await waitFor(
      `run ${runId}`,
      async () => {
        const body = (await (await fetch(`${service.url}/v1/training-runs/${runId}`)).json()) as Json;
        if (body.status === 'failed') throw new Error(`training failed: ${body.error}`);
        return body.status === 'succeeded' ? body : undefined;
      },
      { timeoutMs: 3_600_000, intervalMs: 1_000 },
    );
    const [report] = await liveness.stop();
    const after = await serviceGauges(service.url);
    return {
      run,
      artifactDir,
      liveness: report,
      delay: {
        p99: p99Between(before.buckets, after.buckets),
        max: maxBetween(before.buckets, after.buckets),
      },
      joins: after.joins - before.joins,
      cleanUp,
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

/** A manifest for a dataset file, as the feature store announces it (the file's own lines say the rest). */
async function datasetManifest(file: string): Promise<Manifest> {
  const hash = createHash('sha256');
  const rows = { train: 0, validation: 0, readers: 0, articles: 0 };
  let header: Json;
  let bytes = 0;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    hash.update(`${line}\n`);
    bytes += Buffer.byteLength(line) + 1;
    if (header === undefined) header = JSON.parse(line);
    else if (line.startsWith('{"kind":"example"'))
      rows[line.includes('"split":"validation"') ? 'validation' : 'train']++;
    else if (line.startsWith('{"kind":"reader"')) rows.readers++;
    else if (line.startsWith('{"kind":"article"')) rows.articles++;
  }
  const datasetId = hash.digest('hex');
  return {
    datasetId,
    format: header.format,
    featureSchemaVersion: header.featureSchemaVersion,
    codeVersion: 'bench',
    createdAt: new Date().toISOString(),
    trigger: 'request',
    window: header.window,
    validationFrom: header.validationFrom,
    rows,
    file: { uri: ArtifactStore.uriOf('datasets', datasetId, 'jsonl'), sha256: datasetId, bytes },
    sources: { kafkaOffsets: {}, highWaterMarks: { interactions: 0, articles: 0 } },
    quality: { passed: true, checks: [] },
    buildMs: 0,
  };
}

/** The pilot world's 7 days through a feature store into a dataset; the file's path (a copy kept if asked). */
export async function snapshotPilot(keepAs?: string): Promise<string> {
  const servers = await ensureTestServers();
  const db = await new DataSource({ type: 'postgres', url: servers.databaseUrl }).initialize();
  const world = new World(worldConfig('pilot', { start: startForNow(7) }));
  const store = await startFeatureStore(await createTestTopics(allTopics, 3), 3, {
    DATASET_GATE_MIN_READS: '1',
  });
  try {
    await loadPilotOfflineStore(db, store.schema, world);
    const manifest = await requestSnapshot(store.service.url, {
      windowStart: new Date(world.startMs).toISOString(),
      windowEnd: new Date(world.startMs + world.config.days * DAY_MS).toISOString(),
      validationHours: 24,
    });
    console.log(`dataset ${manifest.datasetId.slice(0, 12)}: ${JSON.stringify(manifest.rows)}`);
    const file = join(store.artifactDir, 'datasets', `${manifest.datasetId}.jsonl`);
    const kept = keepAs ?? join(tmpdir(), `bench-training-${manifest.datasetId}.jsonl`);
    await copyFile(file, kept);
    if (keepAs) console.log(`dataset kept as ${keepAs}`);
    return kept;
  } finally {
    await store.stop(db);
    await db.destroy();
  }
}

import { allTopics } from '@newsroom/contracts';
import { DAY_MS, World, startForNow, worldConfig } from '@newsroom/datagen';
import { createTestTopics } from '@newsroom/messaging/testing';
import {
  RankingReport,
  defaultTrainOptions,
  heldOutSlice,
  loadDataset,
  modelOrders,
  popularityOrders,
  rankingReport,
  recencyOrders,
  selectBackend,
  TwoTowerModel,
  trainTwoTower,
} from '@newsroom/ml';
import { ensureTestServers } from '@newsroom/testing';
import { createReadStream } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { cpuUsage, resourceUsage } from 'node:process';
import { DataSource } from 'typeorm';
import { loadPilotOfflineStore, requestSnapshot, startFeatureStore } from './features-bench';
import { machine } from './stats';

/**
 * Training on the pilot world: the world is loaded into a feature store and snapshotted (its 7
 * days; validation = the last day), then the two-tower model is trained and, on the held-out day,
 * compared with the popularity and recency baselines and with the oracle (the world's true
 * expected dwell). `--dataset FILE` reuses a pilot dataset file (see `--keep-dataset FILE`)
 * instead of loading and snapshotting again.
 */
export async function benchTraining(args: { epochs: number; dataset?: string; keepDataset?: string }) {
  console.log(`bench:training on ${machine()}`);
  const file = args.dataset ?? (await snapshotPilot(args.keepDataset));
  const backend = await selectBackend();
  console.log(
    `backend: ${backend.name}${backend.skipped.map((s) => ` (not ${s.name}: ${s.reason})`).join('')}`,
  );
  const loadStarted = performance.now();
  const set = await loadDataset(createInterface({ input: createReadStream(file), crlfDelay: Infinity }));
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  console.log(`loaded ${set.examples.count} examples in ${loadSeconds.toFixed(1)} s`);

  const cpuBefore = cpuUsage();
  const started = performance.now();
  const { model, encoder } = await trainTwoTower(set, {
    ...defaultTrainOptions,
    epochs: args.epochs,
    onEpoch: (e) => console.log(`  epoch ${e.epoch}: loss ${e.loss.toFixed(4)}, ${e.seconds.toFixed(1)} s`),
  });
  const trainSeconds = (performance.now() - started) / 1000;
  const cpu = cpuUsage(cpuBefore);
  console.log(
    `training: ${trainSeconds.toFixed(1)} s wall (${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU), ${(loadSeconds + trainSeconds).toFixed(1)} s with loading (target <= 300 s); peak RSS ${(resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
  );

  const heldOut = heldOutSlice(set);
  const world = new World(worldConfig('pilot', { start: set.header.window.start }));
  const day = world.config.days - 1;
  // The model as initialised, untrained: its near-identity projections score by shared words alone.
  const untrained = TwoTowerModel.create(model.shape, defaultTrainOptions.seed);
  const reports: [string, RankingReport][] = [
    ['model', rankingReport(heldOut, modelOrders(model, encoder, heldOut))],
    ['untrained model (shared words)', rankingReport(heldOut, modelOrders(untrained, encoder, heldOut))],
    ['popularity', rankingReport(heldOut, popularityOrders(set, heldOut))],
    ['recency', rankingReport(heldOut, recencyOrders(heldOut))],
    [
      'oracle',
      rankingReport(
        heldOut,
        heldOut.readers.map((r) => world.oracleRanking(r.userId, r.candidates, day)),
      ),
    ],
  ];
  model.dispose();
  untrained.dispose();
  const shown = heldOut.readers.reduce((sum, r) => sum + r.candidates.length, 0);
  console.log(
    `held-out day: ${heldOut.readers.length} readers, ${(shown / heldOut.readers.length).toFixed(1)} articles shown to each on average (ranked), ${heldOut.articles.size} articles in all`,
  );
  console.log('| ranker | NDCG@10 | recall@10 | MRR | AUC | coverage | fresh share |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const [name, r] of reports) {
    console.log(
      `| ${name} | ${[r.ndcgAt10, r.recallAt10, r.mrr, r.auc].map((v) => v.toFixed(4)).join(' | ')} | ${r.coverage.toFixed(3)} | ${r.freshShare.toFixed(3)} |`,
    );
  }
  const ndcg = Object.fromEntries(reports.map(([name, r]) => [name, r.ndcgAt10]));
  console.log(
    `model / popularity: ${(ndcg['model'] / ndcg['popularity']).toFixed(2)} (target >= 1.5); model / oracle: ${(ndcg['model'] / ndcg['oracle']).toFixed(2)} (target >= 0.75)`,
  );
}

/** The pilot world's 7 days through a feature store into a dataset; the file's path (a copy kept if asked). */
async function snapshotPilot(keepAs?: string): Promise<string> {
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

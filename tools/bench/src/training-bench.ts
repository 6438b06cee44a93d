import { allTopics } from '@newsroom/contracts';
import { World, startForNow, worldConfig } from '@newsroom/datagen';
import { createTestTopics } from '@newsroom/messaging/testing';
import {
  RankingReport,
  defaultTrainOptions,
  heldOutSlice,
  loadDataset,
  modelRankings,
  popularityRankings,
  rankingReport,
  recencyRankings,
  seededRandom,
  selectBackend,
  trainTwoTower,
} from '@newsroom/ml';
import { ensureTestServers } from '@newsroom/testing';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { cpuUsage } from 'node:process';
import { DataSource } from 'typeorm';
import { loadPilotOfflineStore, pilotWindow, requestSnapshot, startFeatureStore } from './features-bench';
import { machine } from './stats';

/**
 * Training on the pilot world: the world is loaded into a feature store, snapshotted (7 days,
 * validation = the last day), then the two-tower model is trained and, on the held-out day,
 * compared with the popularity and recency baselines and with the oracle (the world's true
 * expected dwell). `--readers N` evaluates on a seeded sample of the held-out readers.
 */
export async function benchTraining(args: { epochs: number; readers: number }): Promise<void> {
  const servers = await ensureTestServers();
  const db = await new DataSource({ type: 'postgres', url: servers.databaseUrl }).initialize();
  const world = new World(worldConfig('pilot', { start: startForNow(7) }));
  const store = await startFeatureStore(await createTestTopics(allTopics, 3), 3, {
    DATASET_GATE_MIN_READS: '1',
  });
  try {
    console.log(`bench:training on ${machine()}`);
    await loadPilotOfflineStore(db, store.schema, world);
    const manifest = await requestSnapshot(store.service.url, pilotWindow());
    console.log(`dataset ${manifest.datasetId.slice(0, 12)}: ${JSON.stringify(manifest.rows)}`);

    const backend = await selectBackend();
    console.log(
      `backend: ${backend.name}${backend.skipped.map((s) => ` (not ${s.name}: ${s.reason})`).join('')}`,
    );
    const loadStarted = performance.now();
    const set = await loadDataset(
      createInterface({
        input: createReadStream(join(store.artifactDir, 'datasets', `${manifest.datasetId}.jsonl`)),
        crlfDelay: Infinity,
      }),
    );
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
      `training: ${trainSeconds.toFixed(1)} s wall (${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU), ${(loadSeconds + trainSeconds).toFixed(1)} s with loading (target <= 300 s)`,
    );

    const heldOut = heldOutSlice(set);
    const random = seededRandom(1);
    const sample = heldOut.readers
      .map((r) => ({ r, key: random() }))
      .sort((a, b) => a.key - b.key)
      .slice(0, args.readers)
      .map((x) => x.r);
    const slice = { ...heldOut, readers: sample };
    const candidateIds = slice.candidates.map((a) => a.articleId);
    const day = world.config.days - 1;
    const oracle = slice.readers.map((r) =>
      world
        .oracleRanking(r.userId, candidateIds, day)
        .filter((id) => !r.seen.has(id))
        .slice(0, 10),
    );
    const reports: [string, RankingReport][] = [
      ['model', rankingReport(slice, modelRankings(model, encoder, slice))],
      ['popularity', rankingReport(slice, popularityRankings(set, slice))],
      ['recency', rankingReport(slice, recencyRankings(slice))],
      ['oracle', rankingReport(slice, oracle)],
    ];
    console.log(
      `held-out day: ${slice.readers.length} of ${heldOut.readers.length} readers, ${slice.candidates.length} candidate articles (published in the last 48 h)`,
    );
    console.log('| ranker | NDCG@10 | recall@10 | MRR | coverage | fresh share |');
    console.log('| --- | --- | --- | --- | --- | --- |');
    for (const [name, r] of reports) {
      console.log(
        `| ${name} | ${r.ndcgAt10.toFixed(4)} | ${r.recallAt10.toFixed(4)} | ${r.mrr.toFixed(4)} | ${r.coverage.toFixed(3)} | ${r.freshShare.toFixed(3)} |`,
      );
    }
    const ndcg = Object.fromEntries(reports.map(([name, r]) => [name, r.ndcgAt10]));
    console.log(
      `model / popularity: ${(ndcg['model'] / ndcg['popularity']).toFixed(2)} (target >= 1.5); model / oracle: ${(ndcg['model'] / ndcg['oracle']).toFixed(2)} (target >= 0.75)`,
    );
    model.dispose();
  } finally {
    await store.stop(db);
    await db.destroy();
  }
}

import { ArtifactStore } from '@newsroom/artifacts';
import { loadConfig, runCommandLine } from '@newsroom/config';
import { DAY_MS, publishEvents } from '@newsroom/datagen';
import {
  EventPublisher,
  createKafka,
  kafkaSecurity,
  kafkaSecurityEnv,
  messagingEnv,
} from '@newsroom/messaging';
import { heldOutSlice, rankingReport, readDataset, sampledCandidates } from '@newsroom/ml';
import { z } from 'zod';
import { DemoWorld } from './demo-world';
import { Json, ServiceClient, until } from './platform-client';

/**
 * `npm run demo`: the whole life cycle on the pilot world, unattended, against the platform
 * `npm start` runs: publish → ingestion → features → snapshot → training → evaluation →
 * promotion → batch scoring → serving, with progress as it goes; then the evaluation table, three
 * readers' top 10 with titles, and where to look next.
 */
const configSchema = z.object({
  KAFKA_BROKERS: messagingEnv.KAFKA_BROKERS,
  ...kafkaSecurityEnv,
  KAFKA_TOPIC_PREFIX: messagingEnv.KAFKA_TOPIC_PREFIX,
  ARTIFACT_STORE_DIR: z.string().min(1).default('.local/artifacts'),
  TRAINING_ADMIN_KEY: z.string().min(1).default('demo-training-admin-key-change-me'),
  FEATURES_ADMIN_KEY: z.string().min(1).default('demo-feature-admin-key-change-me'),
  /**
   * Days snapshotted: the world's last day is held out, the ones before it train. One training day
   * (about 145,000 reads; each reader's whole history still feeds their features) keeps the demo
   * within 10 minutes on 2 cores: a second one added 100 s of training for 0.002 NDCG@10.
   */
  DEMO_TRAINING_DAYS: z.coerce.number().int().min(2).max(7).default(2),
  NEWSROOM_HOST: z.string().min(1).default('localhost'),
  /** When `npm run demo` started (epoch ms), so the phase table counts the platform's start too. */
  DEMO_STARTED_AT_MS: z.coerce.number().int().positive().optional(),
});

const ports = {
  ingestion: 3001,
  'feature-store': 3002,
  training: 3003,
  evaluation: 3004,
  registry: 3005,
  'batch-scoring': 3006,
  serving: 3007,
  monitoring: 3008,
} as const;

const number = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(args: string[]): Promise<number> {
  const config = loadConfig(configSchema);
  const url = (name: keyof typeof ports) => `http://${config.NEWSROOM_HOST}:${ports[name]}`;
  const client = (name: keyof typeof ports, key?: string) => new ServiceClient(name, url(name), key);
  const features = client('feature-store', config.FEATURES_ADMIN_KEY);
  const training = client('training', config.TRAINING_ADMIN_KEY);
  const evaluation = client('evaluation');
  const registry = client('registry');
  const scoring = client('batch-scoring');
  const serving = client('serving');

  const started = Date.now();
  const clock = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;
  // Each phase's time, printed at the end: where a slower machine spends it.
  const phases: [string, number][] = [];
  if (config.DEMO_STARTED_AT_MS)
    phases.push(['platform up (build and start)', started - config.DEMO_STARTED_AT_MS]);
  let phaseStarted = started;
  const step = (text: string, phase?: string) => {
    if (phase) {
      phases.push([phase, Date.now() - phaseStarted]);
      phaseStarted = Date.now();
    }
    console.log(`\n[${clock()}] ${text}`);
  };

  // 1. The pilot world through Kafka.
  const demo = new DemoWorld(args.includes('--all-interactions'));
  step(
    `Publishing the pilot world (${number(demo.world.config.readers)} readers, 7 days) to articles.raw and interactions.raw` +
      (demo.allInteractions
        ? ''
        : ' — every article and read, as a newsroom without impression logs sends them'),
  );
  const publisher = new EventPublisher(
    createKafka({
      brokers: config.KAFKA_BROKERS,
      security: kafkaSecurity(config),
      clientId: 'newsroom-demo',
    }),
    config.KAFKA_TOPIC_PREFIX,
  );
  const published = await publishEvents(publisher, demo.events(), {
    onProgress: (p) =>
      console.log(
        `    day ${p.day + 1}/7: ${number(p.articles)} articles, ${number(p.interactions.read)} reads, ` +
          `${number(p.interactions.click + p.interactions.impression)} clicks and impressions (${number(p.eventsPerSecond)} events/s)`,
      ),
    progressEveryMs: 10_000,
    // The world's events are valid by construction; checking a million of them again would take
    // a core from the platform while it folds them in.
    validate: false,
  });
  await publisher.disconnect();
  const interactions =
    published.interactions.read + published.interactions.click + published.interactions.impression;

  // 2. Ingestion and the feature store catch up.
  step(
    `Ingestion → feature store: ${number(interactions)} interactions and ${number(published.articles)} articles`,
    'publish to Kafka',
  );
  // Counted in this run's processes: ingestion reads every record; the ones a database kept from an
  // earlier demo are duplicates it does not pass on, so the feature store folds only the new ones.
  const ingestion = client('ingestion');
  const read = () => ingestion.metric('ingestion_events_total', { kind: 'interaction', source: 'kafka' });
  const fresh = () =>
    ingestion.metric('ingestion_events_total', { kind: 'interaction', source: 'kafka', outcome: 'accepted' });
  const folded = () => features.metric('features_events_applied_total', { kind: 'interaction' });
  await until(
    'the feature store to fold in every interaction',
    async () => ((await read()) >= interactions && (await folded()) >= (await fresh()) ? true : undefined),
    {
      timeoutMs: 900_000,
      progress: async () =>
        `${number(await read())} of ${number(interactions)} interactions read by ingestion, ` +
        `${number(await folded())} of its ${number(await fresh())} new ones in the feature store`,
    },
  );
  const kept = interactions - (await fresh());
  if (kept > 0)
    console.log(
      `    ${number(kept)} interactions were already stored by an earlier run on this database: the demo goes on with what it holds`,
    );
  await until('the online features on their compacted topics', async () =>
    (await features.metric('features_unpublished')) === 0 ? true : undefined,
  );

  // 3. A snapshot, and training on it.
  const windowEnd = new Date();
  const windowStart = new Date(windowEnd.getTime() - config.DEMO_TRAINING_DAYS * DAY_MS);
  step(
    `Snapshot: POST /v1/datasets, the last ${config.DEMO_TRAINING_DAYS} days (the last 24 hours held out for evaluation)`,
    'fold into the feature store',
  );
  // The same window again answers with the same dataset, so a retry after a lost answer is safe.
  const dataset: Json = await until(
    'the snapshot',
    async () => {
      const snapshot = await features.post(
        '/v1/datasets',
        { windowStart: windowStart.toISOString(), windowEnd: windowEnd.toISOString(), validationHours: 24 },
        // The answer comes once the dataset is built: tens of seconds for the pilot world.
        { timeoutMs: 600_000 },
      );
      if (snapshot.status >= 300 || !snapshot.body?.datasetId)
        throw new Error(`the snapshot was refused: ${snapshot.status} ${JSON.stringify(snapshot.body)}`);
      return snapshot.body;
    },
    { timeoutMs: 600_000 },
  );
  console.log(`    dataset ${dataset.datasetId.slice(0, 12)}: ${JSON.stringify(dataset.rows)}`);
  step('Training: POST /v1/training-runs → two-tower model (TensorFlow.js)', 'snapshot');
  // Training learns of the dataset from dataset.snapshotted, moments after the POST returns; the
  // Idempotency-Key makes a request repeated after a lost answer the same run.
  const run: Json = await until(`training to know dataset ${dataset.datasetId.slice(0, 12)}`, async () => {
    const posted = await training.post(
      '/v1/training-runs',
      { datasetId: dataset.datasetId, reason: 'npm run demo' },
      { headers: { 'idempotency-key': `demo:${dataset.datasetId.slice(0, 32)}` } },
    );
    return posted.status < 300 ? posted.body : undefined;
  });
  let seen = '';
  const trained: Json = await until(
    `training run ${run.runId}`,
    async () => {
      const current = (await training.get(`/v1/training-runs/${run.runId}`)).body;
      const state = `${current.status}${current.datasetId ? ` on dataset ${current.datasetId.slice(0, 12)}` : ''}`;
      if (state !== seen) console.log(`    run ${run.runId.slice(0, 8)}: ${(seen = state)} (${clock()})`);
      if (current.status === 'failed') throw new Error(`training failed: ${current.error}`);
      return current.status === 'succeeded' ? current : undefined;
    },
    {
      timeoutMs: 900_000,
      progress: async () => {
        const epochs = (await training.get(`/v1/training-runs/${run.runId}`)).body.epochs ?? [];
        return epochs.length
          ? `epoch ${epochs.length} done, loss ${epochs.at(-1).loss.toFixed(4)}`
          : 'training…';
      },
    },
  );
  console.log(
    `    model ${trained.modelVersion}: ${trained.wallSeconds?.toFixed(0)} s on ${trained.backend}`,
  );
  // The oracle (the world's true expected dwell) on the same held-out day, for scale; computed
  // while the platform evaluates, promotes and scores.
  const oracle = (async () => {
    const set = await readDataset(new ArtifactStore(config.ARTIFACT_STORE_DIR), trained.datasetId);
    const heldOut = heldOutSlice(set);
    const orders = heldOut.readers.map((r) => demo.world.oracleRanking(r.userId, r.candidates, demo.lastDay));
    return { readers: heldOut.readers.length, report: rankingReport(heldOut, orders) };
  })();

  // 4. Evaluation and the registry's decision.
  step(`Evaluation of ${trained.modelVersion} against the champion and the baselines`, 'training');
  const report: Json = await until('the evaluation report', async () => {
    const { status, body } = await evaluation.get(`/v1/evaluations/${trained.modelVersion}`);
    return status === 200 ? body : undefined;
  });
  const decided: Json = await until('the registry decision', async () => {
    const { status, body } = await registry.get(`/v1/models/${trained.modelVersion}`);
    return status === 200 && body.stage !== 'candidate' ? body : undefined;
  });
  console.log(`    ${report.passed ? 'passed' : 'failed'}: ${report.reasons.join('; ')}`);
  console.log(`    registry: ${trained.modelVersion} is ${decided.stage}`);
  // Batch scoring scores the champion only: waiting for a run of a rejected model would end in a
  // timeout that says nothing of why.
  if (decided.stage !== 'champion') {
    const failed = (report.reasons as string[]).filter((r) => r.startsWith('FAIL'));
    throw new Error(
      `${trained.modelVersion} was not made the champion (${decided.stage}), so nothing more to show: ` +
        `${(failed.length > 0 ? failed : report.reasons).join('; ')}. Its report: ${url('evaluation')}/v1/evaluations/${trained.modelVersion}`,
    );
  }

  // 5. Batch scoring with the champion, then serving.
  step(
    'Batch scoring: every reader against the fresh articles with the champion',
    'evaluation and promotion',
  );
  const scored: Json = await until(
    'the scoring run',
    async () => {
      const runs: Json[] = (await scoring.get('/v1/scoring-runs')).body;
      const mine = runs.find((r) => r.modelVersion === trained.modelVersion);
      return mine?.status === 'succeeded' ? mine : undefined;
    },
    {
      progress: async () => {
        const mine = ((await scoring.get('/v1/scoring-runs')).body as Json[]).find(
          (r) => r.modelVersion === trained.modelVersion,
        );
        return mine
          ? `${mine.shardsDone}/${mine.shards} shards, ${number(mine.readersScored)} readers`
          : 'waiting for model.promoted';
      },
    },
  );
  console.log(
    `    ${number(scored.readersScored)} readers × ${number(scored.articlesScored)} fresh articles in ` +
      `${((Date.parse(scored.finishedAt) - Date.parse(scored.startedAt)) / 1000).toFixed(1)} s`,
  );
  step('Serving: the showcase readers’ lists', 'batch scoring');
  const showcase = demo.showcaseReaders();
  const lists: Json[] = await until('the lists in serving', async () => {
    const answers = await Promise.all(
      showcase.map(async (r) => (await serving.get(`/v1/users/${r.userId}/recommendations?limit=10`)).body),
    );
    return answers.every((a) => a.source === 'personalized' && a.modelVersion === trained.modelVersion)
      ? answers
      : undefined;
  });

  // 6. What it all came to.
  const { readers: heldOutReaders, report: oracleReport } = await oracle;
  step(`Done in ${clock()}.`, 'serving');
  const rankers: [string, Json][] = [
    ['model', report.rankers.candidate.overall],
    ['popularity', report.rankers.popularity.overall],
    ['category × popularity', report.rankers.categoryPopularity.overall],
    ['recency', report.rankers.recency.overall],
    ['oracle (the world’s truth)', oracleReport],
  ];
  const protocols: Record<string, number> = report.heldOut.protocols;
  console.log(
    `\nHeld-out day: ${number(heldOutReaders)} readers, ` +
      (protocols['logged-impressions'] > 0
        ? `${number(protocols['logged-impressions'])} ranking the articles shown to them that day, `
        : '') +
      (protocols['sampled-fresh'] > 0
        ? `${number(protocols['sampled-fresh'])} ranking what they read that day among ${sampledCandidates} other fresh articles`
        : ''),
  );
  console.log('  ranker                       NDCG@10  recall@10    MRR    AUC');
  for (const [name, m] of rankers) {
    console.log(
      `  ${name.padEnd(28)} ${[m.ndcgAt10, m.recallAt10, m.mrr, m.auc].map((v: number) => v.toFixed(4).padStart(7)).join('  ')}`,
    );
  }
  const model = report.rankers.candidate.overall.ndcgAt10;
  console.log(
    `  model / popularity ${(model / report.rankers.popularity.overall.ndcgAt10).toFixed(2)}, model / oracle ${(model / oracleReport.ndcgAt10).toFixed(2)}`,
  );
  showcase.forEach((reader, i) => {
    console.log(
      `\n${reader.userId} (${reader.region}, ${reader.reads} reads) — GET /v1/users/${reader.userId}/recommendations`,
    );
    for (const item of lists[i].items) {
      console.log(
        `  ${String(item.rank).padStart(2)}. ${(demo.titles.get(item.articleId) ?? item.articleId).slice(0, 90)}  (${item.score.toFixed(3)})`,
      );
    }
  });
  console.log('\nAPI docs:');
  for (const name of Object.keys(ports) as (keyof typeof ports)[])
    console.log(`  ${name.padEnd(14)} ${url(name)}/docs`);
  console.log(`Metrics: ${url('serving')}/metrics (every service has /metrics)`);
  console.log(`Try: curl '${url('serving')}/v1/users/${showcase[0].userId}/recommendations?limit=10'`);
  const total = phases.reduce((sum, [, ms]) => sum + ms, 0);
  console.log('\nWhere the time went:');
  for (const [name, ms] of phases)
    console.log(`  ${name.padEnd(32)} ${(ms / 1000).toFixed(0).padStart(5)} s`);
  console.log(`  ${'total'.padEnd(32)} ${(total / 1000).toFixed(0).padStart(5)} s`);
  return 0;
}

runCommandLine(main);

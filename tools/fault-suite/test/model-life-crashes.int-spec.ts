import { ArtifactRef, ArtifactStore } from '@newsroom/artifacts';
import { DatasetManifest, TopicPayload, newEvent, topics } from '@newsroom/contracts';
import { loadDataset, selectBackend } from '@newsroom/ml';
import { savedUntrainedTwoTower, twoTopicDatasetLines } from '@newsroom/ml/testing';
import { physicalTopic } from '@newsroom/messaging';
import { advisoryLockKey } from '@newsroom/persistence';
import { Json, ServiceHandle, ServiceWorld, serviceWorld, testAdminKey } from '@newsroom/platform/testing';
import { waitFor } from '@newsroom/testing';
import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as pace } from 'node:timers/promises';
import { QueryRunner } from 'typeorm';
import { z } from 'zod';

const ML_BACKENDS = 'wasm,cpu';
/**
 * A killed member keeps its partitions until its session expires: 6 s (the broker's minimum), so
 * that the restarted process gets them back (and what was in flight redelivered) quickly.
 */
const groupEnv = { KAFKA_SESSION_TIMEOUT_MS: '6000', KAFKA_HEARTBEAT_INTERVAL_MS: '500' };
const EPOCHS = 4;
/**
 * Reads monitoring is sent, in sends of READS_PER_SEND every SEND_EVERY_MS: about 10 s of stream,
 * so that a fifth is folded while the rest still comes even on a busy machine.
 */
const READS = 3_000;
const READS_PER_SEND = 30;
const SEND_EVERY_MS = 100;

const figures = (line: string) => process.stdout.write(`model-life crashes: ${line}\n`);

/** SIGKILL, as the OOM killer or a lost node would: no shutdown hook runs. */
async function kill(service: ServiceHandle): Promise<void> {
  const { signal } = await service.process.stop('SIGKILL');
  expect(signal).toBe('SIGKILL');
}

/** A small two-topic dataset file in the world's artifact store, with its lines. */
async function writeDataset(world: ServiceWorld, readers: number) {
  const lines = twoTopicDatasetLines({ readers });
  const file = await new ArtifactStore(world.artifactDir).write('datasets', 'jsonl', async (sink) => {
    await sink.write(lines.join('\n') + '\n');
  });
  return { lines, file };
}

/** Every event on a topic, once its producer's outbox has nothing left to publish. */
async function relayed(world: ServiceWorld, service: ServiceHandle, topic: string): Promise<Json[]> {
  await waitFor(
    `${service.schema}'s outbox relayed`,
    async () =>
      (
        await world.query(service, `SELECT count(*)::int AS n FROM $schema.outbox WHERE published_at IS NULL`)
      )[0].n === 0,
    { timeoutMs: 30_000, intervalMs: 100 },
  );
  return world.readAll(topic);
}

/**
 * Holds a PostgreSQL advisory lock a service takes by name, on a connection of the test's own: the
 * service's transaction waiting for it (or skipping its turn) stays exactly where it is, so the
 * kill lands at that point of its work and not a moment before or after.
 */
async function holdLock(world: ServiceWorld, name: string) {
  const key = advisoryLockKey(name);
  const runner: QueryRunner = world.db.createQueryRunner();
  await runner.connect();
  await runner.query('SELECT pg_advisory_lock($1)', [key]);
  let held = true;
  return {
    /** Backends other than ours waiting for the lock. */
    waiters: async (): Promise<number> =>
      (
        await world.db.query(
          `SELECT count(*)::int AS n FROM pg_locks
           WHERE locktype = 'advisory' AND NOT granted AND ((classid::bigint << 32) | objid::bigint) = $1::bigint`,
          [key],
        )
      )[0].n,
    release: async () => {
      if (held) await runner.query('SELECT pg_advisory_unlock($1)', [key]);
      held = false;
      await runner.release();
    },
  };
}

/**
 * Scenario 3, for the model life cycle: training, evaluation, registry and monitoring each
 * SIGKILLed in the middle of their work and started again on the same schema, consumer group and
 * artifact store, on the real Kafka and PostgreSQL. Each case first proves the kill landed mid-work
 * (nothing of the work committed or announced yet, or only part of it), then that after the
 * restart the work is done exactly once: one run, model file and `model.trained`; one evaluation
 * and `model.evaluated`; one promotion and `model.promoted` per version and one champion; every
 * read counted once. The read pipeline's services are killed in service-crashes.int-spec.ts.
 */
describe('fault: the model life cycle services SIGKILLed mid-work', () => {
  beforeAll(() => selectBackend(['wasm', 'cpu']), 60_000);

  it('training: a run killed mid-training runs again from its start and ends as one succeeded run, one model file, one model.trained', async () => {
    const world = await serviceWorld(1);
    try {
      const env = {
        ...groupEnv,
        ML_BACKENDS,
        TRAINING_ADMIN_API_KEYS: `tests:${testAdminKey}`,
        TRAINING_EPOCHS: String(EPOCHS),
        TRAINING_BATCH_SIZE: '64',
        // Only the test's request starts a run.
        TRAINING_PUSH_MIN_TRAIN_ROWS: '0',
        TRAINING_POLL_INTERVAL_MS: '100',
      };
      let training = await world.start('training', env);
      const { file } = await writeDataset(world, 40);
      const datasetId = file.sha256;
      // The feature store's announcement: training learns of the dataset it may be asked to train on.
      const manifest: z.input<typeof DatasetManifest> = {
        datasetId,
        format: 'newsroom-dataset/2',
        featureSchemaVersion: 1,
        codeVersion: 'tests',
        createdAt: new Date().toISOString(),
        trigger: 'pull',
        window: { start: '2026-11-10T00:00:00.000Z', end: '2026-11-12T00:00:00.000Z' },
        validationFrom: '2026-11-11T16:00:00.000Z',
        rows: { train: 600, validation: 120, readers: 40, articles: 60 },
        file,
        sources: { kafkaOffsets: {}, highWaterMarks: { interactions: 1, articles: 1 } },
        quality: { passed: true, checks: [] },
        buildMs: 1,
      };
      await world.publish(topics.datasetSnapshotted, [
        {
          key: datasetId,
          value: newEvent(
            topics.datasetSnapshotted.name,
            { datasetId, artifact: { uri: file.uri, sha256: file.sha256 }, manifest },
            'tests',
          ),
        },
      ]);
      await waitFor('the dataset known to training', async () =>
        (await world.query(training, `SELECT 1 FROM $schema.datasets WHERE dataset_id = $1`, [datasetId]))
          .length > 0
          ? true
          : undefined,
      );
      const idempotencyKey = randomUUID();
      const request = () =>
        training.post(
          '/v1/training-runs',
          { datasetId, reason: 'killed mid-run' },
          { 'idempotency-key': idempotencyKey },
        );
      const posted = await request();
      expect(posted.status).toBe(202);
      const runId: string = posted.body.runId;
      const runRow = async () =>
        (
          await world.query(
            training,
            `SELECT status, attempts, jsonb_array_length(epochs)::int AS epochs FROM $schema.training_runs WHERE run_id = $1`,
            [runId],
          )
        )[0];
      // Mid-run: at least one epoch recorded, not all of them.
      await waitFor(
        'the run part-way through its epochs',
        async () => {
          const row = await runRow();
          return row?.status === 'running' && row.epochs >= 1 ? row : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 20 },
      );
      await kill(training);
      const atKill = await runRow();
      // The kill landed mid-run: still `running` on its first attempt, epochs missing, nothing written.
      expect(atKill).toMatchObject({ status: 'running', attempts: 1 });
      expect(atKill.epochs).toBeLessThan(EPOCHS);
      expect(await modelFiles(world)).toEqual([]);
      expect(await world.readAll(topics.modelTrained.name)).toEqual([]);
      expect(await world.readAll(topics.trainingFailed.name)).toEqual([]);

      training = await world.start('training', env, training.schema);
      // The client whose request died with the service asks again: the same run, not a second one.
      const retried = await request();
      expect(retried.status).toBe(200);
      expect(retried.body.runId).toBe(runId);
      const run = await waitFor(
        'the run finished after the restart',
        async () => {
          const { body } = await training.get(`/v1/training-runs/${runId}`);
          return body.status === 'succeeded' || body.status === 'failed' ? body : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 100 },
      );
      expect(run).toMatchObject({ status: 'succeeded', datasetId, error: null });
      // Run again from its start (the dead attempt's epochs dropped), on its second attempt.
      expect(run.epochs.map((e: Json) => e.epoch)).toEqual(Array.from({ length: EPOCHS }, (_, i) => i + 1));
      expect((await runRow()).attempts).toBe(2);
      expect((await training.get('/v1/training-runs?limit=50')).body.map((r: Json) => r.runId)).toEqual([
        runId,
      ]);
      const trained = (await relayed(world, training, topics.modelTrained.name)).map((e) => e.payload);
      expect(trained).toEqual([
        expect.objectContaining({
          runId,
          modelVersion: run.modelVersion,
          datasetId,
          artifact: { uri: run.artifact.uri, sha256: run.artifact.sha256 },
        }),
      ]);
      expect(await modelFiles(world)).toEqual([`${run.artifact.sha256}.bin`]);
      figures(
        `training killed at epoch ${atKill.epochs} of ${EPOCHS} (attempt 1); after restart: runs 1, ` +
          `${run.status} on attempt 2 with ${run.epochs.length} epochs, model.trained ${trained.length}, ` +
          `model files ${(await modelFiles(world)).length}`,
      );
    } finally {
      await world.tearDown();
    }
  }, 120_000);

  it('evaluation: a candidate killed mid-evaluation is evaluated again and announced once', async () => {
    const world = await serviceWorld(1);
    try {
      // At `info` level the evaluation thread's progress is in the output: the moment to kill at.
      const env = { ...groupEnv, ML_BACKENDS, LOG_LEVEL: 'info' };
      let evaluation = await world.start('evaluation', env);
      const { lines, file } = await writeDataset(world, 300);
      const { articles } = await loadDataset(lines);
      // A champion to judge the candidate against, so that the evaluation has a second model to score.
      const champion = await savedUntrainedTwoTower(world.artifactDir, articles, 1);
      await world.promote('v-champion', champion);
      await waitFor('the champion known to evaluation', async () =>
        (await world.query(evaluation, `SELECT model_version FROM $schema.champion`))[0]?.model_version ===
        'v-champion'
          ? true
          : undefined,
      );
      const version = 'v-candidate';
      const candidate = await savedUntrainedTwoTower(world.artifactDir, articles, 2);
      await world.publish(topics.modelTrained, [trainedEvent(version, candidate, file.sha256)]);
      // Files saved without an attribution baseline make the thread say so once it has loaded and
      // scored the candidate, before its feature importance, the champion and the baselines.
      const midWork = `model ${version} has no attribution baseline`;
      const noticedAt = await waitFor(
        'the evaluation part-way through',
        () => (evaluation.process.output().includes(midWork) ? Date.now() : undefined),
        { timeoutMs: 60_000, intervalMs: 5 },
      );
      await kill(evaluation);
      const killedAfterMs = Date.now() - noticedAt;
      const stored = async () =>
        (
          await world.query(
            evaluation,
            `SELECT count(*)::int AS n FROM $schema.evaluations WHERE model_version = $1`,
            [version],
          )
        )[0].n;
      // The kill landed mid-evaluation: nothing stored, nothing announced.
      expect(await stored()).toBe(0);
      expect(await world.readAll(topics.modelEvaluated.name)).toEqual([]);

      evaluation = await world.start('evaluation', env, evaluation.schema);
      // The same moment in the new process, and how long the evaluation went on from it: the
      // window the kill had to land in.
      const restartedNoticeAt = await waitFor(
        'the evaluation part-way through again',
        () => (evaluation.process.output().includes(midWork) ? Date.now() : undefined),
        { timeoutMs: 60_000, intervalMs: 5 },
      );
      await waitFor('the candidate evaluated after the restart', async () => (await stored()) === 1, {
        timeoutMs: 60_000,
        intervalMs: 10,
      });
      const windowMs = Date.now() - restartedNoticeAt;
      const evaluated = (await relayed(world, evaluation, topics.modelEvaluated.name)).map((e) => e.payload);
      expect(evaluated).toEqual([
        expect.objectContaining({ modelVersion: version, championVersion: 'v-champion' }),
      ]);
      const report = await evaluation.get(`/v1/evaluations/${version}`);
      expect(report.status).toBe(200);
      expect(report.body).toMatchObject({
        modelVersion: version,
        championVersion: 'v-champion',
        passed: evaluated[0].passed,
      });
      expect(report.body.rankers.champion.overall.ndcgAt10).toEqual(expect.any(Number));
      figures(
        `evaluation killed ${killedAfterMs} ms into the candidate's feature importance (nothing stored; ` +
          `the rest of the evaluation takes ${windowMs} ms); ` +
          `after restart: evaluations ${await stored()}, model.evaluated ${evaluated.length} ` +
          `(${report.body.heldOut.readers} held-out readers, passed ${report.body.passed})`,
      );
    } finally {
      await world.tearDown();
    }
  }, 120_000);

  it('registry: killed inside a promotion, and again with the promotion committed but not yet announced, it promotes each version once', async () => {
    const world = await serviceWorld(1);
    const locks: { release(): Promise<void> }[] = [];
    try {
      const env = { ...groupEnv, REGISTRY_ADMIN_API_KEYS: `tests:${testAdminKey}` };
      let registry = await world.start('registry', env);
      const sha = (n: number) => n.toString(16).padStart(64, '0');
      const artifact = (n: number) => ({ uri: `artifact://models/${sha(n)}.bin`, sha256: sha(n) });
      const stage = async (version: string) => (await registry.get(`/v1/models/${version}`)).body.stage;
      const count = async (table: string, version: string) =>
        (
          await world.query(
            registry,
            `SELECT count(*)::int AS n FROM $schema.${table} WHERE model_version = $1`,
            [version],
          )
        )[0].n;
      const promotedOf = async (version: string) =>
        (await world.readAll(topics.modelPromoted.name)).filter((e) => e.payload.modelVersion === version);

      // 1. Killed inside the promotion's transaction: v1's evaluation received and written, the
      // stages lock awaited (the test holds it), nothing committed.
      await world.publish(topics.modelTrained, [trainedEvent('v1', artifact(1), sha(100))]);
      await waitFor('v1 a candidate', async () => ((await stage('v1')) === 'candidate' ? true : undefined));
      const stages = await holdLock(world, `registry:stages:${registry.schema}`);
      locks.push(stages);
      await world.publish(topics.modelEvaluated, [evaluatedEvent('v1', null)]);
      const waiting = await waitFor(
        'v1 promotion waiting for the stages lock',
        async () => (await stages.waiters()) || undefined,
        { timeoutMs: 30_000, intervalMs: 20 },
      );
      await kill(registry);
      // Its open transaction dies with its connection once the lock lets it go on.
      await stages.release();
      expect(await count('evaluations', 'v1')).toBe(0);
      expect(await count('promotions', 'v1')).toBe(0);
      expect(await promotedOf('v1')).toEqual([]);
      registry = await world.start('registry', env, registry.schema);
      await waitFor(
        'v1 promoted after the restart',
        async () => ((await stage('v1')) === 'champion' ? true : undefined),
        {
          timeoutMs: 60_000,
          intervalMs: 100,
        },
      );
      await relayed(world, registry, topics.modelPromoted.name);

      // 2. Killed with v2's promotion committed and its model.promoted still in the outbox (the
      // test holds the relay's turn).
      const relay = await holdLock(world, `outbox:${registry.schema}`);
      locks.push(relay);
      await world.publish(topics.modelTrained, [trainedEvent('v2', artifact(2), sha(100))]);
      await world.publish(topics.modelEvaluated, [evaluatedEvent('v2', 'v1')]);
      await waitFor(
        'v2 promoted in the database',
        async () => ((await count('promotions', 'v2')) === 1 ? true : undefined),
        {
          timeoutMs: 30_000,
          intervalMs: 20,
        },
      );
      const pending = (
        await world.query(
          registry,
          `SELECT count(*)::int AS n FROM $schema.outbox WHERE published_at IS NULL`,
        )
      )[0].n;
      await kill(registry);
      await relay.release();
      expect(pending).toBe(1);
      expect(await promotedOf('v2')).toEqual([]);
      registry = await world.start('registry', env, registry.schema);
      await relayed(world, registry, topics.modelPromoted.name);
      // A redelivered model.evaluated (its offset may not have been committed) must change nothing:
      // wait until the group has caught up before counting.
      await waitFor('the registry group caught up', async () =>
        (await committed(world, 'registry', topics.modelEvaluated.name)) ===
        (await world.readAll(topics.modelEvaluated.name)).length
          ? true
          : undefined,
      );

      const promoted = (await world.readAll(topics.modelPromoted.name)).map((e) => e.payload);
      // Each promotion announced once, in the registry's order: nothing lost with the dead outbox
      // relay, nothing announced again by the redelivered model.evaluated.
      expect(promoted.map((p) => [p.modelVersion, p.sequence, p.previousVersion])).toEqual([
        ['v1', 1, null],
        ['v2', 2, 'v1'],
      ]);
      const champions = (await registry.get('/v1/models?stage=champion')).body;
      expect(champions.map((m: Json) => m.modelVersion)).toEqual(['v2']);
      expect(await stage('v1')).toBe('archived');
      const promotions = await world.query(
        registry,
        `SELECT model_version FROM $schema.promotions ORDER BY sequence`,
      );
      expect(promotions.map((p) => p.model_version)).toEqual(['v1', 'v2']);
      figures(
        `registry killed inside v1's promotion (${waiting} waiting for the stages lock, nothing committed) and after v2's ` +
          `(${pending} model.promoted pending in the outbox); after restarts: promotions ${promotions.length}, ` +
          `model.promoted ${promoted.length} (${promoted.map((p) => `${p.modelVersion}#${p.sequence}`).join(', ')}), ` +
          `champions ${champions.length}`,
      );
    } finally {
      for (const lock of locks) await lock.release().catch(() => undefined);
      await world.tearDown();
    }
  }, 120_000);

  it('monitoring: killed while folding a stream of reads, it counts every read once', async () => {
    const world = await serviceWorld();
    try {
      const env = groupEnv;
      let monitoring = await world.start('monitoring', env);
      const now = Date.now();
      const types = ['read', 'read', 'click', 'impression'] as const;
      const interactions: TopicPayload<typeof topics.interactionsIngested>[] = Array.from(
        { length: READS },
        (_, i) => {
          const type = types[i % types.length];
          return {
            eventId: `mlc-${i}`,
            userId: `u${i % 97}`,
            articleId: `a${i % 31}`,
            type,
            ...(type === 'read' ? { dwellSeconds: 5 + (i % 120) } : {}),
            occurredAt: new Date(now - (i % 7) * 60_000).toISOString(),
            ingestedAt: new Date(now).toISOString(),
          };
        },
      );
      const expected = {
        reads: interactions.filter((e) => e.type === 'read').length,
        clicks: interactions.filter((e) => e.type === 'click').length,
        impressions: interactions.filter((e) => e.type === 'impression').length,
      };
      const folded = async () => {
        const rows = await world.query(
          monitoring,
          `SELECT metric, sum(value)::int AS n FROM $schema.hourly_counts
           WHERE metric IN ('reads', 'clicks', 'impressions', 'arrived', 'read-dwell-seconds') GROUP BY metric`,
        );
        const sum = (metric: string) => rows.find((r) => r.metric === metric)?.n ?? 0;
        const [readerHours] = await world.query(
          monitoring,
          `SELECT coalesce(sum(reads), 0)::int AS n FROM $schema.reader_hours`,
        );
        const [offsets] = await world.query(
          monitoring,
          `SELECT coalesce(sum(next_offset), 0)::int AS n FROM $schema.consumed_offsets WHERE topic LIKE $1`,
          [`%${topics.interactionsIngested.name}`],
        );
        return {
          reads: sum('reads'),
          clicks: sum('clicks'),
          impressions: sum('impressions'),
          arrived: sum('arrived'),
          dwellHistogram: sum('read-dwell-seconds'),
          readerHours: readerHours.n,
          offsets: offsets.n,
        };
      };

      // The stream starts once monitoring's consumer has its partitions, so that it folds while it flows.
      await waitFor(
        'monitoring in its consumer group',
        async () => (await groupStable(world, 'monitoring')) || undefined,
        {
          timeoutMs: 30_000,
          intervalMs: 100,
        },
      );
      let sent = 0;
      const stream = (async () => {
        for (let i = 0; i < READS; i += READS_PER_SEND) {
          const chunk = interactions.slice(i, i + READS_PER_SEND);
          await world.publish(
            topics.interactionsIngested,
            chunk.map((payload) => ({
              key: payload.userId,
              value: newEvent(topics.interactionsIngested.name, payload, 'tests'),
            })),
          );
          sent += chunk.length;
          await pace(SEND_EVERY_MS);
        }
      })();
      // Mid-stream: a fifth of it folded, batches still arriving and being folded. (A send that
      // fails ends the wait at once rather than at its deadline.)
      await Promise.race([
        waitFor(
          'a fifth of the stream folded',
          async () => ((await folded()).offsets >= READS / 5 ? true : undefined),
          { timeoutMs: 30_000, intervalMs: 20 },
        ),
        stream.then(() => new Promise<never>(() => undefined)),
      ]);
      await kill(monitoring);
      const sentAtKill = sent;
      const atKill = await folded();
      expect(atKill.offsets).toBeGreaterThan(0);
      expect(atKill.offsets).toBeLessThan(READS);
      expect(sentAtKill).toBeLessThan(READS);
      await stream;

      monitoring = await world.start('monitoring', env, monitoring.schema);
      const after = await waitFor(
        'every record folded after the restart',
        async () => {
          const counts = await folded();
          return counts.offsets >= READS ? counts : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 200 },
      );
      expect(after).toEqual({
        ...expected,
        arrived: READS,
        dwellHistogram: expected.reads,
        readerHours: expected.reads,
        offsets: READS,
      });
      figures(
        `monitoring killed with ${sentAtKill} of ${READS} records sent and ${atKill.offsets} folded ` +
          `(${atKill.reads} reads); after restart: ${JSON.stringify(after)}`,
      );
    } finally {
      await world.tearDown();
    }
  }, 120_000);
});

/** The offsets a service's consumer group has committed on a topic, summed over its partitions. */
async function committed(world: ServiceWorld, service: string, topic: string): Promise<number> {
  const admin = world.kafkaTopics.kafka.admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({
      groupId: `${world.kafkaTopics.prefix}${service}`,
      topics: [physicalTopic(world.kafkaTopics.prefix, topic)],
    });
    return offsets.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Whether a service's consumer group has members with their partitions assigned. */
async function groupStable(world: ServiceWorld, service: string): Promise<boolean> {
  const admin = world.kafkaTopics.kafka.admin();
  await admin.connect();
  try {
    const {
      groups: [group],
    } = await admin.describeGroups([`${world.kafkaTopics.prefix}${service}`]);
    return group.state === 'Stable' && group.members.length > 0;
  } finally {
    await admin.disconnect();
  }
}

/** The complete model files in the world's artifact store (temporary `.partial` ones left out). */
async function modelFiles(world: ServiceWorld): Promise<string[]> {
  const names = await readdir(join(world.artifactDir, 'models')).catch(() => [] as string[]);
  return names.filter((name) => !name.startsWith('.')).sort();
}

function trainedEvent(
  modelVersion: string,
  artifact: Pick<ArtifactRef, 'uri' | 'sha256'>,
  datasetId: string,
) {
  return {
    key: modelVersion,
    value: newEvent(
      topics.modelTrained.name,
      {
        modelVersion,
        runId: `run-${modelVersion}`,
        artifact: { uri: artifact.uri, sha256: artifact.sha256 },
        datasetId,
        parentVersion: null,
        codeVersion: 'tests',
        params: {},
        metrics: {},
      },
      'tests',
    ),
  };
}

function evaluatedEvent(modelVersion: string, championVersion: string | null) {
  return {
    key: modelVersion,
    value: newEvent(
      topics.modelEvaluated.name,
      { modelVersion, championVersion, passed: true, reasons: ['PASS: tests'], metrics: { ndcgAt10: 0.5 } },
      'tests',
    ),
  };
}

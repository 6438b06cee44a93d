import { ArtifactStore } from '@newsroom/artifacts';
import { newEvent, topics } from '@newsroom/contracts';
import { Json, ServiceHandle, ServiceWorld, serviceWorld, testAdminKey } from '@newsroom/platform/testing';
import { waitFor } from '@newsroom/testing';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const day = Date.parse('2026-11-10T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
/** The snapshot every attempt asks for: one day, its last 6 hours for validation. */
const window = { windowStart: iso(day), windowEnd: iso(day + 24 * HOUR), validationHours: 6 };

/**
 * The "full" store: each service runs under RLIMIT_FSIZE (soft limit only, so that raising it back
 * needs no privilege), and a write past it fails with EFBIG — node ignores SIGXFSZ. This is the
 * same errno path as a full volume (a failed write mid-file), without root or a tiny filesystem,
 * and "space returns" by raising the running process's limit: no restart, the same process retries.
 * Chosen over making the kind directory a file (mkdir/rename fail before any byte is written),
 * which would not exercise a half-written temporary file. The limit covers every file the process
 * writes, but logs go to pipes and PostgreSQL is its own process: only artifacts reach it (the
 * tests check that both artifacts are larger than it). prlimit execs node: the pid stays node's.
 */
const FSIZE_LIMIT = 16 * 1024;
const limited = ['prlimit', `--fsize=${FSIZE_LIMIT}:unlimited`, '--'];

/** The process's file size limit as /proc shows it ("unlimited" or bytes). */
async function fileSizeLimit(service: ServiceHandle): Promise<string> {
  const limits = await readFile(`/proc/${service.process.process.pid}/limits`, 'utf8');
  return /^Max file size\s+(\S+)/m.exec(limits)?.[1] ?? 'not shown';
}

function raiseFileSizeLimit(service: ServiceHandle): void {
  execFileSync('prlimit', ['--pid', String(service.process.process.pid), '--fsize=unlimited:unlimited']);
}

/** Every file under a kind's directory of the store, hidden temporaries included. */
async function storedFiles(world: ServiceWorld, kind: string): Promise<string[]> {
  try {
    return (await readdir(join(world.artifactDir, kind))).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/**
 * Scenario 9: the artifact store full during a dataset snapshot and during a training run. Each
 * fails clearly (the snapshot request with a 503 naming the artifact store, the run recorded as
 * failed with that reason and announced on training.failed), leaves no temporary file, registers
 * and announces nothing, and the service stays up and ready; once space returns (the same running
 * process), the same snapshot and a retried run succeed, exactly once each.
 */
describe('artifact store full during a snapshot and a training run', () => {
  let world: ServiceWorld;
  let features: ServiceHandle;
  let training: ServiceHandle;
  const figures: string[] = [];

  beforeAll(async () => {
    const started = Date.now();
    world = await serviceWorld(1);
    [features, training] = await Promise.all([
      world.start(
        'feature-store',
        { FEATURES_ADMIN_API_KEYS: `tests:${testAdminKey}`, DATASET_GATE_MIN_READS: '1' },
        undefined,
        { command: limited },
      ),
      world.start(
        'training',
        {
          TRAINING_ADMIN_API_KEYS: `tests:${testAdminKey}`,
          TRAINING_EPOCHS: '1',
          TRAINING_BATCH_SIZE: '64',
          TRAINING_POLL_INTERVAL_MS: '100',
          ML_BACKENDS: 'wasm,cpu',
        },
        undefined,
        { command: limited },
      ),
    ]);
    figures.push(`services up in ${Date.now() - started} ms`);
    // A small world: 8 articles in two categories, 12 readers with 6 reads each over the day.
    const articles = Array.from({ length: 8 }, (_, i) => `a${i}`);
    await world.publish(
      topics.articlesIngested,
      articles.map((articleId, i) => ({
        key: articleId,
        value: newEvent(
          topics.articlesIngested.name,
          {
            eventId: randomUUID(),
            articleId,
            title: `${i % 2 ? 'sports' : 'politics'} story ${articleId}`,
            body: 'More to read.',
            category: i % 2 ? 'sports' : 'politics',
            publisher: 'daily-planet',
            url: `https://news.example/${articleId}`,
            publishedAt: iso(day),
            language: 'en',
            revision: 1,
            ingestedAt: new Date().toISOString(),
          },
          'tests',
        ),
      })),
    );
    const reads = [];
    for (let r = 0; r < 12; r++) {
      for (let k = 0; k < 6; k++) {
        const userId = `reader-${r}`;
        reads.push({
          key: userId,
          value: newEvent(
            topics.interactionsIngested.name,
            {
              eventId: randomUUID(),
              userId,
              articleId: articles[(r + 2 * k) % articles.length],
              type: 'read' as const,
              dwellSeconds: 20 + ((r * 7 + k * 11) % 90),
              occurredAt: iso(day + HOUR + k * 4 * HOUR + r * MINUTE),
              region: 'africa' as const,
              ingestedAt: new Date().toISOString(),
            },
            'tests',
          ),
        });
      }
    }
    await world.publish(topics.interactionsIngested, reads);
    await waitFor(
      'the reads in the offline store',
      async () =>
        (await world.query(features, `SELECT count(*)::int AS n FROM $schema.interaction_log`))[0].n ===
        reads.length,
      { timeoutMs: 30_000, intervalMs: 100 },
    );
  }, 120_000);

  afterAll(async () => {
    await world?.tearDown();
    process.stdout.write(`artifact store full: ${figures.join('; ')}\n`);
  }, 60_000);

  it('a snapshot fails with a 503 naming the store and registers nothing; the same request succeeds once space returns', async () => {
    expect(await fileSizeLimit(features)).toBe(String(FSIZE_LIMIT));
    let started = Date.now();
    const refused = await features.post('/v1/datasets', window);
    const refusedMs = Date.now() - started;
    expect(refused.status).toBe(503);
    expect(refused.body.message).toMatch(/artifact store could not write to "datasets": EFBIG/);
    // Online features and the rest of the service do not need the store: it stays up and ready, so
    // an orchestrator does not take it out of traffic (or restart it) for what only an operator fixes.
    expect(features.process.process.exitCode).toBeNull();
    expect((await fetch(`${features.process.url}/health/ready`)).status).toBe(200);
    expect(await world.query(features, `SELECT dataset_id FROM $schema.datasets`)).toEqual([]);
    expect(await world.query(features, `SELECT status, error FROM $schema.snapshot_runs`)).toEqual([
      { status: 'failed', error: expect.stringMatching(/artifact store could not write to "datasets"/) },
    ]);
    // Neither the half-written temporary file nor anything under a real name.
    expect(await storedFiles(world, 'datasets')).toEqual([]);

    raiseFileSizeLimit(features);
    expect(await fileSizeLimit(features)).toBe('unlimited');
    started = Date.now();
    const created = await features.post('/v1/datasets', window);
    const createdMs = Date.now() - started;
    expect(created.status).toBe(201);
    const { datasetId, file } = created.body;
    // The limit was what failed the first attempt: the same bytes are larger than it.
    expect(file.bytes).toBeGreaterThan(FSIZE_LIMIT);
    await new ArtifactStore(world.artifactDir).verify(file);
    expect(await storedFiles(world, 'datasets')).toEqual([`${datasetId}.jsonl`]);
    expect(await world.query(features, `SELECT dataset_id FROM $schema.datasets`)).toEqual([
      { dataset_id: datasetId },
    ]);
    // The outbox publishes in order: an announcement of the failed attempt would come before this one.
    await waitFor('the dataset announced', async () =>
      (await world.readAll(topics.datasetSnapshotted.name)).some((e) => e.payload.datasetId === datasetId),
    );
    expect((await world.readAll(topics.datasetSnapshotted.name)).map((e) => e.payload.datasetId)).toEqual([
      datasetId,
    ]);
    figures.push(
      `snapshot refused in ${refusedMs} ms, made after space returned in ${createdMs} ms (${file.bytes} bytes)`,
    );
  });

  it('a training run fails with the reason recorded and announced, no model; a retried run succeeds once space returns', async () => {
    const [{ dataset_id: datasetId }] = await world.query(
      features,
      `SELECT dataset_id FROM $schema.datasets`,
    );
    // Training learns of datasets from dataset.snapshotted only; a run names a known one.
    await waitFor(
      'the dataset known to training',
      async () =>
        (await world.query(training, `SELECT 1 FROM $schema.datasets WHERE dataset_id = $1`, [datasetId]))
          .length === 1,
    );
    const finished = (runId: string) =>
      waitFor(
        `run ${runId} finished`,
        async () => {
          const run: Json = (await training.get(`/v1/training-runs/${runId}`)).body;
          return run.status === 'failed' || run.status === 'succeeded' ? run : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 200 },
      );

    expect(await fileSizeLimit(training)).toBe(String(FSIZE_LIMIT));
    let started = Date.now();
    const first = await training.post('/v1/training-runs', { datasetId, reason: 'store full' });
    expect(first.status).toBe(202);
    const failed = await finished(first.body.runId);
    const failedMs = Date.now() - started;
    expect(failed).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/artifact store could not write to "models": EFBIG/),
      artifact: null,
      modelVersion: null,
    });
    // It trained, then could not store the model: the failure is the write's, not an early one.
    expect(failed.epochs).toHaveLength(1);
    expect(training.process.process.exitCode).toBeNull();
    expect((await fetch(`${training.process.url}/health/ready`)).status).toBe(200);
    expect(await storedFiles(world, 'models')).toEqual([]);
    await waitFor('the failure announced', async () =>
      (await world.readAll(topics.trainingFailed.name)).some((e) => e.payload.runId === first.body.runId),
    );

    raiseFileSizeLimit(training);
    expect(await fileSizeLimit(training)).toBe('unlimited');
    started = Date.now();
    const retry = await training.post('/v1/training-runs', { datasetId, reason: 'space returned' });
    expect(retry.status).toBe(202);
    const succeeded = await finished(retry.body.runId);
    const succeededMs = Date.now() - started;
    expect(succeeded).toMatchObject({ status: 'succeeded', error: null, datasetId });
    expect(succeeded.artifact.bytes).toBeGreaterThan(FSIZE_LIMIT);
    await new ArtifactStore(world.artifactDir).verify(succeeded.artifact);
    expect(await storedFiles(world, 'models')).toEqual([`${succeeded.artifact.sha256}.bin`]);
    // The outbox publishes in order: a model.trained of the failed run would come before this one.
    await waitFor('the model announced', async () =>
      (await world.readAll(topics.modelTrained.name)).some((e) => e.payload.runId === retry.body.runId),
    );
    expect((await world.readAll(topics.modelTrained.name)).map((e) => e.payload)).toEqual([
      expect.objectContaining({
        runId: retry.body.runId,
        modelVersion: succeeded.modelVersion,
        artifact: { uri: succeeded.artifact.uri, sha256: succeeded.artifact.sha256 },
      }),
    ]);
    expect((await world.readAll(topics.trainingFailed.name)).map((e) => e.payload.runId)).toEqual([
      first.body.runId,
    ]);
    expect(
      (await training.get('/v1/training-runs')).body.map((r: Json) => [r.runId, r.status]).sort(),
    ).toEqual(
      [
        [first.body.runId, 'failed'],
        [retry.body.runId, 'succeeded'],
      ].sort(),
    );
    figures.push(
      `run failed in ${failedMs} ms, retry succeeded in ${succeededMs} ms (model ${succeeded.artifact.bytes} bytes)`,
    );
  });
});

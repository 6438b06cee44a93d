import { ArtifactStore } from '@newsroom/artifacts';
import { DatasetManifest, newEvent, topics, towerFeatureGroups } from '@newsroom/contracts';
import { loadModel, selectBackend } from '@newsroom/ml';
import { twoTopicDatasetLines } from '@newsroom/ml/testing';
import { Json, ServiceHandle, ServiceWorld, serviceWorld, testAdminKey } from '@newsroom/platform/testing';
import { waitFor } from '@newsroom/testing';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';

/**
 * The four triggers of training (push, request, drift, schedule), each starting exactly one run,
 * and a burst of requests queued without loss or duplicates, against a real training service,
 * Kafka and PostgreSQL. The feature store's part is played by the test: it writes small datasets
 * to the artifact store and announces them as the feature store would.
 */
describe('training triggers', () => {
  let world: ServiceWorld;
  let training: ServiceHandle;
  let datasetId: string;

  const env = {
    TRAINING_ADMIN_API_KEYS: `tests:${testAdminKey}`,
    TRAINING_EPOCHS: '2',
    TRAINING_BATCH_SIZE: '64',
    TRAINING_PUSH_MIN_TRAIN_ROWS: '100',
    TRAINING_POLL_INTERVAL_MS: '100',
    ML_BACKENDS: 'wasm,cpu',
  };

  /** Writes a dataset file and announces it on dataset.snapshotted, optionally answering a request. */
  async function announceDataset(seed: number, rows: { train: number }, requestId?: string) {
    const store = new ArtifactStore(world.artifactDir);
    const lines = twoTopicDatasetLines({ seed });
    const file = await store.write('datasets', 'jsonl', async (sink) => {
      await sink.write(lines.join('\n') + '\n');
    });
    const manifest: z.input<typeof DatasetManifest> = {
      datasetId: file.sha256,
      format: 'newsroom-dataset/2',
      featureSchemaVersion: 1,
      codeVersion: 'tests',
      createdAt: new Date().toISOString(),
      trigger: requestId ? 'pull' : 'push',
      window: { start: '2026-11-10T00:00:00.000Z', end: '2026-11-12T00:00:00.000Z' },
      validationFrom: '2026-11-11T16:00:00.000Z',
      rows: { ...rows, validation: 120, readers: 40, articles: 60 },
      file,
      sources: { kafkaOffsets: {}, highWaterMarks: { interactions: 1, articles: 1 } },
      quality: { passed: true, checks: [] },
      buildMs: 1,
    };
    const event = newEvent(
      topics.datasetSnapshotted.name,
      {
        datasetId: file.sha256,
        artifact: { uri: file.uri, sha256: file.sha256 },
        manifest,
        ...(requestId ? { requestId } : {}),
      },
      'tests',
    );
    await world.publish(topics.datasetSnapshotted, [{ key: file.sha256, value: event }]);
    return { datasetId: file.sha256, event };
  }

  const runs = async (): Promise<Json[]> => (await training.get('/v1/training-runs?limit=200')).body;
  const settled = async (count: number) =>
    waitFor(
      `${count} runs finished`,
      async () => {
        const all = await runs();
        return all.length >= count && all.every((r) => r.status === 'succeeded' || r.status === 'failed')
          ? all
          : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );

  beforeAll(async () => {
    world = await serviceWorld();
    training = await world.start('training', env);
  }, 120_000);

  afterAll(() => world?.tearDown(), 60_000);

  it('push: a new dataset with enough training rows starts one run, however often it is announced', async () => {
    const announced = await announceDataset(1, { train: 600 });
    datasetId = announced.datasetId;
    // The same event redelivered, and a second announcement of the same dataset: still one run.
    await world.publish(topics.datasetSnapshotted, [{ key: datasetId, value: announced.event }]);
    await announceDataset(1, { train: 600 });
    // A dataset under the policy's threshold starts nothing.
    await announceDataset(2, { train: 50 });
    const [run] = await settled(1);
    expect(await runs()).toHaveLength(1);
    expect(run).toMatchObject({
      trigger: 'push',
      status: 'succeeded',
      datasetId,
      parentVersion: null,
      codeVersion: expect.any(String),
    });
    expect(run.backend).toMatch(/^(wasm|cpu)$/);
    expect(run.params).toMatchObject({ epochs: 2, batchSize: 64, seed: 42 });
    expect(run.epochs).toHaveLength(2);
    expect(run.epochs[0]).toMatchObject({
      epoch: 1,
      loss: expect.any(Number),
      validation: { ndcgAt10: expect.any(Number) },
    });
    expect(run.wallSeconds).toBeGreaterThan(0);
    expect(run.cpuSeconds).toBeGreaterThan(0);
    expect(run.peakRssBytes).toBeGreaterThan(50 * 2 ** 20);

    // The run's row and its event commit together; the relay publishes the event a moment later.
    const trained = await waitFor('model.trained published', async () => {
      const events = (await world.readAll(topics.modelTrained.name)).map((e) => e.payload);
      return events.length > 0 ? events : undefined;
    });
    expect(trained).toEqual([
      expect.objectContaining({
        modelVersion: run.modelVersion,
        runId: run.runId,
        datasetId,
        artifact: { uri: run.artifact.uri, sha256: run.artifact.sha256 },
      }),
    ]);
    // The artifact is in the store under its sha256, with its attribution baseline and lineage.
    await selectBackend(['cpu']);
    const { model, attributionBaseline, lineage } = await loadModel(
      new ArtifactStore(world.artifactDir),
      run.artifact,
    );
    model.dispose();
    expect(lineage).toEqual({ datasetId, featureSchemaVersion: 1 });
    expect(attributionBaseline).toMatchObject({
      source: 'training-data',
      sample: { readers: 40, articles: 60 },
    });
    for (const group of towerFeatureGroups) expect(attributionBaseline?.terms[group]).toHaveLength(32);
  }, 180_000);

  it('request: each POST is one run, an Idempotency-Key repeated is the same run, bad input is refused', async () => {
    const before = (await runs()).length;
    const first = await training.post(
      '/v1/training-runs',
      { datasetId, reason: 'tests' },
      { 'idempotency-key': 'k-1' },
    );
    expect(first.status).toBe(202);
    const again = await training.post(
      '/v1/training-runs',
      { datasetId, reason: 'tests' },
      { 'idempotency-key': 'k-1' },
    );
    expect(again.status).toBe(200);
    expect(again.body.runId).toBe(first.body.runId);
    expect((await training.post('/v1/training-runs', { datasetId: 'nope' })).body.message).toMatch(
      /datasetId/,
    );
    expect((await training.post('/v1/training-runs', { datasetId: 'f'.repeat(64) })).status).toBe(400);
    expect((await training.post('/v1/training-runs', { datasetId }, { 'x-api-key': 'wrong' })).status).toBe(
      401,
    );
    const all = await settled(before + 1);
    expect(all).toHaveLength(before + 1);
    expect(all[0]).toMatchObject({
      runId: first.body.runId,
      trigger: 'request',
      reason: 'tests',
      status: 'succeeded',
    });
  }, 180_000);

  it('drift: an alert starts one run that requests a fresh snapshot and trains on the answer', async () => {
    const before = (await runs()).length;
    const at = new Date().toISOString();
    const drift = {
      alertId: randomUUID(),
      type: 'drift' as const,
      severity: 'warning' as const,
      state: 'firing' as const,
      subject: 'v1',
      dedupKey: 'drift:v1',
      message: 'reader mix drifted',
      details: {},
      firstSeenAt: at,
      lastSeenAt: at,
    };
    const alert = newEvent(topics.monitoringAlert.name, drift, 'tests');
    // Its end, and the end of another: neither starts a run.
    const resolved = newEvent(topics.monitoringAlert.name, { ...drift, state: 'resolved' as const }, 'tests');
    const otherResolved = newEvent(
      topics.monitoringAlert.name,
      { ...drift, alertId: randomUUID(), state: 'resolved' as const },
      'tests',
    );
    await world.publish(topics.monitoringAlert, [
      { key: 'drift', value: alert },
      { key: 'drift', value: alert },
      { key: 'drift', value: resolved },
      { key: 'drift', value: otherResolved },
    ]);
    const request = await waitFor(
      "the drift run's snapshot request",
      async () =>
        (await world.readAll(topics.trainingRequested.name)).find((e) => e.payload.trigger === 'drift'),
      {
        timeoutMs: 30_000,
      },
    );
    const waiting = (await runs()).filter((r) => r.trigger === 'drift');
    expect(waiting).toEqual([
      expect.objectContaining({ status: 'awaiting-dataset', reason: 'reader mix drifted' }),
    ]);
    // The feature store's answer (a dataset it already had, announced again for the request).
    await announceDataset(1, { train: 600 }, request.payload.requestId);
    const all = await settled(before + 1);
    expect(all.filter((r) => r.trigger === 'drift')).toEqual([
      expect.objectContaining({ status: 'succeeded', datasetId }),
    ]);
    expect(all).toHaveLength(before + 1);
  }, 180_000);

  it('schedule: each cron slot queues one run (and one snapshot request), also with two replicas', async () => {
    // Two more replicas on the same schema, with a schedule every 2 s; the first one has none.
    const scheduled = { ...env, TRAINING_SCHEDULE_CRON: '*/2 * * * * *' };
    const replicas = await Promise.all([
      world.start('training', scheduled, training.schema),
      world.start('training', scheduled, training.schema),
    ]);
    await waitFor(
      'three scheduled runs',
      async () => ((await runs()).filter((r) => r.trigger === 'schedule').length >= 3 ? true : undefined),
      {
        timeoutMs: 30_000,
      },
    );
    await Promise.all(replicas.map((r) => r.process.stop()));
    const schedule = (await runs()).filter((r) => r.trigger === 'schedule');
    const slots = schedule.map((r) => r.reason);
    expect(new Set(slots).size).toBe(slots.length);
    expect(schedule.every((r) => r.status === 'awaiting-dataset')).toBe(true);
    // Each slot's request leaves through the outbox; wait for as many as there are slots, then check
    // that there are no more.
    const scheduleRequests = async () =>
      (await world.readAll(topics.trainingRequested.name)).filter((e) => e.payload.trigger === 'schedule');
    await waitFor("every slot's snapshot request published", async () =>
      (await scheduleRequests()).length >= schedule.length ? true : undefined,
    );
    expect(await scheduleRequests()).toHaveLength(schedule.length);
  }, 120_000);

  it('a burst of 10 requests runs 10 times, one after the other, none lost or run twice', async () => {
    const before = await runs();
    const posted = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        training.post('/v1/training-runs', { datasetId, reason: `burst ${i}` }),
      ),
    );
    expect(posted.map((p) => p.status)).toEqual(Array(10).fill(202));
    const done = await waitFor(
      'the burst of runs finished',
      async () => {
        const burst = (await runs()).filter((r) => r.reason?.startsWith('burst'));
        return burst.length === 10 && burst.every((r) => r.status === 'succeeded') ? burst : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 500 },
    );
    expect(new Set(done.map((r) => r.runId))).toEqual(new Set(posted.map((p) => p.body.runId)));
    // One at a time: no two runs overlap.
    const spans = done
      .map((r) => [Date.parse(r.startedAt), Date.parse(r.finishedAt)])
      .sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1]);
    const trained = await waitFor("every run's model.trained published", async () => {
      const ids = (await world.readAll(topics.modelTrained.name)).map((e) => e.payload.runId as string);
      return done.every((run) => ids.includes(run.runId)) ? ids : undefined;
    });
    for (const run of done) expect(trained.filter((id) => id === run.runId)).toHaveLength(1);
    expect((await runs()).length).toBe(before.length + 10);
  }, 240_000);
});

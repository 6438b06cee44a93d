import {
  World,
  WorldEvent,
  publishEvents,
  readsOnly,
  simulate,
  startEndingNow,
  worldConfig,
} from '@newsroom/datagen';
import { Json, ServiceHandle, ServiceWorld, serviceWorld, testAdminKey } from '@newsroom/platform/testing';
import { waitFor } from '@newsroom/testing';

const DAY_MS = 86_400_000;

/**
 * The loop closed, every service a real process on real Kafka and PostgreSQL: a champion trained
 * before a story took over the readers' interests (datagen's drift, from day 3) meets the shifted
 * days; monitoring raises a drift alert, training retrains on it by itself, and evaluation judges
 * the new model against the champion on the story's held-out day, for the registry to decide.
 */
describe('monitoring: drift closes the loop', () => {
  let world: ServiceWorld;
  let featureStore: ServiceHandle;
  let training: ServiceHandle;
  let registry: ServiceHandle;
  let evaluation: ServiceHandle;
  let monitoring: ServiceHandle;
  const adminKeys = `tests:${testAdminKey}`;
  const ml = { ML_BACKENDS: 'wasm,cpu' };
  // Days 0-2 as usual, a story from day 3 on; day 4 ends now. 1,000 new articles a day, so that
  // every drift feature has the 1,000 observations a verdict needs.
  const sim = new World(
    worldConfig('small', {
      days: 5,
      readers: 1_500,
      articlesPerDay: 1_000,
      interestDriftFromDay: 3,
      start: startEndingNow(5),
    }),
  );
  const dayStart = (d: number) => new Date(sim.startMs + d * DAY_MS).toISOString();
  const events = [...readsOnly(simulate(sim))];
  const ofDays = (from: number, to: number) => events.filter((e) => e.day >= from && e.day <= to);
  const readsIn = (list: WorldEvent[]) => list.filter((e) => e.kind === 'interaction').length;
  let published = 0;

  /** Publishes days through ingestion and waits until the feature store has every read of them. */
  async function publishDays(from: number, to: number): Promise<void> {
    const days = ofDays(from, to);
    await publishEvents(world.publisher, days);
    published += readsIn(days);
    await waitFor(
      `days ${from}-${to} in the feature store`,
      async () =>
        (await world.query(featureStore, 'SELECT count(*)::int AS n FROM $schema.interaction_log'))[0].n ===
        published,
      { timeoutMs: 180_000, intervalMs: 500 },
    );
  }
  const runDone = (runId: string) =>
    waitFor(
      `run ${runId} finished`,
      async () => {
        const { body } = await training.get(`/v1/training-runs/${runId}`);
        return body.status === 'succeeded' || body.status === 'failed' ? body : undefined;
      },
      { timeoutMs: 300_000, intervalMs: 500 },
    );
  const champion = () =>
    waitFor('a champion', async () => (await registry.get('/v1/models?stage=champion')).body[0]);
  beforeAll(async () => {
    world = await serviceWorld();
    [, featureStore, training, evaluation, registry, monitoring] = await Promise.all([
      world.start('ingestion'),
      world.start('feature-store', {
        FEATURES_ADMIN_API_KEYS: adminKeys,
        FEATURES_PUBLISH_INTERVAL_MS: '100',
      }),
      world.start('training', {
        ...ml,
        TRAINING_ADMIN_API_KEYS: adminKeys,
        TRAINING_EPOCHS: '3',
        TRAINING_BATCH_SIZE: '256',
        TRAINING_LEARNING_RATE: '0.01',
        TRAINING_POLL_INTERVAL_MS: '200',
      }),
      world.start('evaluation', ml),
      world.start('registry', { REGISTRY_ADMIN_API_KEYS: adminKeys }),
      world.start('monitoring', {
        MONITORING_CHECK_INTERVAL_MS: '1000',
      }),
    ]);
  }, 180_000);

  afterAll(() => world?.tearDown(), 60_000);

  let first: Json;
  let alert: Json;

  it('a champion trained before the story, then the shifted days: a drift alert once it is the champion', async () => {
    await publishDays(0, 2);
    // The champion's dataset: days 0-2, day 2 held out (snapshotted before the story's days arrive).
    const dataset = await featureStore.post('/v1/datasets', {
      windowStart: dayStart(0),
      windowEnd: dayStart(3),
      validationHours: 24,
    });
    expect(dataset.status).toBe(201);
    await publishDays(3, 4);
    const posted = await training.post('/v1/training-runs', {
      datasetId: dataset.body.datasetId,
      reason: 'before the story',
    });
    first = await runDone(posted.body.runId);
    expect(first.status).toBe('succeeded');
    // The test is about what follows: a first model the gate's baseline margin refuses is made
    // the champion by hand (an operator's promotion), as the registry allows.
    const judged = await waitFor(
      'the first model judged',
      async () => {
        const { body } = await registry.get(`/v1/models/${first.modelVersion}`);
        return body.stage && body.stage !== 'candidate' ? body : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    if (judged.stage !== 'champion') {
      const promotion = await registry.post(`/v1/models/${first.modelVersion}/promote`, {
        reason: 'the test',
      });
      expect(promotion.status).toBe(200);
    }
    const promoted = await champion();
    expect(promoted.modelVersion).toBe(first.modelVersion);
    const promotedAt = Date.parse(promoted.promotions.at(-1).at);

    alert = await waitFor(
      'the drift alert',
      async () => (await monitoring.get('/v1/alerts?type=drift')).body.items[0],
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    const detectedAfterMs = Date.parse(alert.firstSeenAt) - promotedAt;
    process.stdout.write(
      `drift alert ${(detectedAfterMs / 1000).toFixed(1)} s after the champion's promotion\n`,
    );
    expect(alert).toMatchObject({
      type: 'drift',
      state: 'firing',
      subject: first.modelVersion,
      dedupKey: `drift:${first.modelVersion}`,
    });
    // The report behind it: the champion's training days against the story's days.
    const report = (await monitoring.get('/v1/drift')).body;
    expect(report).toMatchObject({ modelVersion: first.modelVersion, drifted: true });
    expect(report.reference).toEqual({ from: dayStart(0), to: dayStart(2) });
    expect(Date.parse(report.current.from)).toBeGreaterThanOrEqual(Date.parse(dayStart(3)));
    const drifted = report.features.filter((f: Json) => f.verdict === 'drifted').map((f: Json) => f.name);
    process.stdout.write(
      `drifted: ${report.features.map((f: Json) => `${f.name} ${f.value}${f.verdict === 'drifted' ? ' *' : ''}`).join(', ')}\n`,
    );
    expect(drifted).toEqual(expect.arrayContaining(['category mix of reads', 'dwell seconds']));
    expect(report.driftedShare).toBeGreaterThanOrEqual(0.5);
  }, 600_000);

  let second: Json;

  it("the alert starts a retraining run by itself, on the story's days, judged against the champion", async () => {
    const run = await waitFor(
      'the drift-triggered run',
      async () =>
        ((await training.get('/v1/training-runs')).body as Json[]).find((r) => r.trigger === 'drift'),
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(run.reason).toBe(alert.message);
    second = await runDone(run.runId);
    expect(second).toMatchObject({ status: 'succeeded', parentVersion: first.modelVersion });
    const manifest = (await featureStore.get(`/v1/datasets/${second.datasetId}`)).body;
    // Its window ends now: trained on every day up to the story's first, held out on its second.
    expect(Date.parse(manifest.window.start)).toBeLessThanOrEqual(Date.parse(dayStart(0)));
    expect(Date.parse(manifest.validationFrom)).toBeGreaterThanOrEqual(Date.parse(dayStart(4)));
    expect(Date.parse(manifest.validationFrom)).toBeLessThan(Date.parse(dayStart(4)) + 3_600_000);
    const decided = await waitFor(
      'the retrained model judged',
      async () => {
        const { body } = await registry.get(`/v1/models/${second.modelVersion}`);
        return body.stage && body.stage !== 'candidate' ? body : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    const judged = (await evaluation.get(`/v1/evaluations/${second.modelVersion}`)).body;
    process.stdout.write(`${second.modelVersion} ${decided.stage}: ${judged.reasons.join('; ')}\n`);
    // Judged on the story's second day against the champion trained before the story; whether it
    // wins depends on the training (the registry keeps the better one), the decision is always made.
    expect(judged.championVersion).toBe(first.modelVersion);
    expect(judged.reasons).toEqual(
      expect.arrayContaining([expect.stringMatching(/^(pass|FAIL): NDCG@10 .* vs champion /)]),
    );
    expect(decided.stage).toBe(judged.passed ? 'champion' : 'rejected');
  }, 600_000);
});

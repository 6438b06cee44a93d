import { newEvent, topics } from '@newsroom/contracts';
import { Json, ServiceHandle, ServiceWorld, serviceWorld, testAdminKey } from '@newsroom/platform/testing';
import { uniqueName, waitFor } from '@newsroom/testing';

/**
 * Pipeline health (real Kafka, PostgreSQL, batch scoring and monitoring processes): batch scoring
 * stopped while articles keep arriving raises a pipeline alert on stale lists within its threshold,
 * resolved once it is back and has caught up; training runs failing in a row (a real training
 * process) raise one, ended by the next trained model.
 */
describe('monitoring: pipeline health', () => {
  let world: ServiceWorld;
  let monitoring: ServiceHandle;
  let scoring: ServiceHandle;
  const scoringSchema = uniqueName('batch_scoring');
  const stallSeconds = 3;
  let sent = 0;

  const publishArticles = (count: number) => {
    const at = new Date().toISOString();
    const events = Array.from({ length: count }, () => {
      const articleId = `article-${++sent}`;
      return {
        key: articleId,
        value: newEvent(
          topics.articlesIngested.name,
          {
            eventId: `${articleId}-v0`,
            articleId,
            title: `Article ${sent}`,
            category: 'politics',
            publisher: 'daily',
            url: `https://example.com/${articleId}`,
            publishedAt: at,
            revision: 1,
            ingestedAt: at,
          },
          'tests',
        ),
      };
    });
    return world.publish(topics.articlesIngested, events);
  };
  const scoringLag = async (): Promise<Json> =>
    (await monitoring.get('/v1/pipeline')).body.consumers.find(
      (c: Json) => c.service === 'batch-scoring' && c.topic === 'articles.ingested',
    );
  const staleListsAlert = async (state: string) =>
    (await monitoring.get(`/v1/alerts?state=${state}&type=pipeline`)).body.items.find(
      (a: Json) => a.dedupKey === 'pipeline:stalled:batch-scoring:articles.ingested',
    );

  beforeAll(async () => {
    world = await serviceWorld();
    monitoring = await world.start('monitoring', {
      MONITORING_CHECK_INTERVAL_MS: '250',
      MONITORING_CONSUMER_STALL_SECONDS: String(stallSeconds),
      // The world names each service's group by its prefix and the service.
      MONITORING_CONSUMER_GROUP_PREFIX: world.kafkaTopics.prefix,
      MONITORING_ALERT_CLEAR_CHECKS: '2',
    });
    scoring = await world.start('batch-scoring', {}, scoringSchema);
  }, 120_000);

  afterAll(() => world?.tearDown(), 60_000);

  it('reports every service group, with batch scoring keeping up', async () => {
    await publishArticles(50);
    const lag = await waitFor('batch scoring caught up', async () => {
      const row = await scoringLag();
      return row && row.lag === 0 && row.committed >= 50 ? row : undefined;
    });
    expect(lag).toMatchObject({ group: expect.stringMatching(/batch-scoring$/), stalledSeconds: 0 });
    const state = (await monitoring.get('/v1/pipeline')).body;
    expect(state).toMatchObject({ champion: null, rejectedInARow: 0 });
    expect(state.consumers.map((c: Json) => c.service)).not.toContain('serving');
    expect(state.deadLetters.map((d: Json) => d.topic)).toContain('articles.ingested.dlq');
    expect(await staleListsAlert('firing')).toBeUndefined();
  }, 60_000);

  it('alerts on stale lists once batch scoring has been stopped for the threshold, and resolves when it is back', async () => {
    await scoring.process.stop();
    const publishing = Date.now();
    await publishArticles(20);
    const alert = await waitFor('the stale-lists alert', () => staleListsAlert('firing'), {
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    // The stall is counted from the last check that saw nothing waiting, at most a check interval
    // (250 ms) and the check's own length before the records arrived.
    const seconds = (Date.now() - publishing) / 1000;
    expect(seconds).toBeGreaterThanOrEqual(stallSeconds - 1);
    expect(seconds).toBeLessThan(stallSeconds + 5);
    expect(alert).toMatchObject({ severity: 'critical', subject: 'batch-scoring', source: 'monitoring' });
    expect(alert.message).toMatch(
      /^batch-scoring has consumed nothing of articles.ingested for \d+ s while 20 records wait: recommendation lists go stale$/,
    );

    scoring = await world.start('batch-scoring', {}, scoringSchema);
    const resolved = await waitFor('the alert resolved', () => staleListsAlert('resolved'), {
      timeoutMs: 60_000,
    });
    expect(resolved.alertId).toBe(alert.alertId);
    expect((await scoringLag()).lag).toBe(0);
    const events = (await world.readAll(topics.monitoringAlert.name)).filter(
      (e: Json) => e.payload.alertId === alert.alertId,
    );
    expect(events.map((e: Json) => e.payload.state)).toEqual(['firing', 'resolved']);
  }, 120_000);

  it('alerts when training runs fail in a row, and resolves when a model is trained again', async () => {
    const training = await world.start('training', {
      ML_BACKENDS: 'wasm,cpu',
      TRAINING_ADMIN_API_KEYS: `tests:${testAdminKey}`,
      TRAINING_POLL_INTERVAL_MS: '200',
      // No feature store here: a run's snapshot request is never answered, and it fails after this.
      TRAINING_DATASET_WAIT_MS: '1000',
    });
    const failedAlert = async (state: string) =>
      (await monitoring.get(`/v1/alerts?state=${state}&type=pipeline`)).body.items.find(
        (a: Json) => a.dedupKey === 'pipeline:training-failed-in-a-row',
      );
    // Each run asks for a snapshot nobody answers: it fails, and says so on training.failed.
    const runs: string[] = [];
    for (const n of [1, 2]) {
      const posted = await training.post('/v1/training-runs', { reason: `run ${n}` });
      expect(posted.status).toBe(202);
      runs.push(posted.body.runId);
      await waitFor(
        `run ${n} failed`,
        async () => (await training.get(`/v1/training-runs/${posted.body.runId}`)).body.status === 'failed',
      );
    }
    // A run's status commits with its event; the relay publishes the event a moment later.
    const failed = await waitFor('both failures on training.failed', async () => {
      const payloads = (await world.readAll(topics.trainingFailed.name)).map((e: Json) => e.payload);
      return payloads.length === runs.length ? payloads : undefined;
    });
    expect(failed.map((f: Json) => f.runId).sort()).toEqual([...runs].sort());
    const latest = failed.find((f: Json) => f.runId === runs[1]);
    expect(latest).toMatchObject({
      trigger: 'request',
      datasetId: null,
      error: 'no dataset arrived within 1000 ms of the snapshot request',
    });
    const alert = await waitFor('the failed-runs alert', () => failedAlert('firing'));
    expect(alert).toMatchObject({ severity: 'critical', subject: 'training' });
    expect(alert.message).toBe(`the last 2 training runs failed; the latest: ${latest.error}`);
    expect((await monitoring.get('/v1/pipeline')).body).toMatchObject({
      failedRunsInARow: 2,
      lastFailedRun: { runId: runs[1], error: latest.error },
    });

    await world.publish(topics.modelTrained, [
      {
        key: 'v-after',
        value: newEvent(
          topics.modelTrained.name,
          {
            modelVersion: 'v-after',
            runId: 'run-after',
            artifact: { uri: 'file:///dev/null', sha256: 'a'.repeat(64) },
            datasetId: 'b'.repeat(64),
            parentVersion: null,
            codeVersion: 'tests',
            params: {},
            metrics: {},
          },
          'tests',
        ),
      },
    ]);
    const resolved = await waitFor('the failed-runs alert resolved', () => failedAlert('resolved'), {
      timeoutMs: 30_000,
    });
    expect(resolved.alertId).toBe(alert.alertId);
    expect((await monitoring.get('/v1/pipeline')).body.failedRunsInARow).toBe(0);
  }, 120_000);
});

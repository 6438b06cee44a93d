import { newEvent, topics } from '@newsroom/contracts';
import {
  World,
  WorldEvent,
  publishEvents,
  readsOnly,
  simulate,
  startEndingNow,
  worldConfig,
} from '@newsroom/datagen';
import { Json, ServiceHandle, ServiceWorld, serviceWorld } from '@newsroom/platform/testing';
import { uniqueName, waitFor } from '@newsroom/testing';
import { randomUUID } from 'node:crypto';

const DAY_MS = 86_400_000;
const sha = (n: number) => n.toString(16).padStart(64, '0');

/**
 * Monitoring on a synthetic world streamed through ingestion (real Kafka, PostgreSQL and service
 * processes): counters folded exactly once across a SIGKILL, a drift report against the
 * champion's training window with no false alarm on stable days, a day with a tenth of the
 * usual articles and reads raising data-quality alerts, and the alerts' life cycle.
 */
describe('monitoring: data quality, volumes and drift', () => {
  let world: ServiceWorld;
  let monitoring: ServiceHandle;
  const schema = uniqueName('monitoring');
  const env = {
    MONITORING_CHECK_INTERVAL_MS: '1000',
    MONITORING_ALERT_CLEAR_CHECKS: '2',
    // The world sends no field the contract does not know: a few hundred such records are enough.
    MONITORING_MAX_FIELD_WARNING_SHARE: '0.01',
    // A killed member leaves the group only when its session expires: keep that short here.
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    KAFKA_HEARTBEAT_INTERVAL_MS: '500',
  };
  // Five ordinary days, then one when publishers and readers are mostly quiet; big enough for
  // every feature to have the 1,000 observations a verdict needs.
  const sim = new World(
    worldConfig('small', {
      days: 6,
      readers: 1_500,
      articlesPerDay: 1_200,
      volumeDropOnDay: 5,
      start: startEndingNow(6),
    }),
  );
  const dayStart = (d: number) => new Date(sim.startMs + d * DAY_MS).toISOString();
  const events = [...readsOnly(simulate(sim))];
  const ofDays = (from: number, to: number) => events.filter((e) => e.day >= from && e.day <= to);
  const reads = (list: WorldEvent[]) => list.filter((e) => e.kind === 'interaction').length;

  const sum = async (metric: string): Promise<number> =>
    (
      await world.query(
        monitoring,
        `SELECT coalesce(sum(value), 0)::int AS n FROM $schema.hourly_counts WHERE metric = $1`,
        [metric],
      )
    )[0].n;
  const alerts = async (query = ''): Promise<Json[]> =>
    (await monitoring.get(`/v1/alerts${query}`)).body.items;

  beforeAll(async () => {
    world = await serviceWorld();
    await world.start('ingestion');
    monitoring = await world.start('monitoring', env, schema);
  }, 180_000);

  afterAll(() => world?.tearDown(), 60_000);

  it('folds every read exactly once, across a SIGKILL mid-stream', async () => {
    const stable = ofDays(0, 2);
    const expected = reads(stable);
    const half = Math.floor(stable.length / 2);
    await publishEvents(world.publisher, stable.slice(0, half));
    await waitFor('some reads folded before the kill', async () => (await sum('reads')) > 0, {
      timeoutMs: 60_000,
      intervalMs: 20,
    });
    await monitoring.process.stop('SIGKILL');
    await publishEvents(world.publisher, stable.slice(half));
    monitoring = await world.start('monitoring', env, schema);
    const articles = stable.filter((e) => e.kind === 'article' && e.value.eventId.endsWith('-v0')).length;
    // Reads and articles come on different topics, each consumed at its own pace: wait for both.
    const folded = await waitFor(
      'every read and every new article folded',
      async () => {
        const counts = { reads: await sum('reads'), newArticles: await sum('new-articles') };
        return counts.reads >= expected && counts.newArticles >= articles ? counts : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    expect(folded).toEqual({ reads: expected, newArticles: articles });
  }, 240_000);

  it('reports drift against the champion training window, with no false alarm over two stable days', async () => {
    // The champion was trained on days 1-2 (day 0, the world's first, has only young articles to
    // read), as the feature store and training would announce it.
    const datasetId = sha(1);
    const manifest = {
      datasetId,
      format: 'newsroom-dataset/2',
      featureSchemaVersion: 1,
      codeVersion: 'tests',
      createdAt: new Date().toISOString(),
      trigger: 'schedule' as const,
      window: { start: dayStart(1), end: dayStart(4) },
      validationFrom: dayStart(3),
      rows: { train: 1_000, validation: 100, readers: 100, articles: 100 },
      file: { uri: 'file:///dev/null', sha256: datasetId, bytes: 0 },
      sources: { kafkaOffsets: {}, highWaterMarks: { interactions: 1, articles: 1 } },
      quality: { passed: true, checks: [] },
      buildMs: 1,
    };
    const artifact = { uri: 'file:///dev/null', sha256: sha(2) };
    await world.publish(topics.datasetSnapshotted, [
      {
        key: datasetId,
        value: newEvent(topics.datasetSnapshotted.name, { datasetId, artifact, manifest }, 'tests'),
      },
    ]);
    await world.publish(topics.modelTrained, [
      {
        key: 'v1',
        value: newEvent(
          topics.modelTrained.name,
          {
            modelVersion: 'v1',
            runId: 'r1',
            artifact,
            datasetId,
            parentVersion: null,
            codeVersion: 'tests',
            params: {},
            metrics: {},
          },
          'tests',
        ),
      },
    ]);
    await world.publish(topics.modelPromoted, [
      {
        key: 'v1',
        value: newEvent(
          topics.modelPromoted.name,
          { modelVersion: 'v1', sequence: 1, previousVersion: null, artifact, reason: 'tests' },
          'tests',
        ),
      },
    ]);
    // Days 3 and 4 stream in while monitoring checks every second.
    const lastHour = new Date(sim.startMs + 5 * DAY_MS - 3_600_000).toISOString().slice(0, 13);
    await publishEvents(world.publisher, ofDays(3, 4));
    // While monitoring keeps up with the stream, a window may close before every partition's reads
    // of it are published (the watermark cannot know of records not sent yet): wait for the report
    // over the whole of day 4, every feature judged.
    const report = await waitFor(
      'a drift report over the whole of day 4',
      async () => {
        const response = await monitoring.get('/v1/drift');
        return response.status === 200 &&
          response.body.current.to.slice(0, 13) >= lastHour &&
          response.body.features.every((f: Json) => f.verdict !== 'insufficient-data')
          ? response.body
          : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 250 },
    );
    expect(report.modelVersion).toBe('v1');
    expect(report.reference).toEqual({ from: dayStart(1), to: dayStart(3) });
    expect(Date.parse(report.current.to) - Date.parse(report.current.from)).toBe(DAY_MS);
    expect(report.features.map((f: Json) => f.name)).toEqual([
      'category mix of reads',
      'region mix',
      'publisher mix of new articles',
      'dwell seconds',
      'article length in tokens',
      'reads per active reader',
      'article age at read',
    ]);
    for (const feature of report.features) {
      expect(feature).toMatchObject({ threshold: 0.1, verdict: expect.stringMatching(/^(stable|drifted)$/) });
      expect(feature.referenceCount).toBeGreaterThanOrEqual(1_000);
      expect(feature.value).toBeGreaterThanOrEqual(0);
    }
    expect(report.drifted).toBe(false);
    const history = (await monitoring.get('/v1/drift/history?limit=500')).body.items;
    // False alarms over every report of days 3 and 4: none.
    expect(history.length).toBeGreaterThan(2);
    expect(history.filter((r: Json) => r.drifted)).toEqual([]);
    expect(await alerts()).toEqual([]);
  }, 120_000);

  it('raises data-quality alerts on a day with a tenth of the usual new articles and reads', async () => {
    await publishEvents(world.publisher, ofDays(5, 5));
    const fired = await waitFor(
      'the volume alerts',
      async () => {
        const items = await alerts('?type=data-quality');
        return items.length === 2 ? items : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 250 },
    );
    expect(fired.map((a: Json) => a.dedupKey).sort()).toEqual(['volume:new-articles', 'volume:reads']);
    const articles = fired.find((a: Json) => a.dedupKey === 'volume:new-articles');
    expect(articles).toMatchObject({
      state: 'firing',
      severity: 'warning',
      source: 'monitoring',
      subject: 'new articles',
    });
    expect(articles.message).toMatch(/^fewer new articles than expected/);
    expect(articles.details.ratio).toBeLessThan(0.5);
    // Each fired once on the topic, however many checks saw it. (A day this quiet also moves the
    // data's distributions — fewer reads per reader, older articles read — so drift may fire too.)
    const published = await waitFor('the alerts on monitoring.alert', async () => {
      const events = (await world.readAll(topics.monitoringAlert.name)).filter(
        (e) => e.producer === 'monitoring' && e.payload.type === 'data-quality',
      );
      return events.length >= 2 ? events : undefined;
    });
    expect(published.map((e: Json) => `${e.payload.dedupKey}:${e.payload.state}`).sort()).toEqual([
      'volume:new-articles:firing',
      'volume:reads:firing',
    ]);
  }, 150_000);

  it("lists other services' alerts and resolves a rejected snapshot's alert once a snapshot passes", async () => {
    const at = new Date().toISOString();
    const alertId = randomUUID();
    await world.publish(topics.monitoringAlert, [
      {
        key: 'data-quality',
        value: newEvent(
          topics.monitoringAlert.name,
          {
            alertId,
            type: 'data-quality' as const,
            severity: 'warning' as const,
            state: 'firing' as const,
            subject: 'dataset snapshot',
            dedupKey: 'dataset-gate:run-1',
            message: 'dataset snapshot rejected: volume',
            details: {},
            firstSeenAt: at,
            lastSeenAt: at,
          },
          'feature-store',
        ),
      },
    ]);
    await waitFor('the gate alert listed', async () =>
      (await alerts()).find(
        (a) => a.alertId === alertId && a.source === 'feature-store' && a.state === 'firing',
      ),
    );
    const datasetId = sha(3);
    const [previous] = (await world.readAll(topics.datasetSnapshotted.name)).map((e) => e.payload);
    await world.publish(topics.datasetSnapshotted, [
      {
        key: datasetId,
        value: newEvent(
          topics.datasetSnapshotted.name,
          { ...previous, datasetId, manifest: { ...previous.manifest, datasetId } },
          'tests',
        ),
      },
    ]);
    const resolved = await waitFor('the gate alert resolved', async () =>
      (await alerts('?state=resolved')).find((a) => a.alertId === alertId),
    );
    expect(resolved.resolvedAt).toEqual(expect.any(String));
    await waitFor('its end announced', async () =>
      (await world.readAll(topics.monitoringAlert.name)).find(
        (e) => e.producer === 'monitoring' && e.payload.alertId === alertId && e.payload.state === 'resolved',
      ),
    );
    expect((await monitoring.get('/v1/alerts?state=open')).status).toBe(400);
  }, 120_000);

  it("raises a data-quality alert when a tenth of a producer's records are rejected", async () => {
    const arrived = await sum('arrived');
    const bad = Math.ceil(arrived / 8);
    await world.publisher.publishSerialized(
      topics.interactionsRaw.name,
      Array.from({ length: bad }, (_, i) => ({ key: `u-${i}`, value: `{"not json ${i}` })),
    );
    // It fires once the share passes 5%, and keeps counting while the rest arrive.
    const alert = await waitFor(
      'the rejected-share alert over every bad record',
      async () =>
        (await alerts('?type=data-quality')).find(
          (a) => a.dedupKey === 'rejected:interactions.raw' && a.details.rejected === bad,
        ),
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(alert).toMatchObject({ state: 'firing', subject: 'interactions.raw' });
    expect(alert.details.share).toBeGreaterThan(0.1);
    expect(alert.message).toMatch(/% of the records on interactions.raw were rejected in the last 24 h/);
  }, 120_000);

  it('tells when a producer sends fields the platform does not take as sent, and keeps the records', async () => {
    const arrived = await sum('arrived');
    const odd = Math.ceil(arrived / 40);
    const at = new Date().toISOString();
    // Another newsroom's region names and a field of its own: valid records, each with two warnings.
    await world.publisher.publishSerialized(
      topics.interactionsRaw.name,
      Array.from({ length: odd }, (_, i) => ({
        key: `other-${i}`,
        value: JSON.stringify({
          eventId: `other-newsroom-${i}`,
          userId: `other-${i}`,
          articleId: 'a-1',
          type: 'read',
          dwellSeconds: 30,
          occurredAt: at,
          region: 'sudamerica',
          campaign: 'spring',
        }),
      })),
    );
    const alert = await waitFor(
      'the field-warnings alert over every such record',
      async () =>
        (await alerts('?type=data-quality')).find(
          (a) => a.dedupKey === 'field-warnings:interactions.raw' && a.details.warned === odd,
        ),
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(alert).toMatchObject({ state: 'firing', severity: 'info', subject: 'interactions.raw' });
    expect(alert.details.fields).toHaveLength(2);
    expect(alert.details.fields).toEqual(
      expect.arrayContaining([
        { field: 'region', reason: 'unknown-value', n: odd },
        { field: 'unknown fields', reason: 'unknown-field', n: odd },
      ]),
    );
    expect(alert.message).toMatch(/ were not taken entirely as sent \(\d+ of \d+; more than 1.0%\): /);
    expect(alert.message).toContain(`region unknown-value ×${odd}`);
    // Kept: every one of them was stored and counted as arrived.
    expect(await sum('arrived')).toBe(arrived + odd);
  }, 120_000);
});

import { topics } from '@newsroom/contracts';
import { waitFor } from '@newsroom/testing';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FeatureStoreWorld, HOUR, featureStoreWorld, inputs } from './feature-inputs';

const MINUTE = 60_000;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type DatasetLine = { kind: string } & Record<string, any>;

async function datasetLines(world: FeatureStoreWorld, datasetId: string) {
  const bytes = await readFile(join(world.artifactDir, 'datasets', `${datasetId}.jsonl`));
  expect(createHash('sha256').update(bytes).digest('hex')).toBe(datasetId);
  return bytes
    .toString()
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as DatasetLine);
}

async function applied(world: FeatureStoreWorld, interactions: number) {
  await waitFor(
    `${interactions} interactions in the offline store`,
    async () => (await world.count(`SELECT count(*) AS n FROM $schema.interaction_log`)) === interactions,
    { timeoutMs: 30_000, intervalMs: 100 },
  );
}

describe('dataset snapshots (real Kafka, PostgreSQL and service process)', () => {
  describe('point-in-time features, determinism and lineage', () => {
    let world: FeatureStoreWorld;
    beforeAll(async () => {
      world = await featureStoreWorld({ DATASET_GATE_MIN_READS: '1' });
    });
    afterAll(() => world?.tearDown());

    const day = Date.parse('2026-11-10T00:00:00Z');
    const t0 = day + 30 * MINUTE;
    const t1 = day + 2 * HOUR;
    const t2 = day + 6 * HOUR;
    const window = { windowStart: iso(day), windowEnd: iso(day + DAY), validationHours: 6 };

    it('joins each example with features as of its instant, never later', async () => {
      const politics = ['p1', 'p2', 'p3', 'p4', 'p5'];
      await world.sendArticles([
        inputs.article('s0', 'sports', day),
        inputs.article('s1', 'sports', day),
        ...politics.map((id) => inputs.article(id, 'politics', day)),
      ]);
      await waitFor(
        'articles stored',
        async () => (await world.count(`SELECT count(*) AS n FROM $schema.article_features`)) === 7,
      );
      const events = [
        inputs.read('reader', 's0', t0, 40),
        inputs.read('other-1', 's1', t1 - 10 * MINUTE, 20),
        inputs.read('reader', 's1', t1, 60),
        // Later: the reader turns to politics, and s1 becomes popular.
        ...politics.map((id, i) => inputs.read('reader', id, t2 + i * MINUTE, 50)),
        ...['other-2', 'other-3', 'other-4'].map((user, i) => inputs.read(user, 's1', t2 + i * MINUTE, 30)),
      ];
      await world.sendInteractions(events);
      await applied(world, events.length);

      const created = await world.post('/v1/datasets', window);
      expect(created.status).toBe(201);
      const manifest = created.body;
      expect(manifest).toMatchObject({
        format: 'newsroom-dataset/2',
        trigger: 'request',
        window: { start: window.windowStart, end: window.windowEnd },
        validationFrom: iso(day + 18 * HOUR),
        rows: { train: events.length, validation: 0, readers: 5 },
        quality: { passed: true },
        sources: { highWaterMarks: { interactions: events.length, articles: 7 } },
      });
      expect(manifest.file.sha256).toBe(manifest.datasetId);
      expect(Object.keys(manifest.sources.kafkaOffsets)).toEqual(
        expect.arrayContaining([topics.articlesIngested.name, topics.interactionsIngested.name]),
      );

      const lines = await datasetLines(world, manifest.datasetId);
      expect(lines[0]).toMatchObject({ kind: 'header', featureSchemaVersion: 1 });
      const examples = lines.filter((l) => l.kind === 'example');
      const at = (userId: string, articleId: string) =>
        examples.find((e) => e['userId'] === userId && e['articleId'] === articleId)!;
      // The t1 read knows the reader's earlier sports read, nothing of the politics reads at t2.
      expect(at('reader', 's1')['user']).toMatchObject({ categoryMix: { sports: 1 }, reads: 1, history: 1 });
      // …and s1's popularity as of t1: one read 10 minutes before, not the three at t2.
      expect(at('reader', 's1')['article'].reads).toEqual({ '1h': 1, '24h': 1, '7d': 1 });
      // At the last politics read, the mix covers everything before it.
      expect(at('reader', 'p5')['user']).toMatchObject({
        categoryMix: { politics: 0.666667, sports: 0.333333 },
        reads: 6,
        history: 6,
      });
      expect(at('other-2', 's1')['article'].reads).toEqual({ '1h': 0, '24h': 2, '7d': 2 });
      expect(at('other-4', 's1')['article'].reads).toEqual({ '1h': 2, '24h': 4, '7d': 4 });
      const reader = lines.find((l) => l.kind === 'reader' && l['userId'] === 'reader')!;
      expect(reader['reads'].map((r: unknown[]) => r[0])).toEqual(['s0', 's1', ...politics]);
      expect(lines.filter((l) => l.kind === 'article').map((l) => l['articleId'])).toEqual([
        'p1',
        'p2',
        'p3',
        'p4',
        'p5',
        's0',
        's1',
      ]);
    });

    it('gives the same bytes and id for the same data, a new id for one more interaction, and rebuilds from the id alone', async () => {
      const first = await world.post('/v1/datasets', window);
      const again = await world.post('/v1/datasets', window);
      expect(again.status).toBe(200);
      expect(again.body.datasetId).toBe(first.body.datasetId);
      expect((await world.get(`/v1/datasets/${first.body.datasetId}`)).body).toEqual(again.body);

      const before = await world.count(`SELECT count(*) AS n FROM $schema.interaction_log`);
      await world.sendInteractions([inputs.read('other-1', 'p2', day + 20 * HOUR, 15)]);
      await applied(world, before + 1);
      const changed = await world.post('/v1/datasets', window);
      expect(changed.status).toBe(201);
      expect(changed.body.datasetId).not.toBe(first.body.datasetId);
      expect(changed.body.rows.validation).toBe(1);

      // The first dataset's marks exclude the later interaction: a rebuild gives its exact bytes.
      const rebuilt = await world.post(`/v1/datasets/${first.body.datasetId}/rebuild`, {});
      expect(rebuilt.body).toEqual({
        datasetId: first.body.datasetId,
        uri: first.body.file.uri,
        identical: true,
      });

      const announced = (await world.readAll(topics.datasetSnapshotted.name)).map(
        (m) => JSON.parse(m.value!.toString()).payload,
      );
      await waitFor('both datasets announced', async () => {
        const ids = (await world.readAll(topics.datasetSnapshotted.name)).map(
          (m) => JSON.parse(m.value!.toString()).payload.datasetId,
        );
        return ids.length === 2;
      });
      expect(
        announced.every(
          (p: { artifact: { sha256: string }; datasetId: string }) => p.artifact.sha256 === p.datasetId,
        ),
      ).toBe(true);
    });

    it('refuses bad requests with the field named, and a snapshot request without an admin key', async () => {
      const bad = await world.post('/v1/datasets', { windowStart: 'yesterday' });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/windowStart/);
      const inverted = await world.post('/v1/datasets', {
        windowStart: window.windowEnd,
        windowEnd: window.windowStart,
      });
      expect(inverted.status).toBe(400);
      expect((await world.post('/v1/datasets', window, 'not-a-key-of-this-service')).status).toBe(401);
      expect((await world.get('/v1/datasets/unknown')).status).toBe(404);
    });
  });

  describe('the data-quality gate', () => {
    let world: FeatureStoreWorld;
    beforeAll(async () => {
      world = await featureStoreWorld({ DATASET_GATE_MIN_READS: '1' });
    });
    afterAll(() => world?.tearDown());

    it('rejects a window with a tenth of the expected volume: an alert, no snapshot', async () => {
      const start = Date.parse('2026-11-01T00:00:00Z');
      await world.sendArticles([
        inputs.article('a1', 'climate', start),
        inputs.article('a2', 'economy', start),
      ]);
      await waitFor(
        'articles stored',
        async () => (await world.count(`SELECT count(*) AS n FROM $schema.article_features`)) === 2,
      );
      // Seven days of 100 reads a day, then a day of 10.
      const events = [];
      for (let d = 0; d < 8; d++) {
        const perDay = d < 7 ? 100 : 10;
        for (let i = 0; i < perDay; i++) {
          events.push(inputs.read(`r${i % 25}`, i % 2 ? 'a1' : 'a2', start + d * DAY + i * 10 * MINUTE, 30));
        }
      }
      await world.sendInteractions(events);
      await applied(world, events.length);

      const normal = await world.post('/v1/datasets', {
        windowStart: iso(start + 6 * DAY),
        windowEnd: iso(start + 7 * DAY),
        validationHours: 6,
      });
      expect(normal.status).toBe(201);
      expect(normal.body.quality.checks.find((c: { name: string }) => c.name === 'volume')).toMatchObject({
        passed: true,
        value: 1,
      });

      const thin = await world.post('/v1/datasets', {
        windowStart: iso(start + 7 * DAY),
        windowEnd: iso(start + 8 * DAY),
        validationHours: 6,
      });
      expect(thin.status).toBe(422);
      const volume = thin.body.checks.find((c: { name: string }) => c.name === 'volume');
      expect(volume).toMatchObject({ passed: false, value: 0.1, min: 0.5 });
      expect(thin.body.checks.filter((c: { passed: boolean }) => !c.passed)).toHaveLength(1);
      expect(await world.count(`SELECT count(*) AS n FROM $schema.datasets`)).toBe(1);
      expect(
        await world.count(`SELECT count(*) AS n FROM $schema.snapshot_runs WHERE status = 'rejected'`),
      ).toBe(1);

      let alerts: { type: string; details: { failed: string[] } }[] = [];
      await waitFor('the data-quality alert', async () => {
        alerts = (await world.readAll(topics.monitoringAlert.name)).map(
          (m) => JSON.parse(m.value!.toString()).payload,
        );
        return alerts.length > 0;
      });
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({ type: 'data-quality', details: { failed: ['volume'] } });
    });
  });
});

import { newEvent, topics } from '@newsroom/contracts';
import { physicalTopic } from '@newsroom/messaging';
import { Json, ServiceHandle, ServiceWorld, serviceWorld } from '@newsroom/platform/testing';
import { waitFor } from '@newsroom/testing';
import { createHash, randomUUID } from 'node:crypto';
import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import {
  modelQualityReport,
  qualityWindow,
  servedLists,
  v2FeatureImportance,
} from '../src/cards/model-card.fixture';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const datasetId = sha(`dataset-${randomUUID()}`);
const timeoutMs = 500;

/**
 * Monitoring's GET /v1/model-quality for the card's online quality: answering a report (in the
 * shape monitoring's ModelQualityReport has) about `v2`, or too late. Monitoring itself would need a
 * day of served lists and reads after them to answer; its shape is pinned by the client's spec.
 */
class MonitoringStandIn {
  mode: 'report' | 'late' = 'report';
  readonly asked: string[] = [];
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      this.asked.push(request.url ?? '');
      const answer = () =>
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify(modelQualityReport(new Date().toISOString())));
      const timer = setTimeout(answer, this.mode === 'late' ? 10 * timeoutMs : 0);
      response.on('close', () => clearTimeout(timer));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

/**
 * Model cards on real Kafka and PostgreSQL: a dataset, two trained models and their evaluations
 * are published; the registry promotes both in turn (v2 replacing v1); v2's card is read as JSON
 * and as Markdown, with monitoring answering, answering late and gone.
 */
describe('model cards', () => {
  let world: ServiceWorld;
  let registry: ServiceHandle;
  const monitoring = new MonitoringStandIn();

  const trained = (modelVersion: string, parentVersion: string | null) => ({
    key: modelVersion,
    value: newEvent(
      topics.modelTrained.name,
      {
        modelVersion,
        runId: randomUUID(),
        artifact: { uri: `artifact://models/${sha(modelVersion)}.bin`, sha256: sha(modelVersion) },
        datasetId,
        parentVersion,
        codeVersion: 'training-1a2b',
        params: { epochs: 4, learningRate: 0.01, batchSize: 128, backend: 'wasm' },
        metrics: { loss: 0.41, ndcgAt10: 0.3 },
      },
      'tests',
    ),
  });
  const evaluated = (modelVersion: string, championVersion: string | null, extra: Json = {}) => ({
    key: modelVersion,
    value: newEvent(
      topics.modelEvaluated.name,
      {
        modelVersion,
        championVersion,
        passed: true,
        reasons: ['pass: NDCG@10 0.3100 vs popularity 0.2000 (needs >= 1.1 x = 0.2200)'],
        metrics: { ndcgAt10: 0.31, popularityNdcgAt10: 0.2, recencyNdcgAt10: 0.15 },
        ...extra,
      },
      'tests',
    ),
  });
  const snapshotted = (readers: number) => ({
    key: datasetId,
    value: newEvent(
      topics.datasetSnapshotted.name,
      {
        datasetId,
        artifact: { uri: `artifact://datasets/${datasetId}.bin`, sha256: datasetId },
        manifest: {
          datasetId,
          format: 'newsroom-dataset/1',
          featureSchemaVersion: 1,
          codeVersion: 'features-3c4d',
          createdAt: '2026-12-04T05:00:00.000Z',
          trigger: 'schedule',
          window: { start: '2026-11-27T05:00:00.000Z', end: '2026-12-04T05:00:00.000Z' },
          validationFrom: '2026-12-03T05:00:00.000Z',
          rows: { train: 90_000, validation: 12_000, readers, articles: 40_000 },
          file: { uri: `artifact://datasets/${datasetId}.bin`, sha256: datasetId, bytes: 1024 },
          sources: { kafkaOffsets: {}, highWaterMarks: { interactions: 10, articles: 10 } },
          quality: { passed: true, checks: [] },
          buildMs: 1200,
        },
      },
      'tests',
    ),
  });
  /** Records of a topic the registry's consumer group has not committed yet. */
  const lag = async (name: string) => {
    const admin = world.kafkaTopics.kafka.admin();
    await admin.connect();
    try {
      const topic = physicalTopic(world.kafkaTopics.prefix, name);
      const [ends, [committed]] = await Promise.all([
        admin.fetchTopicOffsets(topic),
        admin.fetchOffsets({ groupId: `${world.kafkaTopics.prefix}registry`, topics: [topic] }),
      ]);
      return ends.reduce((sum, end) => {
        const at = Number(committed.partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
        return sum + Number(end.high) - (at >= 0 ? at : Number(end.low));
      }, 0);
    } finally {
      await admin.disconnect();
    }
  };
  const card = async (modelVersion: string, query = '', accept = 'application/json') => {
    const response = await fetch(`${registry.process.url}/v1/models/${modelVersion}/card${query}`, {
      headers: { accept },
    });
    const text = await response.text();
    return {
      status: response.status,
      type: response.headers.get('content-type') ?? '',
      text,
      body: response.headers.get('content-type')?.startsWith('application/json')
        ? JSON.parse(text)
        : undefined,
    };
  };

  beforeAll(async () => {
    world = await serviceWorld();
    registry = await world.start('registry', {
      REGISTRY_MONITORING_URL: await monitoring.start(),
      REGISTRY_MONITORING_TIMEOUT_MS: String(timeoutMs),
      REGISTRY_CARD_MIN_SLICE_READERS: '50',
    });
    await world.publish(topics.datasetSnapshotted, [snapshotted(15_000)]);
    await world.publish(topics.modelTrained, [trained('v1', null)]);
    await world.publish(topics.modelEvaluated, [evaluated('v1', null)]);
    await waitFor(
      'v1 the champion',
      async () => (await registry.get('/v1/models/v1')).body.stage === 'champion',
    );
    await world.publish(topics.modelTrained, [trained('v2', 'v1')]);
    await world.publish(topics.modelEvaluated, [
      evaluated('v2', 'v1', {
        reasons: [
          'pass: NDCG@10 0.3100 vs popularity 0.2000 (needs >= 1.1 x = 0.2200)',
          'pass: NDCG@10 0.3100 vs champion 0.3000 (needs >= 0.2950)',
        ],
        metrics: {
          ndcgAt10: 0.31,
          popularityNdcgAt10: 0.2,
          championNdcgAt10: 0.3,
          'new-readers.ndcgAt10': 0.18,
          'new-readers.popularityNdcgAt10': 0.21,
          'new-readers.readers': 120,
          'region:africa.ndcgAt10': 0.33,
          'region:africa.readers': 12,
        },
        featureImportance: v2FeatureImportance,
      }),
    ]);
    await waitFor(
      'v2 the champion',
      async () => (await registry.get('/v1/models/v2')).body.stage === 'champion',
    );
    // The manifest is consumed on its own partition: wait until the card has it.
    await waitFor('the dataset manifest', async () => (await card('v2')).body?.trainingData !== null);
  }, 180_000);

  afterAll(async () => {
    await world?.tearDown();
    await monitoring.stop();
  }, 60_000);

  it("gives the champion's card as JSON: lineage, training data, gate, metrics per slice, importance, online quality, limitations", async () => {
    const { status, type, body } = await card('v2');
    expect(status).toBe(200);
    expect(type).toMatch(/^application\/json/);
    expect(body).toMatchObject({
      modelVersion: 'v2',
      stage: 'champion',
      promotions: [expect.objectContaining({ kind: 'evaluation', previousVersion: 'v1' })],
      lineage: {
        datasetId,
        parentVersion: 'v1',
        trainingCodeVersion: 'training-1a2b',
        datasetCodeVersion: 'features-3c4d',
        featureSchemaVersion: 1,
      },
      trainingData: {
        window: { start: '2026-11-27T05:00:00.000Z', end: '2026-12-04T05:00:00.000Z' },
        validationFrom: '2026-12-03T05:00:00.000Z',
        rows: { train: 90_000, validation: 12_000, readers: 15_000, articles: 40_000 },
      },
      parameters: { epochs: 4, learningRate: 0.01, batchSize: 128, backend: 'wasm' },
      evaluation: {
        passed: true,
        judgedAgainst: 'v1',
        reasons: expect.arrayContaining(['pass: NDCG@10 0.3100 vs champion 0.3000 (needs >= 0.2950)']),
        overall: {
          metrics: [
            {
              metric: 'ndcgAt10',
              candidate: 0.31,
              champion: 0.3,
              popularity: 0.2,
              categoryPopularity: null,
              recency: null,
            },
          ],
        },
        slices: [
          expect.objectContaining({ slice: 'new-readers', readers: 120 }),
          expect.objectContaining({ slice: 'region:africa', readers: 12 }),
        ],
      },
      onlineQuality: {
        status: 'measured',
        window: qualityWindow,
        personalized: servedLists,
        liftOverFallback: 1.3333,
        firstWindow: expect.objectContaining({ lists: 900 }),
      },
      featureImportance: { sample: 2000, baselineScore: 0.12 },
    });
    expect(body.featureImportance.groups.map((g: Json) => g.group)).toEqual([
      'article.words',
      'reader.recentWords',
      'reader.categoryMix',
      'article.category',
      'article.publisher',
    ]);
    const kinds = body.limitations.map((l: Json) => l.kind);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'inputs',
        'cold-start',
        'training-window',
        'small-slice',
        'weak-slice',
        'weak-group',
      ]),
    );
    expect(monitoring.asked).toContain('/v1/model-quality');
  });

  it('gives it as Markdown on Accept: text/markdown or ?format=markdown', async () => {
    const byAccept = await card('v2', '', 'text/markdown');
    expect(byAccept.status).toBe(200);
    expect(byAccept.type).toMatch(/^text\/markdown/);
    const lines = byAccept.text.split('\n');
    expect(lines[0]).toBe('# Model card: v2');
    expect(lines).toEqual(
      expect.arrayContaining([
        '| dataset code version | features-3c4d |',
        '| readers | 15000 |',
        'Gate: **passed**, judged against v1.',
        '| ndcgAt10 | 0.3100 | 0.3000 | 0.2000 | — | — |',
        '### Slice region:africa (12 readers)',
        '| this model | 900 | 0.4000 | 0.2000 | 95 | 0.3000 |',
        "| article.words | the article's words (title first, then body) | 0.3000 | 42.9% |",
      ]),
    );
    const byQuery = await card('v2', '?format=markdown');
    expect(byQuery.type).toMatch(/^text\/markdown/);
    // The same card, but for the instant it was made.
    const withoutTime = (text: string) => text.replace(/card generated \S+/, '');
    expect(withoutTime(byQuery.text)).toBe(withoutTime(byAccept.text));
    expect((await card('v2', '?format=json', 'text/markdown')).type).toMatch(/^application\/json/);
  });

  it('a redelivered event changes nothing: the first manifest of a dataset stands', async () => {
    await world.publish(topics.datasetSnapshotted, [snapshotted(1)]);
    await world.publish(topics.modelEvaluated, [evaluated('v2', 'v1')]);
    await waitFor('the redeliveries consumed', async () =>
      (await Promise.all([topics.datasetSnapshotted.name, topics.modelEvaluated.name].map(lag))).every(
        (n) => n === 0,
      ),
    );
    const { body } = await card('v2');
    expect(body.trainingData.rows.readers).toBe(15_000);
    expect(body.evaluation.slices).toHaveLength(2);
  });

  it("says an archived version's online quality is not measured when monitoring's window has none of its lists", async () => {
    const { status, body } = await card('v1');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      stage: 'archived',
      onlineQuality: {
        status: 'not-measured',
        reason: expect.stringContaining('holds no lists of this version'),
      },
      evaluation: { judgedAgainst: null, overall: { metrics: [expect.objectContaining({ recency: 0.15 })] } },
    });
  });

  it('does not ask monitoring about a candidate never promoted', async () => {
    await world.publish(topics.modelTrained, [trained('v3', 'v2')]);
    await waitFor('v3 registered', async () => (await registry.get('/v1/models/v3')).status === 200);
    const asked = monitoring.asked.length;
    const { body } = await card('v3');
    expect(body).toMatchObject({
      stage: 'candidate',
      evaluation: null,
      featureImportance: null,
      onlineQuality: { status: 'not-measured', reason: expect.stringContaining('never been the champion') },
    });
    expect(monitoring.asked).toHaveLength(asked);
  });

  it('says online quality is unavailable, rather than failing, when monitoring answers late or is gone', async () => {
    monitoring.mode = 'late';
    const late = await card('v2');
    expect(late.status).toBe(200);
    expect(late.body.onlineQuality).toEqual({
      status: 'unavailable',
      reason: `monitoring did not answer within ${timeoutMs} ms`,
    });
    expect(late.body.evaluation.passed).toBe(true);
    const markdown = await card('v2', '?format=markdown');
    expect(markdown.text).toContain(`Unavailable: monitoring did not answer within ${timeoutMs} ms.`);

    await monitoring.stop();
    const gone = await card('v2');
    expect(gone.status).toBe(200);
    expect(gone.body.onlineQuality).toMatchObject({
      status: 'unavailable',
      reason: expect.stringMatching(/^monitoring cannot be reached at .*: ECONNREFUSED$/),
    });
  });

  it('answers 404 for an unknown version and 400 naming the field for an unknown format; the route is documented', async () => {
    const unknown = await card('no-such-version');
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toBe('no model version "no-such-version"');
    const pdf = await card('v2', '?format=pdf');
    expect(pdf.status).toBe(400);
    expect(pdf.body.message).toMatch(/format/);
    const document = (await registry.get('/docs/openapi.json')).body;
    const route = document.paths['/v1/models/{modelVersion}/card'].get;
    expect(Object.keys(route.responses)).toEqual(expect.arrayContaining(['200', '404']));
    expect(route.parameters.map((p: Json) => p.name)).toEqual(
      expect.arrayContaining(['modelVersion', 'format']),
    );
  });
});

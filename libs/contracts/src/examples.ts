import { z } from 'zod';
import { Topics, TopicId } from './topics';

/**
 * One valid value per topic. They document the contract (OpenAPI examples, README) and give tests
 * a known-good starting point to break field by field.
 */
const sha = 'a'.repeat(64);
const envelope = (type: string, payload: unknown) => ({
  eventId: '0b7c2f0e-6a4f-4a53-9d0e-3f1f7f3e2a10',
  type,
  schemaVersion: 1,
  occurredAt: '2026-11-24T08:00:00.000Z',
  producer: 'example',
  payload,
});
const article = {
  eventId: 'evt-article-1',
  articleId: 'art-1',
  title: 'Rains return to the Sahel',
  body: 'Farmers welcome the first rains of the season.',
  category: 'climate',
  publisher: 'daily-planet',
  url: 'https://news.example/articles/art-1',
  publishedAt: '2026-11-24T07:30:00Z',
  language: 'en',
  tags: ['weather'],
};
const interaction = {
  eventId: 'evt-read-1',
  userId: 'user-1',
  articleId: 'art-1',
  type: 'read',
  dwellSeconds: 42.5,
  occurredAt: '2026-11-24T07:45:00Z',
  sessionId: 'session-1',
  region: 'africa',
};

export const topicExamples: { [K in TopicId]: { key: string; value: z.input<Topics[K]['value']> } } = {
  articlesRaw: { key: 'art-1', value: article },
  interactionsRaw: { key: 'user-1', value: interaction as z.input<Topics['interactionsRaw']['value']> },
  articlesIngested: {
    key: 'art-1',
    value: envelope('articles.ingested', {
      ...article,
      revision: 1,
      ingestedAt: '2026-11-24T07:31:00Z',
    }) as never,
  },
  interactionsIngested: {
    key: 'user-1',
    value: envelope('interactions.ingested', { ...interaction, ingestedAt: '2026-11-24T07:46:00Z' }) as never,
  },
  ingestionRejected: {
    key: 'interactions.raw',
    value: envelope('ingestion.rejected', {
      sourceTopic: 'interactions.raw',
      partition: 0,
      offset: '17',
      reason: 'schema-invalid',
      errors: [{ field: 'dwellSeconds', message: 'Too small: expected number to be >=0' }],
      originalPayload: '{"dwellSeconds":-1}',
    }) as never,
  },
  articlesFlagged: {
    key: 'art-1',
    value: envelope('articles.flagged', {
      articleId: 'art-1',
      flagged: true,
      reason: 'misinformation',
      actor: 'moderator-1',
      takedownId: '5f0c6d1e-2b3a-4c5d-8e9f-0a1b2c3d4e5f',
    }) as never,
  },
  takedownConfirmed: {
    key: 'art-1',
    value: envelope('articles.takedown-confirmed', {
      takedownId: '5f0c6d1e-2b3a-4c5d-8e9f-0a1b2c3d4e5f',
      articleId: 'art-1',
      holder: 'serving',
      instance: 'serving-7f9c-1',
      confirmedAt: '2026-11-24T08:00:01.200Z',
    }) as never,
  },
  readerDataRequested: {
    key: 'user-1',
    value: envelope('readers.data-requested', {
      requestId: '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      userId: 'user-1',
      action: 'erasure',
      requestedAt: '2026-11-24T08:00:00.000Z',
    }) as never,
  },
  readerDataConfirmed: {
    key: 'user-1',
    value: envelope('readers.data-confirmed', {
      requestId: '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      userId: 'user-1',
      action: 'export',
      holder: 'ingestion',
      instance: 'ingestion-5d2e-1',
      records: 12,
      part: { uri: `artifact://reader-data/${sha}.json`, sha256: sha },
      confirmedAt: '2026-11-24T08:00:02.000Z',
    }) as never,
  },
  featuresUsers: {
    key: 'user-1',
    value: envelope('features.users', {
      userId: 'user-1',
      region: 'africa',
      categoryMix: { climate: 0.7, sports: 0.3 },
      recentReads: [{ articleId: 'art-1', dwellSeconds: 42.5, at: '2026-11-24T07:45:00Z' }],
      impressions: 3,
      clicks: 1,
      reads: 1,
      totalDwellSeconds: 42.5,
      lastSeenAt: '2026-11-24T07:45:00Z',
      version: 4,
    }) as never,
  },
  featuresArticles: {
    key: 'art-1',
    value: envelope('features.articles', {
      articleId: 'art-1',
      revision: 1,
      category: 'climate',
      publisher: 'daily-planet',
      language: 'en',
      tokenHashes: [17, 4093],
      publishedAt: '2026-11-24T07:30:00Z',
      reads: { '1h': 1, '24h': 1, '7d': 1 },
      dwellSeconds: { '1h': 42.5, '24h': 42.5, '7d': 42.5 },
      windowsAt: '2026-11-24T08:00:00Z',
      flagged: false,
      version: 2,
    }) as never,
  },
  datasetSnapshotted: {
    key: sha,
    value: envelope('dataset.snapshotted', {
      datasetId: sha,
      artifact: { uri: `artifact://datasets/${sha}.jsonl`, sha256: sha },
      manifest: {
        datasetId: sha,
        format: 'newsroom-dataset/2',
        featureSchemaVersion: 1,
        codeVersion: 'dev',
        createdAt: '2026-11-24T08:00:00.000Z',
        trigger: 'request',
        window: { start: '2026-11-17T00:00:00.000Z', end: '2026-11-24T00:00:00.000Z' },
        validationFrom: '2026-11-23T00:00:00.000Z',
        rows: { train: 900, validation: 100, readers: 120, articles: 80 },
        file: { uri: `artifact://datasets/${sha}.jsonl`, sha256: sha, bytes: 123_456 },
        sources: {
          kafkaOffsets: { 'interactions.ingested': { '0': '1000' } },
          highWaterMarks: { interactions: 5000, articles: 80 },
        },
        quality: {
          passed: true,
          checks: [
            { name: 'volume', passed: true, value: 1000, min: 500, max: null, detail: 'reads in the window' },
          ],
        },
        buildMs: 1200,
      },
    }) as never,
  },
  trainingRequested: {
    key: '5d0f8a0e-1b2c-4d3e-8f40-5a6b7c8d9e0f',
    value: envelope('training.requested', {
      requestId: '5d0f8a0e-1b2c-4d3e-8f40-5a6b7c8d9e0f',
      trigger: 'schedule',
      reason: 'scheduled at 2026-11-24T03:00:00.000Z',
    }) as never,
  },
  modelTrained: {
    key: 'v1',
    value: envelope('model.trained', {
      modelVersion: 'v1',
      runId: 'run-1',
      artifact: { uri: `artifact://models/${sha}.bin`, sha256: sha },
      datasetId: sha,
      parentVersion: null,
      codeVersion: 'abc1234',
      params: { epochs: 5 },
      metrics: { loss: 0.42 },
    }) as never,
  },
  trainingFailed: {
    key: 'run-2',
    value: envelope('training.failed', {
      runId: 'run-2',
      trigger: 'drift',
      datasetId: null,
      error: 'the requested snapshot was rejected: validation window holds no reads',
    }) as never,
  },
  serviceVitals: {
    key: 'serving@host-1:42:2026-01-01T00:00:00.000Z',
    value: envelope('service.vitals', {
      service: 'serving',
      instance: 'serving@host-1:42:2026-01-01T00:00:00.000Z',
      startedAt: '2026-01-01T00:00:00.000Z',
      intervalMs: 15_000,
      stopping: false,
      sloAvailabilityTarget: 0.95,
      requests: { succeeded: 1200, rejected: 3, failed: 1, timedOut: 0 },
      outbox: { pending: 0, oldestSeconds: 0 },
    }) as never,
  },
  modelEvaluated: {
    key: 'v1',
    value: envelope('model.evaluated', {
      modelVersion: 'v1',
      championVersion: null,
      passed: true,
      reasons: ['beats popularity baseline'],
      metrics: { ndcgAt10: 0.31 },
      featureImportance: {
        sample: 2000,
        baselineScore: 0.12,
        values: {
          'reader.recentWords': 0.21,
          'reader.categoryMix': 0.09,
          'article.words': 0.18,
          'article.category': 0.07,
          'article.publisher': 0.02,
        },
      },
    }) as never,
  },
  modelPromoted: {
    key: 'v1',
    value: envelope('model.promoted', {
      modelVersion: 'v1',
      sequence: 1,
      previousVersion: null,
      artifact: { uri: `artifact://models/${sha}.bin`, sha256: sha },
      reason: 'passed evaluation',
    }) as never,
  },
  modelRolledBack: {
    key: 'v1',
    value: envelope('model.rolled-back', {
      fromVersion: 'v2',
      toVersion: 'v1',
      reason: 'regression',
    }) as never,
  },
  recommendationsGenerated: {
    key: 'user-1',
    value: envelope('recommendations.generated', {
      userId: 'user-1',
      modelVersion: 'v1',
      generatedAt: '2026-11-24T08:00:00Z',
      revision: 3,
      items: [
        {
          articleId: 'art-1',
          score: 0.93,
          category: 'climate',
          publisher: 'daily-planet',
          origin: 'model',
          attributions: {
            'reader.recentWords': 0.41,
            'reader.categoryMix': 0.17,
            'article.words': 0.15,
            'article.category': 0.06,
            'article.publisher': 0.02,
          },
        },
      ],
      datasetId: sha,
      featureSchemaVersion: 1,
      attributionBaseline: 0.12,
    }) as never,
  },
  recommendationsFallback: {
    key: 'africa',
    value: envelope('recommendations.fallback', {
      scope: 'africa',
      generatedAt: '2026-11-24T08:00:00Z',
      items: [{ articleId: 'art-1', score: 412, category: 'climate', publisher: 'daily-planet' }],
    }) as never,
  },
  scoringCompleted: {
    key: 'run-1',
    value: envelope('scoring.completed', {
      runId: 'run-1',
      modelVersion: 'v1',
      readersScored: 15000,
      articlesScored: 9800,
      durationMs: 21000,
    }) as never,
  },
  recommendationsServed: {
    key: 'user-1',
    value: envelope('recommendations.served', {
      requestId: 'req-1',
      userId: 'user-1',
      modelVersion: 'v1',
      source: 'personalized',
      generatedAt: '2026-11-24T08:00:00Z',
      items: [{ articleId: 'art-1', rank: 1, score: 0.93, origin: 'list' }],
      servedAt: '2026-11-24T08:05:00.000Z',
      datasetId: sha,
      featureSchemaVersion: 1,
      filtered: [{ articleId: 'art-2', reason: 'flagged' }],
    }) as never,
  },
  monitoringAlert: {
    key: 'drift',
    value: envelope('monitoring.alert', {
      alertId: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
      type: 'drift',
      severity: 'warning',
      state: 'firing',
      subject: 'v1',
      dedupKey: 'drift:v1',
      message: 'category mix drifted',
      details: { driftedShare: 0.6 },
      firstSeenAt: '2026-11-08T10:00:00.000Z',
      lastSeenAt: '2026-11-08T10:00:00.000Z',
    }) as never,
  },
};

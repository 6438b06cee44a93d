import { DatasetManifest } from '../datasets/datasets.service';
import { ModelVersion } from '../models/model-version';
import { OnlineQuality } from './model-card';

/** A champion that replaced v1, as the registry holds it: the card specs' starting point. */
export function championVersion(overrides: Partial<ModelVersion> = {}): ModelVersion {
  return {
    modelVersion: 'v2',
    stage: 'champion',
    artifact: { uri: `artifact://models/${'b'.repeat(64)}.bin`, sha256: 'b'.repeat(64) },
    lineage: {
      runId: 'run-2',
      datasetId: 'd'.repeat(64),
      parentVersion: 'v1',
      codeVersion: 'abc123',
      params: { epochs: 4, learningRate: 0.01, dimensions: 32, backend: 'wasm' },
    },
    trainingMetrics: { loss: 0.41, ndcgAt10: 0.3 },
    evaluation: {
      passed: true,
      championVersion: 'v1',
      reasons: [
        'pass: NDCG@10 0.3100 vs popularity 0.2000 (needs >= 1.1 x = 0.2200)',
        'pass: NDCG@10 0.3100 vs champion 0.3000 (needs >= 0.2950)',
        "no slice worse than the champion's by more than 0.02",
      ],
      metrics: {
        ndcgAt10: 0.31,
        recallAt10: 0.42,
        mrr: 0.25,
        popularityNdcgAt10: 0.2,
        categoryPopularityNdcgAt10: 0.26,
        championNdcgAt10: 0.3,
        'new-readers.ndcgAt10': 0.18,
        'new-readers.popularityNdcgAt10': 0.21,
        'new-readers.readers': 120,
        'region:africa.ndcgAt10': 0.33,
        'region:africa.readers': 12,
      },
      featureImportance: v2FeatureImportance,
    },
    promotions: [
      {
        sequence: 2,
        modelVersion: 'v2',
        previousVersion: 'v1',
        kind: 'evaluation',
        reason: 'passed evaluation',
        at: '2026-12-04T06:00:00.000Z',
      },
    ],
    stageReason: null,
    createdAt: '2026-12-04T05:50:00.000Z',
    stageChangedAt: '2026-12-04T06:00:00.000Z',
    ...overrides,
  };
}

/** v2's importance per feature group, as its evaluation published it. */
export const v2FeatureImportance = {
  sample: 2000,
  baselineScore: 0.12,
  values: {
    'reader.recentWords': 0.2,
    'reader.categoryMix': 0.1,
    'article.words': 0.3,
    'article.category': 0.095,
    'article.publisher': 0.005,
  },
};

/** What v2's personalized lists did in the report's window. */
export const servedLists = { lists: 900, hitRateAt10: 0.4, mrr: 0.2, dwellSecondsPerList: 95, coverage: 0.3 };
export const qualityWindow = { from: '2026-12-04T06:00:00.000Z', to: '2026-12-05T06:00:00.000Z' };

/** A report about v2 as monitoring's GET /v1/model-quality gives it (fields the card does not read included). */
export function modelQualityReport(createdAt = '2026-12-05T07:00:00.000Z') {
  return {
    createdAt,
    window: qualityWindow,
    horizonHours: 24,
    minLists: 500,
    groups: [],
    versions: [
      {
        modelVersion: 'v2',
        personalized: servedLists,
        fallback: { ...servedLists, hitRateAt10: 0.3 },
        liftOverFallback: 1.3333,
        offline: { recallAt10: 0.42 },
        onlineOverOfflineRecall: 0.95,
        baseline: { hitRateAt10: 0.4, mrr: 0.2, lists: 900, window: qualityWindow },
        hitRateChange: 0,
      },
    ],
  };
}

export function datasetManifest(): DatasetManifest {
  return {
    datasetId: 'd'.repeat(64),
    format: 'newsroom-dataset/1',
    featureSchemaVersion: 1,
    codeVersion: 'fs-789',
    createdAt: '2026-12-04T05:00:00.000Z',
    trigger: 'schedule',
    window: { start: '2026-11-27T05:00:00.000Z', end: '2026-12-04T05:00:00.000Z' },
    validationFrom: '2026-12-03T05:00:00.000Z',
    rows: { train: 90_000, validation: 12_000, readers: 15_000, articles: 40_000 },
    file: { uri: `artifact://datasets/${'d'.repeat(64)}.bin`, sha256: 'd'.repeat(64), bytes: 1024 },
    sources: { kafkaOffsets: {}, highWaterMarks: { interactions: 1, articles: 1 } },
    quality: {
      passed: true,
      checks: [
        { name: 'rows', passed: true, value: 102_000, min: 1, max: null, detail: 'enough rows' },
        { name: 'late-share', passed: false, value: 0.2, min: null, max: 0.1, detail: 'warning only' },
      ],
    },
    buildMs: 1200,
  };
}

export function measuredQuality(
  overrides: Partial<Extract<OnlineQuality, { status: 'measured' }>> = {},
): OnlineQuality {
  return {
    status: 'measured',
    window: { from: '2026-12-04T06:00:00.000Z', to: '2026-12-05T06:00:00.000Z' },
    horizonHours: 24,
    personalized: { lists: 900, hitRateAt10: 0.4, mrr: 0.2, dwellSecondsPerList: 95, coverage: 0.3 },
    fallback: { lists: 300, hitRateAt10: 0.3, mrr: 0.15, dwellSecondsPerList: 60, coverage: 0.05 },
    liftOverFallback: 1.3333,
    onlineOverOfflineRecall: 0.95,
    firstWindow: {
      window: { from: '2026-12-04T06:00:00.000Z', to: '2026-12-05T06:00:00.000Z' },
      hitRateAt10: 0.4,
      mrr: 0.2,
      lists: 900,
    },
    hitRateChange: 0,
    ...overrides,
  };
}

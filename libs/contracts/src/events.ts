import { z } from 'zod';
import { Article, RecommendationSource, Region, interactionTypes } from './external';

/**
 * Payloads of the internal events. Each topic's envelope wraps one of these. Unlike the external
 * contract they accept (and drop) unknown fields: a producer deployed with a new optional field must
 * not send its events to the DLQ of consumers still running the previous version.
 */
const isoDateTime = z.iso.datetime({ offset: true });
const sha256 = z.string().regex(/^[a-f0-9]{64}$/, 'expected a hex sha256');
const artifactRef = z.object({ uri: z.string().min(1), sha256 });
const metrics = z.record(z.string(), z.number());

export const ArticleIngested = Article.extend({
  revision: z.number().int().positive(),
  ingestedAt: isoDateTime,
});
export const InteractionIngested = z.object({
  eventId: z.string().min(1),
  userId: z.string().min(1),
  articleId: z.string().min(1),
  type: z.enum(interactionTypes),
  dwellSeconds: z.number().min(0).optional(),
  occurredAt: isoDateTime,
  sessionId: z.string().optional(),
  region: Region.optional(),
  ingestedAt: isoDateTime,
});

export const IngestionRejected = z.object({
  sourceTopic: z.string().min(1),
  partition: z.number().int().min(0).optional(),
  offset: z.string().optional(),
  reason: z.enum(['undecodable', 'schema-invalid']),
  errors: z.array(z.object({ field: z.string(), message: z.string() })),
  originalPayload: z.string(),
});

export const ArticleFlagged = z.object({
  articleId: z.string().min(1),
  flagged: z.boolean(),
  reason: z.string().min(1),
  actor: z.string().min(1),
});

export const UserFeatures = z.object({
  userId: z.string().min(1),
  region: Region.optional(),
  categoryMix: z.record(z.string(), z.number().min(0)),
  recentReads: z.array(
    z.object({ articleId: z.string().min(1), dwellSeconds: z.number().min(0), at: isoDateTime }),
  ),
  reads: z.number().int().min(0),
  totalDwellSeconds: z.number().min(0),
  lastSeenAt: isoDateTime,
});

const windowCounts = z.object({
  '1h': z.number().min(0),
  '24h': z.number().min(0),
  '7d': z.number().min(0),
});
export const ArticleFeatures = z.object({
  articleId: z.string().min(1),
  category: z.string().min(1),
  publisher: z.string().min(1),
  language: z.string().optional(),
  tokenHashes: z.array(z.number().int().min(0)),
  publishedAt: isoDateTime,
  reads: windowCounts,
  dwellSeconds: windowCounts,
  flagged: z.boolean(),
});

export const DatasetSnapshotted = z.object({
  datasetId: sha256,
  artifact: artifactRef,
  manifest: z.record(z.string(), z.unknown()),
});

export const trainingTriggers = ['push', 'schedule', 'request', 'drift'] as const;
export const TrainingRequested = z.object({
  requestId: z.uuid(),
  trigger: z.enum(trainingTriggers),
  datasetId: sha256.optional(),
  reason: z.string().optional(),
});

export const ModelTrained = z.object({
  modelVersion: z.string().min(1),
  runId: z.string().min(1),
  artifact: artifactRef,
  datasetId: sha256,
  parentVersion: z.string().nullable(),
  codeVersion: z.string().min(1),
  params: z.record(z.string(), z.unknown()),
  metrics,
});

export const ModelEvaluated = z.object({
  modelVersion: z.string().min(1),
  championVersion: z.string().nullable(),
  passed: z.boolean(),
  reasons: z.array(z.string()),
  metrics,
});

export const ModelPromoted = z.object({
  modelVersion: z.string().min(1),
  previousVersion: z.string().nullable(),
  artifact: artifactRef,
  reason: z.string().min(1),
});

export const ModelRolledBack = z.object({
  fromVersion: z.string().min(1),
  toVersion: z.string().min(1),
  reason: z.string().min(1),
});

const scoredItem = z.object({ articleId: z.string().min(1), score: z.number().finite() });
export const RecommendationsGenerated = z.object({
  userId: z.string().min(1),
  modelVersion: z.string().min(1),
  generatedAt: isoDateTime,
  items: z.array(scoredItem).max(50),
});

export const ScoringCompleted = z.object({
  runId: z.string().min(1),
  modelVersion: z.string().min(1),
  readersScored: z.number().int().min(0),
  durationMs: z.number().min(0),
});

export const RecommendationsServed = z.object({
  requestId: z.string().min(1),
  userId: z.string().min(1),
  modelVersion: z.string().nullable(),
  source: RecommendationSource,
  items: z.array(scoredItem.extend({ rank: z.number().int().min(1) })),
});

export const alertTypes = ['data-quality', 'drift', 'model', 'pipeline', 'serving'] as const;
export const MonitoringAlert = z.object({
  alertId: z.uuid(),
  type: z.enum(alertTypes),
  severity: z.enum(['info', 'warning', 'critical']),
  message: z.string().min(1),
  details: z.record(z.string(), z.unknown()),
});

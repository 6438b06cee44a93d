import { z } from 'zod';
import { Article, RecommendationSource, Region, interactionTypes, itemOrigins } from './external';
import { fieldWarningReasons } from './lenient-record';

/**
 * Payloads of the internal events. Each topic's envelope wraps one of these. Unlike the external
 * contract they accept (and drop) unknown fields: a producer deployed with a new optional field must
 * not send its events to the DLQ of consumers still running the previous version.
 */
const isoDateTime = z.iso.datetime({ offset: true });
const sha256 = z.string().regex(/^[a-f0-9]{64}$/, 'expected a hex sha256');
const artifactRef = z.object({ uri: z.string().min(1), sha256 });
const metrics = z.record(z.string(), z.number());

/**
 * The fields of a stored record that ingestion did not take as sent (absent when it took them all);
 * unknown fields, named by producers, as one `*`.
 */
const fieldWarnings = z
  .array(z.object({ field: z.string(), reason: z.enum(fieldWarningReasons) }))
  .optional();

export const ArticleIngested = z.object({
  ...Article.shape,
  revision: z.number().int().positive(),
  ingestedAt: isoDateTime,
  fieldWarnings,
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
  fieldWarnings,
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
  /** Set on a flag (not an unflag): every holder of the article confirms its removal under this id. */
  takedownId: z.uuid().optional(),
});

/**
 * Who holds an article where a reader could be shown it, and so confirms a takedown: the feature
 * store (candidate features), batch scoring (stored lists) and each serving replica (its index).
 */
export const takedownHolders = ['feature-store', 'batch-scoring', 'serving'] as const;
export const TakedownConfirmed = z.object({
  takedownId: z.uuid(),
  articleId: z.string().min(1),
  holder: z.enum(takedownHolders),
  /** The instance that removed it (serving: each replica confirms for its own index). */
  instance: z.string().min(1),
  confirmedAt: isoDateTime,
});

/** What a reader (or someone on their behalf) asked for about their data. */
export const readerDataActions = ['export', 'erasure'] as const;
export const ReaderDataRequested = z.object({
  requestId: z.uuid(),
  userId: z.string().min(1),
  action: z.enum(readerDataActions),
  requestedAt: isoDateTime,
});

/** Services that store something about a reader, and so answer a reader-data request. */
export const readerDataHolders = [
  'ingestion',
  'feature-store',
  'batch-scoring',
  'serving',
  'monitoring',
] as const;
export type ReaderDataHolder = (typeof readerDataHolders)[number];
export const ReaderDataConfirmed = z.object({
  requestId: z.uuid(),
  userId: z.string().min(1),
  action: z.enum(readerDataActions),
  holder: z.enum(readerDataHolders),
  instance: z.string().min(1),
  /** Records found (export) or removed/anonymised (erasure). */
  records: z.number().int().min(0),
  /** Export: this holder's part, a JSON document in the artifact store (claim check). */
  part: artifactRef.optional(),
  confirmedAt: isoDateTime,
});

/**
 * Definitions both the feature store (which computes features) and models (which consume them)
 * depend on; changing any of them changes the feature schema version.
 */
export const featureSchema = {
  version: 1,
  /** Token hashes fall in [0, tokenBuckets). */
  tokenBuckets: 32_768,
  /** At most this many distinct tokens per article, title first. */
  maxTokens: 256,
  /** Length of a reader's recent-read history. */
  recentReads: 50,
  /** Popularity windows are sums of buckets of this length (ms). */
  popularityBucketMs: 5 * 60 * 1000,
} as const;

export const popularityWindows = ['1h', '24h', '7d'] as const;
export const windowValues = z.object({
  '1h': z.number().min(0),
  '24h': z.number().min(0),
  '7d': z.number().min(0),
});

export const UserFeatures = z.object({
  userId: z.string().min(1),
  region: Region.optional(),
  /** Share of the reader's dwell time per category; sums to 1 when the reader has read anything. */
  categoryMix: z.record(z.string(), z.number().min(0)),
  /** The latest reads, newest first. */
  recentReads: z
    .array(z.object({ articleId: z.string().min(1), dwellSeconds: z.number().min(0), at: isoDateTime }))
    .max(featureSchema.recentReads),
  impressions: z.number().int().min(0),
  clicks: z.number().int().min(0),
  reads: z.number().int().min(0),
  totalDwellSeconds: z.number().min(0),
  lastSeenAt: isoDateTime,
  /** Increases with every change: a consumer keeps the highest it has seen. */
  version: z.number().int().positive(),
  /**
   * Set when the reader's data was erased: the record (the latest of its key on the compacted
   * topic) keeps nothing else of them, and consumers drop what they hold.
   */
  erasedAt: isoDateTime.optional(),
});

export const ArticleFeatures = z.object({
  articleId: z.string().min(1),
  revision: z.number().int().positive(),
  category: z.string().min(1),
  publisher: z.string().min(1),
  language: z.string().optional(),
  tokenHashes: z
    .array(
      z
        .number()
        .int()
        .min(0)
        .max(featureSchema.tokenBuckets - 1),
    )
    .max(featureSchema.maxTokens),
  publishedAt: isoDateTime,
  /** Reads and dwell seconds over sliding windows ending at `windowsAt`. */
  reads: windowValues,
  dwellSeconds: windowValues,
  windowsAt: isoDateTime,
  flagged: z.boolean(),
  version: z.number().int().positive(),
});

/** `pull`: asked for on `training.requested` (training's schedule, a drift alert, a user's run). */
export const datasetTriggers = ['request', 'push', 'schedule', 'pull'] as const;
export const QualityCheck = z.object({
  name: z.string().min(1),
  passed: z.boolean(),
  value: z.number().nullable(),
  /** The accepted range; null bounds are open. */
  min: z.number().nullable(),
  max: z.number().nullable(),
  detail: z.string(),
});

export const DatasetManifest = z.object({
  datasetId: sha256,
  format: z.string().min(1),
  featureSchemaVersion: z.number().int().positive(),
  codeVersion: z.string().min(1),
  createdAt: isoDateTime,
  trigger: z.enum(datasetTriggers),
  window: z.object({ start: isoDateTime, end: isoDateTime }),
  /** Examples at or after this instant are the validation split; earlier ones are for training. */
  validationFrom: isoDateTime,
  rows: z.object({
    train: z.number().int().min(0),
    validation: z.number().int().min(0),
    readers: z.number().int().min(0),
    articles: z.number().int().min(0),
  }),
  file: z.object({ uri: z.string().min(1), sha256, bytes: z.number().int().min(0) }),
  sources: z.object({
    /** Offsets up to which the feature store had applied each input partition. */
    kafkaOffsets: z.record(z.string(), z.record(z.string(), z.string())),
    /** The offline store's sequence numbers the snapshot read up to: a rebuild reads the same rows. */
    highWaterMarks: z.object({ interactions: z.number().int().min(0), articles: z.number().int().min(0) }),
  }),
  quality: z.object({ passed: z.boolean(), checks: z.array(QualityCheck) }),
  buildMs: z.number().min(0),
});

export const DatasetSnapshotted = z.object({
  datasetId: sha256,
  artifact: artifactRef,
  manifest: DatasetManifest,
  /** Set when the snapshot answers a `training.requested` (announced even if the bytes existed). */
  requestId: z.uuid().optional(),
});

export const trainingTriggers = ['push', 'schedule', 'request', 'drift'] as const;
/**
 * Training asks the feature store for a fresh snapshot: answered by `dataset.snapshotted` with the
 * same `requestId`, or by a `data-quality` alert whose details carry it when the gate rejects.
 */
export const TrainingRequested = z.object({
  requestId: z.uuid(),
  trigger: z.enum(trainingTriggers),
  reason: z.string().optional(),
});

/**
 * The named feature groups attributions are over. Tower groups are each a part of one tower's
 * input: the reader's recent-read words and category mix; the article's words (title first, then
 * body), category and publisher. `article.age` is the article's age when the list was ranked: a
 * term added to the towers' score, outside them. A Shapley value per group says how much it moved
 * the score from the baseline's (the age's is its term: the baseline has none).
 */
export const readerFeatureGroups = ['reader.recentWords', 'reader.categoryMix'] as const;
export const articleFeatureGroups = ['article.words', 'article.category', 'article.publisher'] as const;
export const towerFeatureGroups = [...readerFeatureGroups, ...articleFeatureGroups] as const;
export const featureGroups = [...towerFeatureGroups, 'article.age'] as const;
export type FeatureGroup = (typeof featureGroups)[number];
export type TowerFeatureGroup = (typeof towerFeatureGroups)[number];
/**
 * Values per feature group: the groups above, and any a newer producer adds (a consumer that does
 * not know a group keeps its value and reads the ones it knows: rolling upgrades).
 */
export const FeatureGroupValues = z.record(z.string().min(1), z.number().finite());

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

/** A training run that ended without a model: what it was for and why it failed. */
export const TrainingFailed = z.object({
  runId: z.string().min(1),
  trigger: z.enum(trainingTriggers),
  /** The dataset it trained on; null when the snapshot it asked for never came. */
  datasetId: sha256.nullable(),
  error: z.string().min(1),
});

export const ModelEvaluated = z.object({
  modelVersion: z.string().min(1),
  championVersion: z.string().nullable(),
  passed: z.boolean(),
  reasons: z.array(z.string()),
  metrics,
  /**
   * The candidate's global importance of each feature group: the mean |Shapley value| over a
   * sample of held-out (reader, article) pairs, with the sample's size and the baseline score.
   */
  featureImportance: z
    .object({
      sample: z.number().int().min(0),
      baselineScore: z.number().finite(),
      values: FeatureGroupValues,
    })
    .optional(),
});

export const ModelPromoted = z.object({
  modelVersion: z.string().min(1),
  /** The registry's promotion counter: the highest one is the champion, whatever order events arrive in. */
  sequence: z.number().int().positive(),
  previousVersion: z.string().nullable(),
  artifact: artifactRef,
  reason: z.string().min(1),
});

export const ModelRolledBack = z.object({
  fromVersion: z.string().min(1),
  toVersion: z.string().min(1),
  reason: z.string().min(1),
});

const scoredItem = z.object({
  articleId: z.string().min(1),
  score: z.number().finite(),
  /** For editorial caps at serve time. */
  category: z.string().optional(),
  publisher: z.string().optional(),
});
/** `model`: ranked in a scoring run; `fresh`: a new article placed into the list between runs. */
export const listItemOrigins = ['model', 'fresh'] as const;
const listItem = scoredItem.extend({
  origin: z.enum(listItemOrigins).optional(),
  /** Exact Shapley values per feature group; they add up to `score − attributionBaseline`. */
  attributions: FeatureGroupValues.optional(),
});
/** The longest list batch scoring keeps per reader (serving answers `limit` up to this). */
export const recommendationListSize = 50;
export const RecommendationsGenerated = z.object({
  userId: z.string().min(1),
  modelVersion: z.string().min(1),
  generatedAt: isoDateTime,
  /** Increases with every change of the reader's list: a consumer keeps the highest it has seen. */
  revision: z.number().int().positive(),
  /** Best first. */
  items: z.array(listItem).max(recommendationListSize),
  /** The dataset the model was trained on and the feature schema it reads: the trail's lineage. */
  datasetId: sha256.optional(),
  featureSchemaVersion: z.number().int().positive().optional(),
  /** The score of the model's baseline reader and article, which attributions are measured from. */
  attributionBaseline: z.number().finite().optional(),
});

/** `all`, or one of the platform's regions: the fallback for readers without a list (score = recent reads). */
export const overallFallbackScope = 'all';
export const FallbackScope = z.union([z.literal(overallFallbackScope), Region]);
export type FallbackScope = z.infer<typeof FallbackScope>;
export const FallbackGenerated = z.object({
  scope: FallbackScope,
  generatedAt: isoDateTime,
  items: z.array(scoredItem).max(recommendationListSize),
});

export const ScoringCompleted = z.object({
  runId: z.string().min(1),
  modelVersion: z.string().min(1),
  readersScored: z.number().int().min(0),
  /** Candidate pool: fresh, unflagged articles when the run started. */
  articlesScored: z.number().int().min(0),
  durationMs: z.number().min(0),
});

/** Why serving left an item of the reader's list out of a response. */
export const filterReasons = ['flagged', 'editorial-cap', 'duplicate'] as const;
export const RecommendationsServed = z.object({
  requestId: z.string().min(1),
  userId: z.string().min(1),
  modelVersion: z.string().nullable(),
  source: RecommendationSource,
  /** The region the request asked for (the regional fallback's), when it named one. */
  region: Region.optional(),
  generatedAt: isoDateTime.optional(),
  items: z.array(
    z.object({
      articleId: z.string().min(1),
      score: z.number().finite(),
      rank: z.number().int().min(1),
      origin: z.enum(itemOrigins).optional(),
    }),
  ),
  /** The time serving answered (the envelope's `occurredAt` is when the audit thread published). */
  servedAt: isoDateTime.optional(),
  datasetId: sha256.optional(),
  featureSchemaVersion: z.number().int().positive().optional(),
  /** Items of the list (or fallback) passed over, and why. */
  filtered: z
    .array(
      z.object({ articleId: z.string().min(1), reason: z.enum(filterReasons), rule: z.string().optional() }),
    )
    .optional(),
});

export const alertTypes = ['data-quality', 'drift', 'model', 'pipeline', 'serving'] as const;
export const alertSeverities = ['info', 'warning', 'critical'] as const;
export const alertStates = ['firing', 'resolved'] as const;
/**
 * An alert's life: `firing` once when its condition starts, `resolved` once when it has ended (the
 * same `alertId` both times). `dedupKey` names the condition: while an alert with that key is
 * firing, the condition raises no other.
 */
/** Requests a service instance answered since it started, by outcome (as its availability SLO counts them). */
export const RequestCounts = z.object({
  succeeded: z.number().int().min(0),
  /** 4xx: the client's doing, not an availability failure. */
  rejected: z.number().int().min(0),
  failed: z.number().int().min(0),
  timedOut: z.number().int().min(0),
});

/**
 * What one running instance of a service reports about itself every VITALS_INTERVAL_MS, and once
 * more as it stops: its requests (cumulative since `startedAt`, so a lost report loses nothing),
 * its availability objective and its outbox backlog. Monitoring judges the SLA and notices
 * instances that went silent without saying goodbye.
 */
export const ServiceVitals = z.object({
  service: z.string().min(1),
  /** Unique per process start: host, pid and start time. */
  instance: z.string().min(1),
  startedAt: isoDateTime,
  /** How often this instance reports: silent for several of these, it is gone. */
  intervalMs: z.number().int().positive(),
  /** The last report of an instance shutting down cleanly. */
  stopping: z.boolean(),
  sloAvailabilityTarget: z.number().gt(0).lt(1),
  /** Requests to the service's API (health, metrics and docs routes are not counted). */
  requests: RequestCounts,
  /**
   * Outbox rows not yet published, and the age of the oldest (zeros until the relay first looks);
   * null for a service without an outbox relay.
   */
  outbox: z.object({ pending: z.number().int().min(0), oldestSeconds: z.number().min(0) }).nullable(),
});

export const MonitoringAlert = z.object({
  alertId: z.uuid(),
  type: z.enum(alertTypes),
  severity: z.enum(alertSeverities),
  state: z.enum(alertStates),
  /** What the alert is about, e.g. a model version, a topic, a consumer group. */
  subject: z.string().min(1),
  dedupKey: z.string().min(1),
  message: z.string().min(1),
  details: z.record(z.string(), z.unknown()),
  firstSeenAt: isoDateTime,
  lastSeenAt: isoDateTime,
  resolvedAt: isoDateTime.optional(),
});

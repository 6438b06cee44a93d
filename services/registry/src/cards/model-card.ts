import { FeatureGroup } from '@newsroom/contracts';
import { ModelStage, Promotion } from '../models/model-version';

/** One metric of the held-out evaluation: the candidate's and each ranker it was compared with (null: not published). */
export interface MetricComparison {
  metric: string;
  candidate: number | null;
  /** The champion the candidate was judged against, on the same held-out slice. */
  champion: number | null;
  popularity: number | null;
  /** Popularity within the reader's own categories. */
  categoryPopularity: number | null;
  recency: number | null;
}

/** The metrics of every held-out reader (`slice` null) or of one slice of them. */
export interface SliceMetrics {
  slice: string | null;
  /** Held-out readers in the slice, when evaluation published it. */
  readers: number | null;
  metrics: MetricComparison[];
}

/** A version's online quality, as monitoring measured it from what readers read after being served. */
export type OnlineQuality =
  | {
      status: 'measured';
      /** The latest window monitoring judged (lists served then, followed for `horizonHours`). */
      window: { from: string; to: string };
      horizonHours: number;
      /** This version's personalized lists in the window. */
      personalized: ServedQuality | null;
      /** The fallback served over the same window: the control group. */
      fallback: ServedQuality | null;
      liftOverFallback: number | null;
      onlineOverOfflineRecall: number | null;
      /** The version's first window with enough lists, and the relative change of hit rate since. */
      firstWindow: {
        window: { from: string; to: string };
        hitRateAt10: number;
        mrr: number;
        lists: number;
      } | null;
      hitRateChange: number | null;
    }
  /** Monitoring answered, but has nothing on this version (never served, or too few lists yet). */
  | { status: 'not-measured'; reason: string }
  /** Monitoring did not answer (in time, or sensibly): the rest of the card stands. */
  | { status: 'unavailable'; reason: string };

export interface ServedQuality {
  lists: number;
  hitRateAt10: number;
  mrr: number;
  dwellSecondsPerList: number;
  coverage: number;
}

export interface FeatureGroupImportance {
  group: FeatureGroup;
  tower: 'reader' | 'article';
  /** Mean |Shapley value| of the group over the sample. */
  meanAbsAttribution: number;
  /** Its part of the sum over groups. */
  share: number;
}

export type LimitationKind =
  | 'inputs'
  | 'cold-start'
  | 'unknown-values'
  | 'training-window'
  | 'small-slice'
  | 'weak-slice'
  | 'weak-group'
  | 'evaluation-warning'
  | 'online';
export interface Limitation {
  kind: LimitationKind;
  text: string;
}

/** What a model version is, what it learnt from, how it was judged and how it does: `GET /v1/models/{version}/card`. */
export interface ModelCard {
  modelVersion: string;
  generatedAt: string;
  stage: ModelStage;
  /** Why a version was rejected. */
  stageReason: string | null;
  registeredAt: string;
  /** Every time it became the champion (by evaluation, by hand, by a rollback), in order. */
  promotions: Promotion[];
  lineage: {
    datasetId: string;
    runId: string;
    /** The champion training warm-started from (null: trained from scratch). */
    parentVersion: string | null;
    /** The code that trained the model, and the code that built its dataset (null: manifest unknown). */
    trainingCodeVersion: string;
    datasetCodeVersion: string | null;
    featureSchemaVersion: number | null;
    artifact: { uri: string; sha256: string };
  };
  /** The dataset's manifest; null when the registry never saw its `dataset.snapshotted`. */
  trainingData: {
    trigger: string;
    createdAt: string;
    window: { start: string; end: string };
    /** Examples from this instant on are the validation (held-out) split. */
    validationFrom: string;
    rows: { train: number; validation: number; readers: number; articles: number };
    qualityChecks: { passed: number; failed: string[] };
  } | null;
  parameters: Record<string, unknown>;
  /** Training's own validation metrics after the last epoch (and its loss). */
  trainingMetrics: Record<string, number>;
  /** Null until `model.evaluated` arrives. */
  evaluation: {
    passed: boolean;
    /** The champion it was judged against (null: the first model, judged against the baselines alone). */
    judgedAgainst: string | null;
    /** Every check of the gate, passed or failed, as evaluation wrote it. */
    reasons: string[];
    overall: SliceMetrics;
    slices: SliceMetrics[];
  } | null;
  onlineQuality: OnlineQuality;
  /** Null when evaluation did not measure it. */
  featureImportance: {
    sample: number;
    baselineScore: number;
    groups: FeatureGroupImportance[];
  } | null;
  limitations: Limitation[];
}

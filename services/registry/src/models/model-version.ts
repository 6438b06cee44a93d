import { TopicPayload, topics } from '@newsroom/contracts';

export const modelStages = ['candidate', 'champion', 'archived', 'rejected'] as const;
export type ModelStage = (typeof modelStages)[number];

export type FeatureImportance = NonNullable<TopicPayload<typeof topics.modelEvaluated>['featureImportance']>;

export interface Promotion {
  sequence: number;
  modelVersion: string;
  previousVersion: string | null;
  kind: 'evaluation' | 'manual' | 'rollback';
  reason: string;
  at: string;
}

/** A registered model version with its lineage, evaluation and history of promotions. */
export interface ModelVersion {
  modelVersion: string;
  stage: ModelStage;
  artifact: { uri: string; sha256: string };
  lineage: {
    runId: string;
    datasetId: string;
    parentVersion: string | null;
    codeVersion: string;
    params: Record<string, unknown>;
  };
  trainingMetrics: Record<string, number>;
  evaluation: {
    passed: boolean;
    reasons: string[];
    metrics: Record<string, number>;
    championVersion: string | null;
    /** Mean |Shapley value| per feature group over a held-out sample; absent when evaluation did not measure it. */
    featureImportance?: FeatureImportance;
  } | null;
  promotions: Promotion[];
  /** Why a version was rejected. */
  stageReason: string | null;
  createdAt: string;
  stageChangedAt: string;
}

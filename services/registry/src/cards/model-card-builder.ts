import { FeatureGroup, featureGroups } from '@newsroom/contracts';
import { DatasetManifest } from '../datasets/datasets.service';
import { ModelVersion } from '../models/model-version';
import { evaluationMetrics } from './evaluation-metrics';
import { towerOf } from './feature-group-labels';
import { ModelCard, OnlineQuality } from './model-card';
import { modelLimitations } from './model-limitations';

/** What a card is made of: the registry's version, its dataset's manifest (when seen) and monitoring's answer. */
export interface ModelCardSources {
  version: ModelVersion;
  dataset: DatasetManifest | undefined;
  onlineQuality: OnlineQuality;
  /** Slices with fewer held-out readers are named as too small to judge. */
  minSliceReaders: number;
  generatedAt: Date;
}

/** A version's model card, from what the registry holds about it and what monitoring said. */
export function buildModelCard({
  version,
  dataset,
  onlineQuality,
  minSliceReaders,
  generatedAt,
}: ModelCardSources): ModelCard {
  const card: Omit<ModelCard, 'limitations'> = {
    modelVersion: version.modelVersion,
    generatedAt: generatedAt.toISOString(),
    stage: version.stage,
    stageReason: version.stageReason,
    registeredAt: version.createdAt,
    promotions: version.promotions,
    lineage: {
      datasetId: version.lineage.datasetId,
      runId: version.lineage.runId,
      parentVersion: version.lineage.parentVersion,
      trainingCodeVersion: version.lineage.codeVersion,
      datasetCodeVersion: dataset?.codeVersion ?? null,
      featureSchemaVersion: dataset?.featureSchemaVersion ?? null,
      artifact: version.artifact,
    },
    trainingData: dataset
      ? {
          trigger: dataset.trigger,
          createdAt: dataset.createdAt,
          window: dataset.window,
          validationFrom: dataset.validationFrom,
          rows: dataset.rows,
          qualityChecks: {
            passed: dataset.quality.checks.filter((c) => c.passed).length,
            failed: dataset.quality.checks.filter((c) => !c.passed).map((c) => c.name),
          },
        }
      : null,
    parameters: version.lineage.params,
    trainingMetrics: version.trainingMetrics,
    evaluation: version.evaluation
      ? {
          passed: version.evaluation.passed,
          judgedAgainst: version.evaluation.championVersion,
          reasons: version.evaluation.reasons,
          ...evaluationMetrics(version.evaluation.metrics),
        }
      : null,
    onlineQuality,
    featureImportance: featureImportanceOf(version),
  };
  return { ...card, limitations: modelLimitations(card, minSliceReaders) };
}

/** The groups by importance, most first, each with its share of the total. */
function featureImportanceOf(version: ModelVersion): ModelCard['featureImportance'] {
  const importance = version.evaluation?.featureImportance;
  if (!importance) return null;
  const measured = featureGroups.filter((group) => importance.values[group] !== undefined);
  const valueOf = (group: FeatureGroup) => importance.values[group] ?? 0;
  const total = measured.reduce((sum, group) => sum + valueOf(group), 0);
  return {
    sample: importance.sample,
    baselineScore: importance.baselineScore,
    groups: measured
      .map((group) => ({
        group,
        tower: towerOf(group),
        meanAbsAttribution: valueOf(group),
        share: total > 0 ? valueOf(group) / total : 0,
      }))
      .sort((a, b) => b.meanAbsAttribution - a.meanAbsAttribution),
  };
}

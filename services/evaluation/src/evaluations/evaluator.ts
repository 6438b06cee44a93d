import { Inject, Injectable } from '@nestjs/common';
import { ArtifactStore } from '@newsroom/artifacts';
import {
  Champion,
  EvaluationReport,
  evaluateOrders,
  heldOutSlice,
  loadModel,
  modelOrders,
  popularityOrders,
  readDataset,
  recencyOrders,
} from '@newsroom/ml';
import { SERVICE_CONFIG } from '@newsroom/platform';
import { EvaluationConfig } from '../config';
import { evaluationGate } from './evaluation-gate';

export interface Candidate {
  modelVersion: string;
  datasetId: string;
  artifact: { uri: string; sha256: string };
}

/** What an evaluation found: every ranker's report on the same held-out slice, and the gate's decision. */
export interface Evaluation {
  modelVersion: string;
  championVersion: string | null;
  datasetId: string;
  passed: boolean;
  reasons: string[];
  /** Absent when the inputs could not be read (see `reasons`). */
  heldOut?: { from: string; readers: number; articles: number };
  rankers?: {
    candidate: EvaluationReport;
    champion?: EvaluationReport;
    popularity: EvaluationReport;
    recency: EvaluationReport;
  };
}

/**
 * Evaluates a candidate and the current champion on the candidate's dataset's held-out slice
 * (each reader's impressions of the last day, judged by dwell), with the popularity and recency
 * baselines, overall and per slice, and applies the gate.
 */
@Injectable()
export class Evaluator {
  constructor(
    private readonly artifacts: ArtifactStore,
    @Inject(SERVICE_CONFIG) private readonly config: EvaluationConfig,
  ) {}

  async evaluate(candidate: Candidate, champion: Champion | undefined): Promise<Evaluation> {
    const set = await readDataset(this.artifacts, candidate.datasetId);
    const heldOut = heldOutSlice(set);
    const report = async (artifact: Candidate['artifact']) => {
      const { model, encoder } = await loadModel(this.artifacts, artifact);
      try {
        return evaluateOrders(heldOut, modelOrders(model, encoder, heldOut));
      } finally {
        model.dispose();
      }
    };
    const rivals = champion && champion.modelVersion !== candidate.modelVersion ? champion : undefined;
    const rankers: Evaluation['rankers'] = {
      candidate: await report(candidate.artifact),
      ...(rivals ? { champion: await report(rivals.artifact) } : {}),
      popularity: evaluateOrders(heldOut, popularityOrders(set, heldOut)),
      recency: evaluateOrders(heldOut, recencyOrders(heldOut)),
    };
    const { passed, reasons } = evaluationGate(
      {
        candidate: rankers.candidate,
        champion: rankers.champion,
        baselines: { popularity: rankers.popularity, recency: rankers.recency },
      },
      {
        maxNdcgDrop: this.config.EVALUATION_MAX_NDCG_DROP,
        minBaselineRatio: this.config.EVALUATION_MIN_BASELINE_RATIO,
        maxSliceDrop: this.config.EVALUATION_MAX_SLICE_DROP,
        minSliceReaders: this.config.EVALUATION_MIN_SLICE_READERS,
      },
    );
    return {
      modelVersion: candidate.modelVersion,
      championVersion: rivals?.modelVersion ?? null,
      datasetId: candidate.datasetId,
      passed,
      reasons,
      heldOut: {
        from: new Date(heldOut.at).toISOString(),
        readers: heldOut.readers.length,
        articles: heldOut.articles.size,
      },
      rankers,
    };
  }
}

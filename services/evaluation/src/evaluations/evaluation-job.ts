import { ArtifactStore } from '@newsroom/artifacts';
import {
  BackendChoice,
  BackendName,
  categoryPopularityOrders,
  evaluateOrders,
  EvaluationReport,
  HeldOutProtocol,
  heldOutSlice,
  loadModel,
  modelOrders,
  popularityOrders,
  readDataset,
  recencyOrders,
  selectBackend,
  trainingBaseline,
} from '@newsroom/ml';
import type { Champion } from '@newsroom/platform';
import { GatePolicy, evaluationGate } from './evaluation-gate';
import { FeatureImportance, featureImportance } from './feature-importance';

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
  /** Absent when the inputs could not be read or held nothing out (see `reasons`). */
  heldOut?: {
    from: string;
    readers: number;
    articles: number;
    /** Readers per held-out protocol (what their candidates are: logged impressions or a fresh sample). */
    protocols: Record<HeldOutProtocol, number>;
  };
  rankers?: {
    candidate: EvaluationReport;
    champion?: EvaluationReport;
    popularity: EvaluationReport;
    /** Popularity within the reader's own categories (categoryPopularityOrders). */
    categoryPopularity: EvaluationReport;
    recency: EvaluationReport;
  };
  /** The candidate's global importance of each feature group (see featureImportance). */
  featureImportance?: FeatureImportance;
}

/** What the evaluation thread reports on its way: the backend it runs on, and notes to log. */
export type EvaluationProgress =
  | { type: 'backend'; choice: BackendChoice }
  | { type: 'note'; message: string };

/** One evaluation, as the evaluation thread receives it. */
export interface EvaluationJob {
  artifactDir: string;
  backends: BackendName[];
  candidate: Candidate;
  champion?: Pick<Champion, 'modelVersion' | 'artifact'>;
  gate: GatePolicy;
  /** The platform's regions (PLATFORM_REGIONS): a slice each, the others together. */
  regions: string[];
}

/**
 * Evaluates a candidate and the current champion on the candidate's dataset's held-out slice (each
 * reader's logged impressions of the last day, or their reads among a sample of fresh articles when
 * there are none), with the popularity, category × popularity and recency baselines, overall and
 * per slice, and applies the gate — on the thread that calls it (the evaluation thread).
 */
export async function runEvaluationJob(
  { artifactDir, backends, candidate, champion, gate, regions }: EvaluationJob,
  progress: (report: EvaluationProgress) => void,
): Promise<Evaluation> {
  progress({ type: 'backend', choice: await selectBackend(backends) });
  const artifacts = new ArtifactStore(artifactDir);
  const set = await readDataset(artifacts, candidate.datasetId);
  const heldOut = heldOutSlice(set);
  const rivals = champion && champion.modelVersion !== candidate.modelVersion ? champion : undefined;
  const decided = { modelVersion: candidate.modelVersion, championVersion: rivals?.modelVersion ?? null };
  if (heldOut.readers.length === 0) {
    const validation = set.examples.validation.reduce((n, v) => n + v, 0);
    return {
      ...decided,
      datasetId: candidate.datasetId,
      passed: false,
      reasons: [
        validation === 0
          ? `FAIL: cannot evaluate: dataset ${candidate.datasetId.slice(0, 12)} has no validation reads (its last ${set.header.validationFrom} … ${set.header.window.end} holds none)`
          : `FAIL: cannot evaluate: none of the ${validation} validation reads of dataset ${candidate.datasetId.slice(0, 12)} is of an article the reader had not read before`,
      ],
    };
  }
  /** A model's report on the slice; with `explain`, its feature importance over what it lists there. */
  const assess = async (artifact: Candidate['artifact'], explain: boolean) => {
    const { model, encoder, attributionBaseline } = await loadModel(artifacts, artifact);
    try {
      const orders = modelOrders(model, encoder, heldOut);
      const report = evaluateOrders(heldOut, orders, regions);
      if (!explain) return { report };
      if (!attributionBaseline) {
        progress({
          type: 'note',
          message: `model ${candidate.modelVersion} has no attribution baseline (its file predates them): its feature importance is measured from one computed from its dataset ${candidate.datasetId.slice(0, 12)}`,
        });
      }
      const baseline = attributionBaseline ?? trainingBaseline(model, encoder, set);
      return { report, featureImportance: featureImportance(model, encoder, baseline, heldOut, orders) };
    } finally {
      model.dispose();
    }
  };
  const assessed = await assess(candidate.artifact, true);
  const rankers: NonNullable<Evaluation['rankers']> = {
    candidate: assessed.report,
    ...(rivals ? { champion: (await assess(rivals.artifact, false)).report } : {}),
    popularity: evaluateOrders(heldOut, popularityOrders(set, heldOut), regions),
    categoryPopularity: evaluateOrders(heldOut, categoryPopularityOrders(set, heldOut), regions),
    recency: evaluateOrders(heldOut, recencyOrders(heldOut), regions),
  };
  const { passed, reasons } = evaluationGate(
    {
      candidate: rankers.candidate,
      champion: rankers.champion,
      // Named as the reasons say them.
      baselines: {
        popularity: rankers.popularity,
        'category × popularity': rankers.categoryPopularity,
        recency: rankers.recency,
      },
    },
    gate,
  );
  return {
    ...decided,
    datasetId: candidate.datasetId,
    passed,
    reasons,
    heldOut: {
      from: new Date(heldOut.at).toISOString(),
      readers: heldOut.readers.length,
      articles: heldOut.articles.size,
      protocols: heldOut.protocols,
    },
    rankers,
    featureImportance: assessed.featureImportance,
  };
}

import { ArtifactStore } from '@newsroom/artifacts';
import {
  BackendName,
  Champion,
  EvaluationReport,
  HeldOutProtocol,
  evaluateOrders,
  heldOutSlice,
  loadModel,
  modelOrders,
  popularityOrders,
  readDataset,
  recencyOrders,
  selectBackend,
} from '@newsroom/ml';
import { GatePolicy, evaluationGate } from './evaluation-gate';

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
    recency: EvaluationReport;
  };
}

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
 * there are none), with the popularity and recency baselines, overall and per slice, and applies
 * the gate — on the thread that calls it (the evaluation thread).
 */
export async function runEvaluationJob(
  { artifactDir, backends, candidate, champion, gate, regions }: EvaluationJob,
  progress: (report: { backend: BackendName }) => void,
): Promise<Evaluation> {
  progress({ backend: (await selectBackend(backends)).name });
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
  const report = async (artifact: Candidate['artifact']) => {
    const { model, encoder } = await loadModel(artifacts, artifact);
    try {
      return evaluateOrders(heldOut, modelOrders(model, encoder, heldOut), regions);
    } finally {
      model.dispose();
    }
  };
  const rankers: NonNullable<Evaluation['rankers']> = {
    candidate: await report(candidate.artifact),
    ...(rivals ? { champion: await report(rivals.artifact) } : {}),
    popularity: evaluateOrders(heldOut, popularityOrders(set, heldOut), regions),
    recency: evaluateOrders(heldOut, recencyOrders(heldOut), regions),
  };
  const { passed, reasons } = evaluationGate(
    {
      candidate: rankers.candidate,
      champion: rankers.champion,
      baselines: { popularity: rankers.popularity, recency: rankers.recency },
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
  };
}

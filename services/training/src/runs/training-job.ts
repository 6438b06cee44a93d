import { ArtifactRef, ArtifactStore } from '@newsroom/artifacts';
import {
  BackendChoice,
  BackendName,
  EpochStats,
  evaluateOrders,
  finiteMetrics,
  heldOutSlice,
  loadModel,
  modelOrders,
  readDataset,
  saveModel,
  selectBackend,
  trainingBaseline,
  TrainOptions,
  trainTwoTower,
} from '@newsroom/ml';
import type { Champion } from '@newsroom/platform';

export type TrainingParams = Omit<TrainOptions, 'warmStart' | 'warmStartEncoder' | 'validate' | 'onEpoch'>;

/** One run's work, as the training thread receives it. */
export interface TrainingJob {
  artifactDir: string;
  backends: BackendName[];
  datasetId: string;
  params: TrainingParams;
  /** The champion to warm-start from, if any. */
  parent?: Pick<Champion, 'modelVersion' | 'artifact'>;
}

export type TrainingProgress =
  | { type: 'backend'; choice: BackendChoice }
  | { type: 'epoch'; stats: EpochStats }
  | { type: 'baseline'; readers: number; articles: number; seconds: number }
  | { type: 'warning'; message: string };

export interface TrainingResult {
  artifact: ArtifactRef;
  epochs: EpochStats[];
  /** The last epoch's validation metrics and loss. */
  metrics: Record<string, number>;
}

/**
 * One training run, start to finish, on the thread that calls it (the training thread): the
 * dataset from the artifact store (verified), a warm start from the champion's weights when it has
 * any of the same shape, validation metrics on the dataset's held-out slice after every epoch, and
 * the model written to the artifact store with its attribution baseline (from the same dataset)
 * and lineage.
 */
export async function runTrainingJob(
  job: TrainingJob,
  progress: (report: TrainingProgress) => void,
): Promise<TrainingResult> {
  const backend = await selectBackend(job.backends);
  progress({ type: 'backend', choice: backend });
  const artifacts = new ArtifactStore(job.artifactDir);
  const set = await readDataset(artifacts, job.datasetId);
  if (!set.examples.validation.includes(0)) {
    throw new Error(`dataset ${job.datasetId} has no training examples`);
  }
  const heldOut = heldOutSlice(set);
  let warmStart;
  let warmStartEncoder;
  if (job.parent) {
    try {
      const champion = await loadModel(artifacts, job.parent.artifact);
      warmStart = await champion.model.weightValues();
      warmStartEncoder = champion.encoder.config;
      champion.model.dispose();
    } catch (error) {
      // An unreadable champion must not stop training: this run starts cold.
      progress({
        type: 'warning',
        message: `no warm start from ${job.parent.modelVersion}: ${(error as Error).message}`,
      });
    }
  }
  const { model, encoder, epochs } = await trainTwoTower(set, {
    ...job.params,
    warmStart,
    warmStartEncoder,
    // Without held-out readers (no validation reads) there is nothing to measure.
    validate:
      heldOut.readers.length === 0
        ? undefined
        : (candidate, candidateEncoder) => {
            const { overall } = evaluateOrders(heldOut, modelOrders(candidate, candidateEncoder, heldOut));
            return {
              ndcgAt10: overall.ndcgAt10,
              recallAt10: overall.recallAt10,
              mrr: overall.mrr,
              auc: overall.auc,
            };
          },
    onEpoch: (stats) => progress({ type: 'epoch', stats }),
  });
  try {
    const started = performance.now();
    const attributionBaseline = trainingBaseline(model, encoder, set);
    progress({
      type: 'baseline',
      ...attributionBaseline.sample,
      seconds: (performance.now() - started) / 1000,
    });
    const artifact = await saveModel(artifacts, model, encoder, {
      attributionBaseline,
      lineage: { datasetId: job.datasetId, featureSchemaVersion: set.header.featureSchemaVersion },
    });
    const last = epochs[epochs.length - 1];
    return { artifact, epochs, metrics: finiteMetrics({ loss: last.loss, ...last.validation }) };
  } finally {
    model.dispose();
  }
}

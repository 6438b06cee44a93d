import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { BackendName, Champion } from '@newsroom/ml';
import { gauge } from '@newsroom/observability';
import { SERVICE_CONFIG } from '@newsroom/platform';
import { RunningWorkerTask, runWorkerTask } from '@newsroom/platform/worker-task';
import { join } from 'node:path';
import { EvaluationConfig } from '../config';
import { Candidate, Evaluation, EvaluationJob } from './evaluation-job';

export type { Candidate, Evaluation } from './evaluation-job';

const backendInfo = gauge('ml_backend_info', 'The TensorFlow.js backend in use (1)', ['backend']);

/**
 * Runs evaluations (evaluation-job.ts) on a thread of their own (evaluation.worker.js, built next
 * to main.js). A shutdown stops the one in flight: its `model.trained` is not committed and comes
 * back after the restart.
 */
@Injectable()
export class Evaluator implements BeforeApplicationShutdown {
  private running?: RunningWorkerTask<Evaluation>;

  constructor(@Inject(SERVICE_CONFIG) private readonly config: EvaluationConfig) {}

  async evaluate(candidate: Candidate, champion: Champion | undefined): Promise<Evaluation> {
    const job: EvaluationJob = {
      artifactDir: this.config.ARTIFACT_STORE_DIR,
      backends: this.config.ML_BACKENDS,
      candidate,
      champion: champion && { modelVersion: champion.modelVersion, artifact: champion.artifact },
      gate: {
        maxNdcgDrop: this.config.EVALUATION_MAX_NDCG_DROP,
        minBaselineRatio: this.config.EVALUATION_MIN_BASELINE_RATIO,
        maxSliceDrop: this.config.EVALUATION_MAX_SLICE_DROP,
        minSliceReaders: this.config.EVALUATION_MIN_SLICE_READERS,
      },
    };
    const task = runWorkerTask<EvaluationJob, { backend: BackendName }, Evaluation>(
      join(__dirname, 'evaluation.worker.js'),
      job,
      ({ backend }) => void backendInfo.set({ backend }, 1),
    );
    this.running = task;
    try {
      return await task.result;
    } finally {
      this.running = undefined;
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.running?.abort();
  }
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import { Champion, reportBackendInUse, SERVICE_CONFIG, ShutdownSignal } from '@newsroom/platform';
import { RunningWorkerTask, WorkerTaskAborted, runWorkerTask } from '@newsroom/platform/worker-task';
import { join } from 'node:path';
import { EvaluationConfig } from '../config';
import { Candidate, Evaluation, EvaluationJob, EvaluationProgress } from './evaluation-job';

export type { Candidate, Evaluation } from './evaluation-job';

/**
 * Runs evaluations (evaluation-job.ts) on a thread of their own (evaluation.worker.js, built next
 * to main.js). A shutdown stops the one in flight: its `model.trained` is not committed and comes
 * back after the restart.
 */
@Injectable()
export class Evaluator {
  private readonly logger = new Logger(Evaluator.name);
  private running?: RunningWorkerTask<Evaluation>;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: EvaluationConfig,
    private readonly shutdown: ShutdownSignal,
  ) {
    shutdown.signal.addEventListener('abort', () => void this.running?.abort());
  }

  async evaluate(candidate: Candidate, champion: Champion | undefined): Promise<Evaluation> {
    if (this.shutdown.signal.aborted) throw new WorkerTaskAborted('the service is shutting down');
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
      regions: this.config.PLATFORM_REGIONS,
    };
    const task = runWorkerTask<EvaluationJob, EvaluationProgress, Evaluation>(
      join(__dirname, 'evaluation.worker.js'),
      job,
      (report) =>
        report.type === 'backend' ? reportBackendInUse(report.choice) : this.logger.log(report.message),
    );
    this.running = task;
    try {
      return await task.result;
    } finally {
      this.running = undefined;
    }
  }
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import { ArtifactRef } from '@newsroom/artifacts';
import { defaultTrainOptions, EpochStats } from '@newsroom/ml';
import { Champion, reportBackendInUse, SERVICE_CONFIG, ShutdownSignal } from '@newsroom/platform';
import { RunningWorkerTask, WorkerTaskAborted, runWorkerTask } from '@newsroom/platform/worker-task';
import { join } from 'node:path';
import { cpuUsage, memoryUsage } from 'node:process';
import { TrainingConfig } from '../config';
import { TrainingJob, TrainingParams, TrainingProgress, TrainingResult } from './training-job';

export type { TrainingParams } from './training-job';

export interface TrainingOutcome {
  /** The TensorFlow.js backend the run trained on. */
  backend: string;
  artifact: ArtifactRef;
  epochs: EpochStats[];
  /** The last epoch's validation metrics and loss. */
  metrics: Record<string, number>;
  wallSeconds: number;
  cpuSeconds: number;
  peakRssBytes: number;
}

/**
 * Runs training runs on a thread of their own (training.worker.js, built next to main.js; see
 * training-job.ts for what a run does), measuring its wall and CPU time and the process's peak
 * memory. A shutdown stops the run in flight (ShutdownSignal): its run is queued again.
 */
@Injectable()
export class Trainer {
  private readonly logger = new Logger(Trainer.name);
  private running?: RunningWorkerTask<TrainingResult>;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: TrainingConfig,
    private readonly shutdown: ShutdownSignal,
  ) {
    // A shutdown must not wait minutes for a run: it stops, and the run worker queues it again.
    shutdown.signal.addEventListener('abort', () => void this.running?.abort());
  }

  params(): TrainingParams {
    return {
      ...defaultTrainOptions,
      epochs: this.config.TRAINING_EPOCHS,
      batchSize: this.config.TRAINING_BATCH_SIZE,
      learningRate: this.config.TRAINING_LEARNING_RATE,
      seed: this.config.TRAINING_SEED,
    };
  }

  async train(
    datasetId: string,
    params: TrainingParams,
    parent: Champion | undefined,
    on: { backend: (name: string) => Promise<void>; epoch: (stats: EpochStats) => Promise<void> },
  ): Promise<TrainingOutcome> {
    if (this.shutdown.signal.aborted) throw new WorkerTaskAborted('the service is shutting down');
    const started = performance.now();
    const cpuBefore = cpuUsage();
    let peakRssBytes = memoryUsage.rss();
    let backend = 'unknown';
    // The process's memory, the training thread's included.
    const sampler = setInterval(() => (peakRssBytes = Math.max(peakRssBytes, memoryUsage.rss())), 250);
    const job: TrainingJob = {
      artifactDir: this.config.ARTIFACT_STORE_DIR,
      backends: this.config.ML_BACKENDS,
      datasetId,
      params,
      parent: parent && { modelVersion: parent.modelVersion, artifact: parent.artifact },
    };
    const task = runWorkerTask<TrainingJob, TrainingProgress, TrainingResult>(
      join(__dirname, 'training.worker.js'),
      job,
      async (report) => {
        if (report.type === 'backend') {
          backend = report.choice.name;
          reportBackendInUse(report.choice);
          await on.backend(report.choice.name);
        } else if (report.type === 'epoch') {
          await on.epoch(report.stats);
        } else if (report.type === 'baseline') {
          this.logger.log(
            `attribution baseline: the mean of ${report.readers} readers and ${report.articles} articles of dataset ${datasetId.slice(0, 12)} in ${report.seconds.toFixed(2)} s`,
          );
        } else {
          this.logger.warn(report.message);
        }
      },
    );
    this.running = task;
    try {
      const result = await task.result;
      const cpu = cpuUsage(cpuBefore);
      return {
        ...result,
        backend,
        wallSeconds: (performance.now() - started) / 1000,
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
        peakRssBytes: Math.max(peakRssBytes, memoryUsage.rss()),
      };
    } finally {
      this.running = undefined;
      clearInterval(sampler);
    }
  }
}

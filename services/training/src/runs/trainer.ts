import { Inject, Injectable, Logger } from '@nestjs/common';
import { ArtifactRef, ArtifactStore } from '@newsroom/artifacts';
import {
  Champion,
  EpochStats,
  TrainOptions,
  defaultTrainOptions,
  evaluateOrders,
  finiteMetrics,
  heldOutSlice,
  loadModel,
  modelOrders,
  readDataset,
  saveModel,
  trainTwoTower,
} from '@newsroom/ml';
import { SERVICE_CONFIG } from '@newsroom/platform';
import { cpuUsage, memoryUsage } from 'node:process';
import { TrainingConfig } from '../config';

export type TrainingParams = Omit<TrainOptions, 'warmStart' | 'warmStartEncoder' | 'validate' | 'onEpoch'>;

export interface TrainingOutcome {
  artifact: ArtifactRef;
  epochs: EpochStats[];
  /** The last epoch's validation metrics and loss. */
  metrics: Record<string, number>;
  wallSeconds: number;
  cpuSeconds: number;
  peakRssBytes: number;
}

/**
 * One training run: the dataset from the artifact store (verified), a warm start from the
 * champion's weights when it has any of the same shape, validation metrics on the dataset's
 * held-out slice after every epoch, and the model written to the artifact store.
 */
@Injectable()
export class Trainer {
  private readonly logger = new Logger(Trainer.name);

  constructor(
    private readonly artifacts: ArtifactStore,
    @Inject(SERVICE_CONFIG) private readonly config: TrainingConfig,
  ) {}

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
    onEpoch: (stats: EpochStats) => Promise<void>,
  ): Promise<TrainingOutcome> {
    const started = performance.now();
    const cpuBefore = cpuUsage();
    let peakRssBytes = memoryUsage.rss();
    // Training awaits every step, so the sampler runs throughout.
    const sampler = setInterval(() => (peakRssBytes = Math.max(peakRssBytes, memoryUsage.rss())), 250);
    try {
      const set = await readDataset(this.artifacts, datasetId);
      if (!set.examples.validation.includes(0)) {
        throw new Error(`dataset ${datasetId} has no training examples`);
      }
      const heldOut = heldOutSlice(set);
      let warmStart;
      let warmStartEncoder;
      if (parent) {
        try {
          const champion = await loadModel(this.artifacts, parent.artifact);
          warmStart = await champion.model.weightValues();
          warmStartEncoder = champion.encoder.config;
          champion.model.dispose();
        } catch (error) {
          // An unreadable champion must not stop training: this run starts cold.
          this.logger.warn(`no warm start from ${parent.modelVersion}: ${(error as Error).message}`);
        }
      }
      const { model, encoder, epochs } = await trainTwoTower(set, {
        ...params,
        warmStart,
        warmStartEncoder,
        validate: (candidate, candidateEncoder) => {
          const { overall } = evaluateOrders(heldOut, modelOrders(candidate, candidateEncoder, heldOut));
          return {
            ndcgAt10: overall.ndcgAt10,
            recallAt10: overall.recallAt10,
            mrr: overall.mrr,
            auc: overall.auc,
          };
        },
        onEpoch,
      });
      try {
        const artifact = await saveModel(this.artifacts, model, encoder);
        const last = epochs[epochs.length - 1];
        const cpu = cpuUsage(cpuBefore);
        return {
          artifact,
          epochs,
          // Without a held-out slice (no validation reads among impressions) there is no metric to give.
          metrics: finiteMetrics({ loss: last.loss, ...last.validation }),
          wallSeconds: (performance.now() - started) / 1000,
          cpuSeconds: (cpu.user + cpu.system) / 1e6,
          peakRssBytes: Math.max(peakRssBytes, memoryUsage.rss()),
        };
      } finally {
        model.dispose();
      }
    } finally {
      clearInterval(sampler);
    }
  }
}

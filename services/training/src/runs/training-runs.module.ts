import { Module } from '@nestjs/common';
import { ApiKeyGuard, apiKeysProvider, ChampionStore } from '@newsroom/platform';
import { TrainingConfig } from '../config';
import { TrainingTriggersConsumer } from '../triggers/training-triggers.consumer';
import { TrainingSchedule } from '../triggers/training-schedule';
import { RunWorker } from './run-worker';
import { Trainer } from './trainer';
import { TrainingRunsController } from './training-runs.controller';
import { TrainingRunsService } from './training-runs.service';

/** Training runs: their triggers, the queue and its worker, and the experiment record. */
@Module({
  controllers: [TrainingRunsController, TrainingTriggersConsumer],
  providers: [
    apiKeysProvider((config: TrainingConfig) => ({
      producer: [],
      admin: config.TRAINING_ADMIN_API_KEYS,
      ratePerSecond: config.TRAINING_RATE_LIMIT_PER_SECOND,
    })),
    ChampionStore,
    ApiKeyGuard,
    Trainer,
    TrainingRunsService,
    RunWorker,
    TrainingSchedule,
  ],
})
export class TrainingRunsModule {}

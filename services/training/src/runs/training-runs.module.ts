import { Module } from '@nestjs/common';
import { ArtifactStore } from '@newsroom/artifacts';
import { ChampionStore, mlBackendProvider } from '@newsroom/ml';
import { API_KEYS, ApiKeyGuard, ApiKeysOptions, SERVICE_CONFIG } from '@newsroom/platform';
import { DataSource } from 'typeorm';
import { TrainingConfig } from '../config';
import { TrainingTriggersConsumer } from '../triggers/training-triggers.consumer';
import { TrainingSchedule } from '../triggers/training-schedule';
import { RunWorker } from './run-worker';
import { ARTIFACT_STORE, Trainer } from './trainer';
import { TrainingRunsController } from './training-runs.controller';
import { TrainingRunsService } from './training-runs.service';

/** Training runs: their triggers, the queue and its worker, and the experiment record. */
@Module({
  controllers: [TrainingRunsController, TrainingTriggersConsumer],
  providers: [
    {
      provide: API_KEYS,
      inject: [SERVICE_CONFIG],
      useFactory: (config: TrainingConfig): ApiKeysOptions => ({
        producer: [],
        admin: config.TRAINING_ADMIN_API_KEYS,
        ratePerSecond: config.TRAINING_RATE_LIMIT_PER_SECOND,
      }),
    },
    {
      provide: ARTIFACT_STORE,
      inject: [SERVICE_CONFIG],
      useFactory: (config: TrainingConfig) => ArtifactStore.fromEnv(config),
    },
    {
      provide: ChampionStore,
      inject: [DataSource],
      useFactory: (dataSource: DataSource) => new ChampionStore(dataSource),
    },
    mlBackendProvider,
    ApiKeyGuard,
    Trainer,
    TrainingRunsService,
    RunWorker,
    TrainingSchedule,
  ],
})
export class TrainingRunsModule {}

import { Module } from '@nestjs/common';
import { ArtifactStore } from '@newsroom/artifacts';
import { ChampionStore, mlBackendProvider } from '@newsroom/ml';
import { SERVICE_CONFIG } from '@newsroom/platform';
import { DataSource } from 'typeorm';
import { EvaluationConfig } from '../config';
import { EvaluationsConsumer } from './evaluations.consumer';
import { EvaluationsController } from './evaluations.controller';
import { EvaluationsService } from './evaluations.service';
import { ARTIFACT_STORE, Evaluator } from './evaluator';

/** Candidate evaluation against the champion and the baselines, and the promotion gate. */
@Module({
  controllers: [EvaluationsController, EvaluationsConsumer],
  providers: [
    {
      provide: ARTIFACT_STORE,
      inject: [SERVICE_CONFIG],
      useFactory: (config: EvaluationConfig) => ArtifactStore.fromEnv(config),
    },
    {
      provide: ChampionStore,
      inject: [DataSource],
      useFactory: (dataSource: DataSource) => new ChampionStore(dataSource),
    },
    mlBackendProvider,
    Evaluator,
    EvaluationsService,
  ],
})
export class EvaluationsModule {}

import { DynamicModule, Module } from '@nestjs/common';
import { BatchScoringConfig } from './config';
import { FeatureStateModule } from './feature-state/feature-state.module';
import { ScoringModule } from './scoring/scoring.module';
import { ReaderDataModule } from './reader-data/reader-data.module';

/** Scores every reader against the fresh articles with the champion and keeps their lists current. */
@Module({})
export class AppModule {
  static register(_config: BatchScoringConfig): DynamicModule {
    return { module: AppModule, imports: [FeatureStateModule, ScoringModule, ReaderDataModule] };
  }
}

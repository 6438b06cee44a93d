import { DynamicModule, Module } from '@nestjs/common';
import { TrainingConfig } from './config';
import { TrainingRunsModule } from './runs/training-runs.module';

/** Trains the two-tower model on datasets from the feature store, tracked as experiments. */
@Module({})
export class AppModule {
  static register(_config: TrainingConfig): DynamicModule {
    return { module: AppModule, imports: [TrainingRunsModule] };
  }
}

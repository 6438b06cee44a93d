import { DynamicModule, Module } from '@nestjs/common';
import { BatchScoringConfig } from './config';

/** The batch-scoring domain; its feature modules arrive with the Serving issue. */
@Module({})
export class AppModule {
  static register(_config: BatchScoringConfig): DynamicModule {
    return { module: AppModule, imports: [] };
  }
}

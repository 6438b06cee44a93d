import { DynamicModule, Module } from '@nestjs/common';
import { TrainingConfig } from './config';

/** The training domain; its feature modules arrive with the Model life cycle issue. */
@Module({})
export class AppModule {
  static register(_config: TrainingConfig): DynamicModule {
    return { module: AppModule, imports: [] };
  }
}

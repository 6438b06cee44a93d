import { DynamicModule, Module } from '@nestjs/common';
import { EvaluationConfig } from './config';

/** The evaluation domain; its feature modules arrive with the Model life cycle issue. */
@Module({})
export class AppModule {
  static register(_config: EvaluationConfig): DynamicModule {
    return { module: AppModule, imports: [] };
  }
}

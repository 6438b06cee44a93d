import { DynamicModule, Module } from '@nestjs/common';
import { EvaluationConfig } from './config';
import { EvaluationsModule } from './evaluations/evaluations.module';

/** Evaluates candidate models against the champion and the baselines, and gates promotion. */
@Module({})
export class AppModule {
  static register(_config: EvaluationConfig): DynamicModule {
    return { module: AppModule, imports: [EvaluationsModule] };
  }
}

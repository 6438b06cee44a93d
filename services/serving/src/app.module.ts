import { DynamicModule, Module } from '@nestjs/common';
import { ServingConfig } from './config';
import { ReaderDataModule } from './reader-data/reader-data.module';
import { RecommendationsModule } from './recommendations/recommendations.module';

/** Serves readers their top articles from precomputed lists. */
@Module({})
export class AppModule {
  static register(_config: ServingConfig): DynamicModule {
    return { module: AppModule, imports: [RecommendationsModule, ReaderDataModule] };
  }
}

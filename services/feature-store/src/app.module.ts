import { DynamicModule, Module } from '@nestjs/common';
import { FeatureStoreConfig } from './config';

/** The feature-store domain; its feature modules arrive with the Feature store issue. */
@Module({})
export class AppModule {
  static register(_config: FeatureStoreConfig): DynamicModule {
    return { module: AppModule, imports: [] };
  }
}

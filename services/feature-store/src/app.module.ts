import { DynamicModule, Module } from '@nestjs/common';
import { FeatureStoreConfig } from './config';
import { DatasetsModule } from './datasets/datasets.module';
import { OnlineFeaturesModule } from './online/online-features.module';
import { ReaderDataModule } from './reader-data/reader-data.module';

/** Online features from the `*.ingested` topics, the offline feature history, and dataset snapshots. */
@Module({})
export class AppModule {
  static register(_config: FeatureStoreConfig): DynamicModule {
    return { module: AppModule, imports: [OnlineFeaturesModule, DatasetsModule, ReaderDataModule] };
  }
}

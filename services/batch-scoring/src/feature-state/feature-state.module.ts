import { Module } from '@nestjs/common';
import { ReaderDataModule } from '../reader-data/reader-data.module';
import { FeatureStateConsumer } from './feature-state.consumer';
import { FeatureStateService } from './feature-state.service';

/** Readers and articles as the feature store describes them: what scoring reads. */
@Module({
  imports: [ReaderDataModule],
  controllers: [FeatureStateConsumer],
  providers: [FeatureStateService],
  exports: [FeatureStateService],
})
export class FeatureStateModule {}

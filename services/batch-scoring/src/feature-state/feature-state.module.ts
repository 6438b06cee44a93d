import { Module } from '@nestjs/common';
import { FeatureStateConsumer } from './feature-state.consumer';
import { FeatureStateService } from './feature-state.service';

/** Readers and articles as the feature store describes them: what scoring reads. */
@Module({
  controllers: [FeatureStateConsumer],
  providers: [FeatureStateService],
  exports: [FeatureStateService],
})
export class FeatureStateModule {}

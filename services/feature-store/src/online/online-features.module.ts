import { Module } from '@nestjs/common';
import { FeatureStoreApiKeysModule } from '../feature-store-api-keys.module';
import { ArticleFeaturesService } from './article-features.service';
import { FeatureMetrics } from './feature-metrics';
import { FeaturePublisher } from './feature-publisher';
import { FeaturesConsumer } from './features.consumer';
import { FeaturesController } from './features.controller';
import { IngestProgress } from './ingest-progress';
import { InteractionFeaturesService } from './interaction-features.service';
import { StaleWindowsJob } from './stale-windows.job';
import { TakedownConfirmations } from './takedown-confirmations';
import { WindowRefreshJob } from './window-refresh.job';

/** Online features: kept current from the `*.ingested` topics, served over HTTP and on the compacted topics. */
@Module({
  imports: [FeatureStoreApiKeysModule],
  controllers: [FeaturesController, FeaturesConsumer],
  providers: [
    ArticleFeaturesService,
    InteractionFeaturesService,
    FeatureMetrics,
    FeaturePublisher,
    WindowRefreshJob,
    StaleWindowsJob,
    IngestProgress,
    TakedownConfirmations,
  ],
  exports: [IngestProgress],
})
export class OnlineFeaturesModule {}

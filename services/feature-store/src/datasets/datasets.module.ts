import { Module } from '@nestjs/common';
import { ApiKeyGuard, apiKeysProvider, artifactStoreProvider } from '@newsroom/platform';
import { FeatureStoreConfig } from '../config';
import { OnlineFeaturesModule } from '../online/online-features.module';
import { DatasetsController } from './datasets.controller';
import { DatasetsService } from './datasets.service';
import { SnapshotRequestsConsumer } from './snapshot-requests.consumer';
import { SnapshotRequestsJob } from './snapshot-requests.job';
import { SnapshotTriggers } from './snapshot-triggers';

/** Versioned training datasets: snapshots on request, push policy and schedule, with the quality gate and lineage. */
@Module({
  imports: [OnlineFeaturesModule],
  controllers: [DatasetsController, SnapshotRequestsConsumer],
  providers: [
    apiKeysProvider((config: FeatureStoreConfig) => ({
      producer: [],
      admin: config.FEATURES_ADMIN_API_KEYS,
      ratePerSecond: config.FEATURES_RATE_LIMIT_PER_SECOND,
    })),
    artifactStoreProvider,
    ApiKeyGuard,
    DatasetsService,
    SnapshotTriggers,
    SnapshotRequestsJob,
  ],
})
export class DatasetsModule {}

import { Module } from '@nestjs/common';
import { artifactStoreProvider } from '@newsroom/platform';
import { FeatureStoreApiKeysModule } from '../feature-store-api-keys.module';
import { OnlineFeaturesModule } from '../online/online-features.module';
import { DatasetsController } from './datasets.controller';
import { DatasetsService } from './datasets.service';
import { SnapshotRequestsConsumer } from './snapshot-requests.consumer';
import { SnapshotRequestsJob } from './snapshot-requests.job';
import { SnapshotTriggers } from './snapshot-triggers';

/** Versioned training datasets: snapshots on request, push policy and schedule, with the quality gate and lineage. */
@Module({
  imports: [OnlineFeaturesModule, FeatureStoreApiKeysModule],
  controllers: [DatasetsController, SnapshotRequestsConsumer],
  providers: [artifactStoreProvider, DatasetsService, SnapshotTriggers, SnapshotRequestsJob],
})
export class DatasetsModule {}

import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ArticleDirectory } from './article-directory';
import { BrokerAdmin } from './broker-admin';
import { ConsumedOffsets } from './consumed-offsets';
import { HourlyCounts } from './hourly-counts';
import { ObservationRetentionJob } from './observation-retention.job';
import { ObservationStore } from './observation-store';
import { ObservationsConsumer } from './observations.consumer';
import { ServedLists } from './served-lists';
import { StreamWatermarks } from './stream-watermarks';

/**
 * What producers send and serving serves, folded exactly once per record into hourly counters and
 * served lists with the reads that followed them, and read back by window.
 */
@Module({
  imports: [AuditModule],
  controllers: [ObservationsConsumer],
  providers: [
    ArticleDirectory,
    ConsumedOffsets,
    ObservationStore,
    HourlyCounts,
    ServedLists,
    BrokerAdmin,
    StreamWatermarks,
    ObservationRetentionJob,
  ],
  exports: [HourlyCounts, StreamWatermarks, BrokerAdmin],
})
export class ObservationsModule {}

import { Module } from '@nestjs/common';
import { ArticleDirectory } from './article-directory';
import { ConsumedOffsets } from './consumed-offsets';
import { HourlyCounts } from './hourly-counts';
import { ObservationStore } from './observation-store';
import { ObservationsConsumer } from './observations.consumer';

/** What producers send, folded into hourly counters (exactly once per record) and read back by window. */
@Module({
  controllers: [ObservationsConsumer],
  providers: [ArticleDirectory, ConsumedOffsets, ObservationStore, HourlyCounts],
  exports: [HourlyCounts],
})
export class ObservationsModule {}

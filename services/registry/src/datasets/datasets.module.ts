import { Module } from '@nestjs/common';
import { DatasetsConsumer } from './datasets.consumer';
import { DatasetsService } from './datasets.service';

/** The manifests of training datasets, from `dataset.snapshotted`. */
@Module({
  controllers: [DatasetsConsumer],
  providers: [DatasetsService],
  exports: [DatasetsService],
})
export class DatasetsModule {}

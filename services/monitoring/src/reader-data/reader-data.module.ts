import { Module } from '@nestjs/common';
import { ReaderDataResponder, artifactStoreProvider } from '@newsroom/platform';
import { MonitoringApiKeysModule } from '../audit/monitoring-api-keys.module';
import { VitalsModule } from '../vitals/vitals.module';
import { MonitoringReaderData } from './monitoring-reader-data';
import { ReaderDataRequestsService } from './reader-data-requests.service';
import { ReaderDataConsumer } from './reader-data.consumer';
import { ReaderDataController } from './reader-data.controller';
import { ReaderExportService } from './reader-export.service';

@Module({
  imports: [MonitoringApiKeysModule, VitalsModule],
  controllers: [ReaderDataController, ReaderDataConsumer],
  providers: [
    artifactStoreProvider,
    ReaderDataResponder,
    ReaderDataRequestsService,
    ReaderExportService,
    MonitoringReaderData,
  ],
})
export class ReaderDataModule {}

import { Module } from '@nestjs/common';
import { ReaderDataResponder, artifactStoreProvider } from '@newsroom/platform';
import { ReaderDataConsumer } from './reader-data.consumer';
import { WarehouseReaderData } from './warehouse-reader-data';

@Module({
  controllers: [ReaderDataConsumer],
  providers: [ReaderDataResponder, artifactStoreProvider, WarehouseReaderData],
})
export class ReaderDataModule {}

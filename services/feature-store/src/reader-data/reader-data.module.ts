import { Module } from '@nestjs/common';
import { ReaderDataResponder, artifactStoreProvider } from '@newsroom/platform';
import { FeatureStoreReaderData } from './feature-store-reader-data';
import { ReaderDataConsumer } from './reader-data.consumer';

@Module({
  controllers: [ReaderDataConsumer],
  providers: [ReaderDataResponder, artifactStoreProvider, FeatureStoreReaderData],
})
export class ReaderDataModule {}

import { Module } from '@nestjs/common';
import { ReaderDataResponder, artifactStoreProvider } from '@newsroom/platform';
import { ReaderDataConsumer } from './reader-data.consumer';
import { ScoringReaderData } from './scoring-reader-data';

@Module({
  controllers: [ReaderDataConsumer],
  providers: [ReaderDataResponder, artifactStoreProvider, ScoringReaderData],
  exports: [ScoringReaderData],
})
export class ReaderDataModule {}

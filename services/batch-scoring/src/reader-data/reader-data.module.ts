import { Module } from '@nestjs/common';
import { ReaderDataResponder, artifactStoreProvider } from '@newsroom/platform';
import { ReaderVectorsModule } from '../scoring/reader-vectors.module';
import { ReaderDataConsumer } from './reader-data.consumer';
import { ScoringReaderData } from './scoring-reader-data';

@Module({
  imports: [ReaderVectorsModule],
  controllers: [ReaderDataConsumer],
  providers: [ReaderDataResponder, artifactStoreProvider, ScoringReaderData],
  exports: [ScoringReaderData],
})
export class ReaderDataModule {}

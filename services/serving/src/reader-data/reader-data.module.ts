import { Module } from '@nestjs/common';
import { ReaderDataResponder, artifactStoreProvider } from '@newsroom/platform';
import { RecommendationsModule } from '../recommendations/recommendations.module';
import { ReaderDataConsumer } from './reader-data.consumer';
import { ServingReaderData } from './serving-reader-data';

@Module({
  imports: [RecommendationsModule],
  controllers: [ReaderDataConsumer],
  providers: [ReaderDataResponder, artifactStoreProvider, ServingReaderData],
})
export class ReaderDataModule {}

import { DynamicModule, Module } from '@nestjs/common';
import { ArticlesModule } from './articles/articles.module';
import { IngestionConfig } from './config';
import { InteractionsModule } from './interactions/interactions.module';
import { ReaderDataModule } from './reader-data/reader-data.module';

/** The data warehouse: articles and interactions from Kafka and HTTP, and moderation. */
@Module({})
export class AppModule {
  static register(_config: IngestionConfig): DynamicModule {
    return { module: AppModule, imports: [ArticlesModule, InteractionsModule, ReaderDataModule] };
  }
}

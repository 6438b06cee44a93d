import { DynamicModule, Module } from '@nestjs/common';
import { IngestionConfig } from './config';

/** The ingestion domain; its feature modules arrive with the Ingestion issue. */
@Module({})
export class AppModule {
  static register(_config: IngestionConfig): DynamicModule {
    return { module: AppModule, imports: [] };
  }
}

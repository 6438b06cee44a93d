import { DynamicModule, Module } from '@nestjs/common';
import { CardsModule } from './cards/cards.module';
import { RegistryConfig } from './config';
import { DatasetsModule } from './datasets/datasets.module';
import { ModelsModule } from './models/models.module';

/** The model registry: versions, stages, lineage, promotion and rollback, and model cards. */
@Module({})
export class AppModule {
  static register(_config: RegistryConfig): DynamicModule {
    return { module: AppModule, imports: [ModelsModule, DatasetsModule, CardsModule] };
  }
}

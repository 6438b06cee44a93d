import { DynamicModule, Module } from '@nestjs/common';
import { RegistryConfig } from './config';
import { DatasetsModule } from './datasets/datasets.module';
import { ModelsModule } from './models/models.module';

/** The model registry: versions, stages, lineage, promotion and rollback, and the datasets models are trained on. */
@Module({})
export class AppModule {
  static register(_config: RegistryConfig): DynamicModule {
    return { module: AppModule, imports: [ModelsModule, DatasetsModule] };
  }
}

import { DynamicModule, Module } from '@nestjs/common';
import { RegistryConfig } from './config';
import { ModelsModule } from './models/models.module';

/** The model registry: versions, stages, lineage, promotion and rollback. */
@Module({})
export class AppModule {
  static register(_config: RegistryConfig): DynamicModule {
    return { module: AppModule, imports: [ModelsModule] };
  }
}

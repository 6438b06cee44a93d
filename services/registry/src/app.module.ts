import { DynamicModule, Module } from '@nestjs/common';
import { RegistryConfig } from './config';

/** The registry domain; its feature modules arrive with the Model life cycle issue. */
@Module({})
export class AppModule {
  static register(_config: RegistryConfig): DynamicModule {
    return { module: AppModule, imports: [] };
  }
}

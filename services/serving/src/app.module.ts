import { DynamicModule, Module } from '@nestjs/common';
import { ServingConfig } from './config';

/** The serving domain; its feature modules arrive with the Serving issue. */
@Module({})
export class AppModule {
  static register(_config: ServingConfig): DynamicModule {
    return { module: AppModule, imports: [] };
  }
}

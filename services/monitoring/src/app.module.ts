import { DynamicModule, Module } from '@nestjs/common';
import { MonitoringConfig } from './config';

/** The monitoring domain; its feature modules arrive with the Monitoring issue. */
@Module({})
export class AppModule {
  static register(_config: MonitoringConfig): DynamicModule {
    return { module: AppModule, imports: [] };
  }
}

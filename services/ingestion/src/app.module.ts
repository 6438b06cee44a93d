import { DynamicModule, Module } from '@nestjs/common';
import { PlatformModule } from '@newsroom/platform';
import { IngestionConfig } from './config';
import { migrations } from './migrations';

@Module({})
export class AppModule {
  static register(config: IngestionConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot({ service: 'ingestion', schema: 'warehouse', config, migrations })],
    };
  }
}

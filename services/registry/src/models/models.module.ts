import { Module } from '@nestjs/common';
import { ApiKeyGuard, apiKeysProvider, artifactStoreProvider } from '@newsroom/platform';
import { RegistryConfig } from '../config';
import { ModelsConsumer } from './models.consumer';
import { ModelsController } from './models.controller';
import { ModelsService } from './models.service';

/** Model versions, their stages and lineage; promotion by evaluation or by hand, and rollback. */
@Module({
  controllers: [ModelsController, ModelsConsumer],
  providers: [
    apiKeysProvider((config: RegistryConfig) => ({
      producer: [],
      admin: config.REGISTRY_ADMIN_API_KEYS,
      ratePerSecond: config.REGISTRY_RATE_LIMIT_PER_SECOND,
    })),
    artifactStoreProvider,
    ApiKeyGuard,
    ModelsService,
  ],
  exports: [ModelsService],
})
export class ModelsModule {}

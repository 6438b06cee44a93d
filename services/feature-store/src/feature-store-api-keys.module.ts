import { Module } from '@nestjs/common';
import { API_KEYS, ApiKeyGuard, apiKeysProvider } from '@newsroom/platform';
import { FeatureStoreConfig } from './config';

/**
 * The feature store's keys: administrators (snapshots, and everything else) and readers of a
 * reader's features, which are personal data and so never open. Import it to guard a controller.
 */
@Module({
  providers: [
    apiKeysProvider((config: FeatureStoreConfig) => ({
      producer: [],
      admin: config.FEATURES_ADMIN_API_KEYS,
      reader: config.FEATURES_READER_API_KEYS,
      ratePerSecond: config.FEATURES_RATE_LIMIT_PER_SECOND,
    })),
    ApiKeyGuard,
  ],
  exports: [API_KEYS, ApiKeyGuard],
})
export class FeatureStoreApiKeysModule {}

import { Module } from '@nestjs/common';
import { API_KEYS, ApiKeyGuard, apiKeysProvider } from '@newsroom/platform';
import { ServingConfig } from './config';

/** Serving's keys: readers' (explained and closed lists), editors' (pins), administrators'; one rate limit per key. */
@Module({
  providers: [
    apiKeysProvider((config: ServingConfig) => ({
      producer: [],
      admin: config.SERVING_ADMIN_API_KEYS,
      moderator: config.SERVING_MODERATOR_API_KEYS,
      reader: config.SERVING_API_KEYS,
      ratePerSecond: config.SERVING_API_KEY_RATE,
    })),
    ApiKeyGuard,
  ],
  // The keys too: a controller's @UseGuards(ApiKeyGuard) is built in its own module.
  exports: [API_KEYS, ApiKeyGuard],
})
export class ApiKeysModule {}

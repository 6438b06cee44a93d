import { Module } from '@nestjs/common';
import { API_KEYS, ApiKeyGuard, apiKeysProvider } from '@newsroom/platform';
import { IngestionConfig } from './config';
import { FieldWarnings } from './quality/field-warnings';
import { IngestionMetrics } from './quality/ingestion-metrics';
import { RejectionsService } from './rejections/rejections.service';

/** What the article and interaction features share: authentication, quality counters, field warnings, rejections. */
@Module({
  providers: [
    apiKeysProvider((config: IngestionConfig) => ({
      producer: config.INGESTION_API_KEYS,
      moderator: config.INGESTION_MODERATOR_API_KEYS,
      admin: config.INGESTION_ADMIN_API_KEYS,
      ratePerSecond: config.INGESTION_RATE_LIMIT_PER_SECOND,
    })),
    ApiKeyGuard,
    IngestionMetrics,
    FieldWarnings,
    RejectionsService,
  ],
  exports: [API_KEYS, ApiKeyGuard, IngestionMetrics, FieldWarnings, RejectionsService],
})
export class SharedModule {}

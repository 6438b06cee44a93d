import { Module } from '@nestjs/common';
import { ApiKeyGuard } from './auth/api-key.guard';
import { IngestionMetrics } from './quality/ingestion-metrics';
import { RejectionsService } from './rejections/rejections.service';

/** What the article and interaction features share: authentication, quality counters, rejections. */
@Module({
  providers: [ApiKeyGuard, IngestionMetrics, RejectionsService],
  exports: [ApiKeyGuard, IngestionMetrics, RejectionsService],
})
export class SharedModule {}

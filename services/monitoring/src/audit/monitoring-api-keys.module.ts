import { Module } from '@nestjs/common';
import { API_KEYS, ApiKeyGuard, apiKeysProvider } from '@newsroom/platform';
import { MonitoringConfig } from '../config';

/**
 * Monitoring's API keys for the routes that show personal data: auditors (the "why shown" trail,
 * takedown receipts) and administrators (also readers' data on request). Import it to guard a
 * controller with ApiKeyGuard.
 */
@Module({
  providers: [
    apiKeysProvider((config: MonitoringConfig) => ({
      producer: [],
      admin: config.MONITORING_ADMIN_API_KEYS,
      auditor: config.MONITORING_AUDITOR_API_KEYS,
      ratePerSecond: config.MONITORING_API_KEY_RATE,
    })),
    ApiKeyGuard,
  ],
  exports: [API_KEYS, ApiKeyGuard],
})
export class MonitoringApiKeysModule {}

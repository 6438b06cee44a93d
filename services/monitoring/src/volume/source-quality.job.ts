import { Inject, Injectable } from '@nestjs/common';
import { PeriodicJob, SERVICE_CONFIG } from '@newsroom/platform';
import { AlertsService } from '../alerts/alerts.service';
import { MonitoringConfig } from '../config';
import { metrics } from '../drift/drift-features';
import { HOUR_MS, RAW_ARTICLES, RAW_INTERACTIONS, floorHour } from '../observations/observation-fold';
import { HourlyCounts } from '../observations/hourly-counts';

/** Fewer records than this in the window say nothing about a producer's quality. */
const MIN_RECORDS = 100;

/**
 * The share of each raw topic's records that ingestion rejected over the last 24 hours of arrival
 * (wall clock): above MONITORING_MAX_REJECTED_SHARE, a `data-quality` alert naming the producer's
 * topic, resolved once the share is back under it.
 */
@Injectable()
export class RejectedShareJob extends PeriodicJob {
  constructor(
    private readonly counts: HourlyCounts,
    private readonly alerts: AlertsService,
    @Inject(SERVICE_CONFIG) private readonly config: MonitoringConfig,
  ) {
    super('RejectedShareJob', config.MONITORING_CHECK_INTERVAL_MS);
  }

  protected async runOnce(): Promise<void> {
    const to = floorHour(Date.now()) + HOUR_MS;
    const window = { from: new Date(to - 24 * HOUR_MS), to: new Date(to) };
    const [arrived, rejected] = [
      await this.counts.byKey(metrics.arrived, window),
      await this.counts.byKey(metrics.rejected, window),
    ];
    const max = this.config.MONITORING_MAX_REJECTED_SHARE;
    for (const topic of [RAW_INTERACTIONS, RAW_ARTICLES]) {
      const bad = rejected.get(topic) ?? 0;
      const total = bad + (arrived.get(topic) ?? 0);
      const share = total > 0 ? bad / total : 0;
      const dedupKey = `rejected:${topic}`;
      if (total < MIN_RECORDS || share <= max) {
        await this.alerts.clear(dedupKey);
        continue;
      }
      await this.alerts.raise({
        dedupKey,
        type: 'data-quality',
        severity: 'warning',
        subject: topic,
        message:
          `${(share * 100).toFixed(1)}% of the records on ${topic} were rejected in the last 24 h ` +
          `(${bad} of ${total}; more than ${max * 100}%): see ingestion.rejected for the reasons`,
        details: { topic, rejected: bad, total, share, maxShare: max },
      });
    }
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { PeriodicJob, SERVICE_CONFIG } from '@newsroom/platform';
import { AlertCondition } from '../alerts/alert';
import { AlertsService } from '../alerts/alerts.service';
import { MonitoringConfig } from '../config';
import { metrics } from '../drift/drift-features';
import { HOUR_MS, RAW_ARTICLES, RAW_INTERACTIONS, floorHour } from '../observations/observation-fold';
import { HourlyCounts } from '../observations/hourly-counts';

/** Fewer records than this in the window say nothing about a producer's quality. */
const MIN_RECORDS = 100;
/** Fields named in a warning alert, most frequent first. */
const TOP_FIELDS = 5;

/**
 * Each producer's record quality over the last 24 hours of arrival (wall clock), per raw topic:
 * the share ingestion rejected (above MONITORING_MAX_REJECTED_SHARE, a `data-quality` warning) and
 * the share it stored with field warnings — an attribute dropped, an unknown field, a region
 * outside the configuration (above MONITORING_MAX_FIELD_WARNING_SHARE, a `data-quality` info
 * naming the fields: the records are kept, but someone should look). Each resolves once its share
 * is back under the limit.
 */
@Injectable()
export class SourceQualityJob extends PeriodicJob {
  constructor(
    private readonly counts: HourlyCounts,
    private readonly alerts: AlertsService,
    @Inject(SERVICE_CONFIG) private readonly config: MonitoringConfig,
  ) {
    super('SourceQualityJob', config.MONITORING_CHECK_INTERVAL_MS);
  }

  protected async runOnce(): Promise<void> {
    const to = floorHour(Date.now()) + HOUR_MS;
    const window = { from: new Date(to - 24 * HOUR_MS), to: new Date(to) };
    const [arrived, rejected, warned, fields] = [
      await this.counts.byKey(metrics.arrived, window),
      await this.counts.byKey(metrics.rejected, window),
      await this.counts.byKey(metrics.warned, window),
      await this.counts.byKey(metrics.fieldWarnings, window),
    ];
    for (const topic of [RAW_INTERACTIONS, RAW_ARTICLES]) {
      const stored = arrived.get(topic) ?? 0;
      const bad = rejected.get(topic) ?? 0;
      const total = bad + stored;
      const maxRejected = this.config.MONITORING_MAX_REJECTED_SHARE;
      await this.judge(`rejected:${topic}`, total, bad / Math.max(total, 1), maxRejected, (share) => ({
        severity: 'warning',
        subject: topic,
        message:
          `${percent(share)} of the records on ${topic} were rejected in the last 24 h ` +
          `(${bad} of ${total}; more than ${percent(maxRejected)}): see ingestion.rejected for the reasons`,
        details: { topic, rejected: bad, total, share, maxShare: maxRejected },
      }));
      const withWarnings = warned.get(topic) ?? 0;
      const maxWarned = this.config.MONITORING_MAX_FIELD_WARNING_SHARE;
      await this.judge(
        `field-warnings:${topic}`,
        stored,
        withWarnings / Math.max(stored, 1),
        maxWarned,
        (share) => {
          const top = [...fields]
            .filter(([key]) => key.startsWith(`${topic} `))
            .map(([key, n]) => {
              const [, field, reason] = key.split(' ');
              return { field: field === '*' ? 'unknown fields' : field, reason, n };
            })
            .sort((a, b) => b.n - a.n)
            .slice(0, TOP_FIELDS);
          return {
            severity: 'info',
            subject: topic,
            message:
              `${percent(share)} of the records stored from ${topic} in the last 24 h were not taken entirely as sent ` +
              `(${withWarnings} of ${stored}; more than ${percent(maxWarned)}): ` +
              top.map((f) => `${f.field} ${f.reason} ×${f.n}`).join(', '),
            details: { topic, warned: withWarnings, stored, share, maxShare: maxWarned, fields: top },
          };
        },
      );
    }
  }

  private async judge(
    dedupKey: string,
    total: number,
    share: number,
    max: number,
    condition: (share: number) => Omit<AlertCondition, 'dedupKey' | 'type'>,
  ): Promise<void> {
    if (total < MIN_RECORDS || share <= max) await this.alerts.clear(dedupKey);
    else await this.alerts.raise({ dedupKey, type: 'data-quality', ...condition(share) });
  }
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

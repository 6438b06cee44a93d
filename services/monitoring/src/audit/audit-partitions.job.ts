import { Inject, Injectable, Logger } from '@nestjs/common';
import { gauge } from '@newsroom/observability';
import { PeriodicJob, SERVICE_CONFIG } from '@newsroom/platform';
import { MonitoringConfig } from '../config';
import { DAY_MS, dayOf, firstKeptDay } from './audit-days';
import { AuditPartitions } from './audit-partitions';

const trailDays = gauge(
  'monitoring_audit_trail_days',
  'Days the audit trail has partitions for (kept and ahead)',
);

/**
 * Keeps the audit trail's partitions: today's and MONITORING_AUDIT_PARTITIONS_AHEAD_DAYS more are
 * created ahead, so the consumer rarely waits on DDL, and the days past
 * MONITORING_AUDIT_RETENTION_DAYS are dropped whole (no row-by-row delete, no bloat). Runs at
 * start-up and every MONITORING_AUDIT_MAINTENANCE_INTERVAL_MS.
 */
@Injectable()
export class AuditPartitionsJob extends PeriodicJob {
  private readonly logger = new Logger(AuditPartitionsJob.name);

  constructor(
    private readonly partitions: AuditPartitions,
    @Inject(SERVICE_CONFIG) private readonly config: MonitoringConfig,
  ) {
    super('AuditPartitionsJob', config.MONITORING_AUDIT_MAINTENANCE_INTERVAL_MS);
  }

  /** Today's partitions exist before the first record arrives; a failure here is retried by the next run. */
  override async onApplicationBootstrap(): Promise<void> {
    await this.maintain(Date.now()).catch((error: Error) =>
      this.logger.warn(`audit partitions not maintained at start-up: ${error.message}`),
    );
    super.onApplicationBootstrap();
  }

  protected runOnce(): Promise<void> {
    return this.maintain(Date.now());
  }

  async maintain(now: number): Promise<void> {
    const today = dayOf(now);
    await this.partitions.ensure(
      Array.from(
        { length: this.config.MONITORING_AUDIT_PARTITIONS_AHEAD_DAYS + 1 },
        (_, k) => today + k * DAY_MS,
      ),
    );
    const dropped = await this.partitions.dropBefore(
      firstKeptDay(now, this.config.MONITORING_AUDIT_RETENTION_DAYS),
    );
    if (dropped.length > 0)
      this.logger.log(
        `dropped the audit trail of ${dropped.length} day(s) past retention, up to ${new Date(dropped[dropped.length - 1]).toISOString().slice(0, 10)}`,
      );
    trailDays.set((await this.partitions.days()).length);
  }
}

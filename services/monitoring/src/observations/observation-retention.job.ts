import { Inject, Injectable } from '@nestjs/common';
import { quotedSchema, tryAdvisoryXactLock } from '@newsroom/persistence';
import { PeriodicJob, SERVICE_CONFIG } from '@newsroom/platform';
import { DataSource } from 'typeorm';
import { MonitoringConfig } from '../config';
import { ArticleDirectory } from './article-directory';
import { DAY_MS, HOUR_MS } from './observation-fold';

/**
 * Keeps monitoring's state bounded, hourly: counters, reader-hours and articles older than
 * MONITORING_RETENTION_DAYS go (the article directory forgets them too), and served lists once
 * their horizon and quality window have passed, with a day to spare.
 */
@Injectable()
export class ObservationRetentionJob extends PeriodicJob {
  constructor(
    private readonly dataSource: DataSource,
    private readonly articles: ArticleDirectory,
    @Inject(SERVICE_CONFIG) private readonly config: MonitoringConfig,
  ) {
    super('ObservationRetentionJob', HOUR_MS);
  }

  protected runOnce(): Promise<void> {
    return this.prune(Date.now());
  }

  async prune(now: number): Promise<void> {
    const before = new Date(now - this.config.MONITORING_RETENTION_DAYS * DAY_MS);
    const listsBefore = new Date(
      now -
        (this.config.MONITORING_QUALITY_HORIZON_HOURS + this.config.MONITORING_QUALITY_WINDOW_HOURS) *
          HOUR_MS -
        DAY_MS,
    );
    const s = quotedSchema(this.dataSource);
    await this.dataSource.transaction(async (manager) => {
      if (!(await tryAdvisoryXactLock(manager, `monitoring-retention:${s}`))) return;
      await manager.query(`DELETE FROM ${s}.hourly_counts WHERE hour < $1`, [before]);
      await manager.query(`DELETE FROM ${s}.reader_hours WHERE hour < $1`, [before]);
      await manager.query(`DELETE FROM ${s}.articles WHERE published_at < $1`, [before]);
      await manager.query(`DELETE FROM ${s}.served_lists WHERE served_at < $1`, [listsBefore]);
    });
    this.articles.forget(before.getTime());
  }
}

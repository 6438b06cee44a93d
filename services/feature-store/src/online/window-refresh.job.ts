import { Inject, Injectable } from '@nestjs/common';
import { popularityWindows } from '@newsroom/contracts';
import { quotedSchema, schemaOf, tryAdvisoryXactLock } from '@newsroom/persistence';
import { PeriodicJob, SERVICE_CONFIG } from '@newsroom/platform';
import { DataSource } from 'typeorm';
import { FeatureStoreConfig } from '../config';
import { firstBucketOfWindow, windowMs } from '../feature-definitions/popularity-windows';
import { ArticleFeaturesService } from './article-features.service';

/**
 * Popularity windows slide with time even when no read arrives: this job recomputes the articles
 * that had a bucket leave one of their windows since its last run, and drops buckets older than
 * any window. One replica runs it at a time (advisory lock).
 */
@Injectable()
export class WindowRefreshJob extends PeriodicJob {
  private readonly lockName: string;
  private lastRunAt = Date.now() - windowMs['7d'];

  constructor(
    private readonly dataSource: DataSource,
    private readonly articles: ArticleFeaturesService,
    @Inject(SERVICE_CONFIG) config: FeatureStoreConfig,
  ) {
    super('WindowRefreshJob', config.FEATURES_WINDOW_REFRESH_MS);
    this.lockName = `window-refresh:${schemaOf(dataSource)}`;
  }

  protected async runOnce(): Promise<void> {
    await this.refresh(Date.now());
  }

  /** Moves windows on to `now`; returns how many articles' values changed. */
  async refresh(now: number): Promise<number> {
    const s = quotedSchema(this.dataSource);
    const changed = await this.dataSource.transaction(async (manager) => {
      if (!(await tryAdvisoryXactLock(manager, this.lockName))) return 0;
      const ranges = popularityWindows.flatMap((w) => [
        new Date(firstBucketOfWindow(this.lastRunAt, w)),
        new Date(firstBucketOfWindow(now, w)),
      ]);
      const leaving: { article_id: string }[] = await manager.query(
        `SELECT DISTINCT article_id FROM ${s}.article_activity
         WHERE (bucket >= $1 AND bucket < $2) OR (bucket >= $3 AND bucket < $4) OR (bucket >= $5 AND bucket < $6)`,
        ranges,
      );
      const count = await this.articles.refreshWindows(
        manager,
        leaving.map((r) => r.article_id),
        now,
      );
      await manager.query(`DELETE FROM ${s}.article_activity WHERE bucket < $1`, [
        new Date(firstBucketOfWindow(now, '7d')),
      ]);
      return count;
    });
    this.lastRunAt = now;
    return changed;
  }
}

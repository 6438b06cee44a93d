import { Inject, Injectable } from '@nestjs/common';
import { schemaOf, tryAdvisoryXactLock } from '@newsroom/persistence';
import { PeriodicJob, SERVICE_CONFIG } from '@newsroom/platform';
import { DataSource } from 'typeorm';
import { FeatureStoreConfig } from '../config';
import { ArticleFeaturesService } from './article-features.service';

/** Articles summed per transaction. */
const BATCH = 2_000;

/**
 * Sums the popularity windows of the articles read since their last sum (marked stale by the
 * consumer), every FEATURES_STALE_WINDOWS_MS: an article read in many batches meanwhile is summed
 * once. One replica runs it at a time (advisory lock); a full batch is followed by the next at once.
 */
@Injectable()
export class StaleWindowsJob extends PeriodicJob {
  private readonly lockName: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly articles: ArticleFeaturesService,
    @Inject(SERVICE_CONFIG) config: FeatureStoreConfig,
  ) {
    super('StaleWindowsJob', config.FEATURES_STALE_WINDOWS_MS);
    this.lockName = `stale-windows:${schemaOf(dataSource)}`;
  }

  protected runOnce(): Promise<boolean> {
    return this.refresh(Date.now());
  }

  /** Sums one batch of stale windows as of `now`; true when there may be more. */
  async refresh(now: number): Promise<boolean> {
    const summed = await this.dataSource.transaction(async (manager) => {
      if (!(await tryAdvisoryXactLock(manager, this.lockName))) return 0;
      return this.articles.refreshStaleWindows(manager, BATCH, now);
    });
    return summed === BATCH;
  }
}

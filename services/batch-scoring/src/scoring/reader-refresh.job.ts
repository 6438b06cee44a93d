import { Inject, Injectable } from '@nestjs/common';
import { quotedSchema, tryWithAdvisoryLock } from '@newsroom/persistence';
import { ChampionStore, PeriodicJob, SERVICE_CONFIG } from '@newsroom/platform';
import { DataSource } from 'typeorm';
import { BatchScoringConfig } from '../config';
import { ReaderLists } from './reader-lists';
import { ReaderRow, ScoringEngine } from './scoring-engine';
import { ScoringRunsService } from './scoring-runs.service';

const batchSize = 2_000;

/**
 * Readers whose features changed since they were scored (a new read, a first read) are scored
 * again with the champion: what they just read leaves their list, a new reader gets a first one.
 * One replica at a time; paused while a run for the champion is scoring everyone anyway.
 */
@Injectable()
export class ReaderRefreshJob extends PeriodicJob {
  constructor(
    @Inject(SERVICE_CONFIG) config: BatchScoringConfig,
    private readonly dataSource: DataSource,
    private readonly champion: ChampionStore,
    private readonly runs: ScoringRunsService,
    private readonly engine: ScoringEngine,
    private readonly lists: ReaderLists,
  ) {
    super('reader refresh', config.SCORING_REFRESH_INTERVAL_MS);
  }

  protected runOnce(): Promise<boolean> {
    return this.refresh();
  }

  /** Scores one batch of changed readers; true when there may be more. */
  async refresh(): Promise<boolean> {
    const champion = await this.champion.current();
    if (!champion || (await this.runs.isRunning(champion.modelVersion))) return false;
    const done = await tryWithAdvisoryLock(this.dataSource, 'scoring:refresh', async () => {
      const readers: ReaderRow[] = await this.dataSource.query(
        `SELECT user_id, category_mix, recent_reads, version FROM ${quotedSchema(this.dataSource)}.readers
         WHERE version > scored_version LIMIT $1`,
        [batchSize],
      );
      if (readers.length === 0) return false;
      const pool = await this.engine.prepare(champion);
      const withReads = readers.filter((r) => r.recent_reads.length > 0);
      const scored = await this.engine.score(pool, withReads);
      await this.dataSource.transaction(async (manager) => {
        // A promotion meanwhile: its run scores these readers; lists of the old model would overwrite it.
        if ((await this.champion.current(manager))?.modelVersion !== champion.modelVersion) return;
        await this.lists.replace(manager, pool.model, scored);
        await this.runs.markScored(
          manager,
          readers.map((r) => ({ userId: r.user_id, version: r.version })),
        );
      });
      return readers.length === batchSize;
    });
    return done === true;
  }
}

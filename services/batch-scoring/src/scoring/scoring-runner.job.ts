import { Inject, Injectable, Logger } from '@nestjs/common';
import { counter, histogram } from '@newsroom/observability';
import { PeriodicJob, SERVICE_CONFIG } from '@newsroom/platform';
import { BatchScoringConfig } from '../config';
import { ScoringEngine } from './scoring-engine';
import { ScoringRunsService, ShardClaim } from './scoring-runs.service';

const shardSeconds = histogram(
  'scoring_shard_duration_seconds',
  'Time to score one shard of readers',
  [],
  [0.1, 0.5, 1, 2, 5, 10, 30, 60],
);
const readersScored = counter('scoring_readers_scored_total', 'Readers scored by batch runs');

/**
 * Works on scoring runs: claims as many shards as this replica has scoring threads, scores them
 * at once, renews their leases meanwhile, and claims more until the run is done.
 */
@Injectable()
export class ScoringRunnerJob extends PeriodicJob {
  private readonly logger = new Logger(ScoringRunnerJob.name);
  /** Set at shutdown: the shards in hand are finished, no more are claimed (others or a restart take them). */
  private stopping = false;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: BatchScoringConfig,
    private readonly runs: ScoringRunsService,
    private readonly engine: ScoringEngine,
  ) {
    super('scoring runs', 500);
  }

  protected runOnce(): Promise<boolean> {
    return this.work();
  }

  override async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await super.beforeApplicationShutdown();
  }

  /**
   * SCORING_WORKERS lanes, each claiming and scoring shards until none is left, so a thread that
   * finishes early takes the next shard at once; true (look again at once) if any was claimed.
   */
  async work(): Promise<boolean> {
    let claimed = 0;
    const lane = async () => {
      while (!this.stopping) {
        const claim = await this.runs.claim();
        if (!claim) return;
        claimed++;
        await this.score(claim).catch(async (error: Error) => {
          // Given back at once: this replica renews its claims, so a kept one would never expire.
          this.logger.warn(`run ${claim.runId} shard ${claim.shard}: ${error.message}; released`);
          await this.runs.release(claim);
        });
      }
    };
    const renewal = setInterval(
      () => this.runs.renew().catch((e: Error) => this.logger.warn(`lease renewal failed: ${e.message}`)),
      this.config.SCORING_SHARD_LEASE_MS / 3,
    );
    try {
      await Promise.all(Array.from({ length: this.config.SCORING_WORKERS }, lane));
    } finally {
      clearInterval(renewal);
    }
    return claimed > 0;
  }

  private async score(claim: ShardClaim): Promise<void> {
    const started = process.hrtime.bigint();
    const pool = await this.engine.prepare(claim.champion);
    const readers = await this.runs.readers(claim);
    const lists = await this.engine.score(pool, readers);
    const outcome = await this.runs.complete(claim, pool.model, lists, pool.articleIds.length);
    shardSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
    if (outcome === 'done' || outcome === 'run-completed') readersScored.inc(lists.length);
    const what = `run ${claim.runId} shard ${claim.shard + 1}/${claim.shards}`;
    if (outcome === 'run-completed')
      this.logger.log(`${what}: ${lists.length} readers; run complete (${claim.champion.modelVersion})`);
    else if (outcome !== 'done') this.logger.warn(`${what}: discarded (${outcome})`);
  }
}

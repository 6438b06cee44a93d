import { Inject, Injectable } from '@nestjs/common';
import { newEvent, topics } from '@newsroom/contracts';
import { Outbox, quotedSchema, updateReturning } from '@newsroom/persistence';
import { Champion, ModelPromoted, SERVICE_CONFIG } from '@newsroom/platform';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { BatchScoringConfig } from '../config';
import { ReaderRow, ScoredList } from './scoring-engine';
import { ListModel, ReaderLists } from './reader-lists';

export interface ShardClaim {
  runId: string;
  shard: number;
  shards: number;
  champion: Champion;
}

export type ShardOutcome = 'done' | 'run-completed' | 'lost' | 'superseded';

export interface RunView {
  runId: string;
  modelVersion: string;
  status: string;
  shards: number;
  shardsDone: number;
  readersScored: number;
  articlesScored: number | null;
  startedAt: string;
  finishedAt: string | null;
}

/**
 * Scoring runs: one per promotion (the newest supersedes any still running), split into shards of
 * the reader key space. A replica claims a shard with a lease it keeps renewing; a shard whose
 * lease ran out (its replica died) is claimed again. A shard's lists, its `done` mark and, for the
 * last one, `scoring.completed` commit together, and only from the replica that holds the claim.
 */
@Injectable()
export class ScoringRunsService {
  /** This process, as the owner of its claims. */
  readonly owner = randomUUID();

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: BatchScoringConfig,
    private readonly dataSource: DataSource,
    private readonly lists: ReaderLists,
    private readonly outbox: Outbox,
  ) {}

  private get s(): string {
    return quotedSchema(this.dataSource);
  }

  /** A run for a promotion newer than every run so far (a redelivered or older one starts nothing). */
  async start(manager: EntityManager, promoted: ModelPromoted): Promise<string | undefined> {
    const [run] = await manager.query(
      `INSERT INTO ${this.s}.runs (run_id, model_version, sequence, artifact, status, shards)
       SELECT $1, $2, $3, $4, 'running', $5
       WHERE NOT EXISTS (SELECT 1 FROM ${this.s}.runs WHERE sequence >= $3)
       RETURNING run_id`,
      [
        randomUUID(),
        promoted.modelVersion,
        promoted.sequence,
        { uri: promoted.artifact.uri, sha256: promoted.artifact.sha256 },
        this.config.SCORING_SHARDS,
      ],
    );
    if (!run) return undefined;
    await manager.query(
      `UPDATE ${this.s}.runs SET status = 'superseded', finished_at = now()
       WHERE status = 'running' AND run_id <> $1`,
      [run.run_id],
    );
    await manager.query(
      `INSERT INTO ${this.s}.run_shards (run_id, shard) SELECT $1, generate_series(0, $2 - 1)`,
      [run.run_id, this.config.SCORING_SHARDS],
    );
    return run.run_id;
  }

  /** The next pending shard of the running run, or one whose claim has expired. */
  async claim(): Promise<ShardClaim | undefined> {
    const [row] = await updateReturning<{
      run_id: string;
      shard: number;
      shards: number;
      model_version: string;
      sequence: string;
      artifact: Champion['artifact'];
    }>(
      this.dataSource.manager,
      `UPDATE ${this.s}.run_shards rs SET status = 'running', owner = $1, attempts = attempts + 1,
         lease_until = now() + make_interval(secs => $2 / 1000.0)
       FROM ${this.s}.runs r
       WHERE (rs.run_id, rs.shard) = (
         SELECT s.run_id, s.shard FROM ${this.s}.run_shards s JOIN ${this.s}.runs USING (run_id)
         WHERE runs.status = 'running'
           AND (s.status = 'pending' OR (s.status = 'running' AND s.lease_until < now()))
         ORDER BY s.status DESC, s.shard LIMIT 1 FOR UPDATE OF s SKIP LOCKED)
         AND r.run_id = rs.run_id
       RETURNING rs.run_id, rs.shard, r.shards, r.model_version, r.sequence, r.artifact`,
      [this.owner, this.config.SCORING_SHARD_LEASE_MS],
    );
    if (!row) return undefined;
    return {
      runId: row.run_id,
      shard: row.shard,
      shards: row.shards,
      champion: { modelVersion: row.model_version, sequence: Number(row.sequence), artifact: row.artifact },
    };
  }

  /** Keeps this process's claims alive. */
  async renew(): Promise<void> {
    await this.dataSource.query(
      `UPDATE ${this.s}.run_shards SET lease_until = now() + make_interval(secs => $2 / 1000.0)
       WHERE owner = $1 AND status = 'running'`,
      [this.owner, this.config.SCORING_SHARD_LEASE_MS],
    );
  }

  /** Gives a claimed shard back (its scoring failed here): the next claim, anywhere, takes it. */
  async release(claim: ShardClaim): Promise<void> {
    await this.dataSource.query(
      `UPDATE ${this.s}.run_shards SET status = 'pending', owner = NULL, lease_until = NULL
       WHERE run_id = $1 AND shard = $2 AND owner = $3 AND status = 'running'`,
      [claim.runId, claim.shard, this.owner],
    );
  }

  /** The shard's readers: every reader hashed into it who has read something (others get the fallback). */
  async readers(claim: ShardClaim): Promise<ReaderRow[]> {
    return this.dataSource.query(
      `SELECT user_id, category_mix, recent_reads, version FROM ${this.s}.readers
       WHERE abs(hashtext(user_id)) % $1 = $2 AND jsonb_array_length(recent_reads) > 0`,
      [claim.shards, claim.shard],
    );
  }

  async complete(
    claim: ShardClaim,
    model: ListModel,
    lists: ScoredList[],
    articlesScored: number,
  ): Promise<ShardOutcome> {
    return this.dataSource.transaction(async (manager) => {
      // One shard completion of a run at a time: the last one sees every other's `done`.
      const [run] = await manager.query(
        `SELECT status, started_at FROM ${this.s}.runs WHERE run_id = $1 FOR UPDATE`,
        [claim.runId],
      );
      if (run?.status !== 'running') return 'superseded';
      const [mine] = await updateReturning(
        manager,
        `UPDATE ${this.s}.run_shards SET status = 'done', readers = $4, lease_until = NULL
         WHERE run_id = $1 AND shard = $2 AND owner = $3 AND status = 'running' RETURNING shard`,
        [claim.runId, claim.shard, this.owner, lists.length],
      );
      if (!mine) return 'lost';
      await this.lists.replace(manager, model, lists);
      await this.markScored(manager, lists);
      const [progress] = await updateReturning<{ readers_scored: number; articles_scored: number }>(
        manager,
        `UPDATE ${this.s}.runs SET readers_scored = readers_scored + $2,
           articles_scored = GREATEST(coalesce(articles_scored, 0), $3)
         WHERE run_id = $1 RETURNING readers_scored, articles_scored`,
        [claim.runId, lists.length, articlesScored],
      );
      const [{ left }] = await manager.query(
        `SELECT count(*)::int AS left FROM ${this.s}.run_shards WHERE run_id = $1 AND status <> 'done'`,
        [claim.runId],
      );
      if (left > 0) return 'done';
      const [finished] = await updateReturning<{ finished_at: Date }>(
        manager,
        `UPDATE ${this.s}.runs SET status = 'succeeded', finished_at = now() WHERE run_id = $1 RETURNING finished_at`,
        [claim.runId],
      );
      await this.outbox.enqueue(manager, topics.scoringCompleted, [
        {
          key: claim.runId,
          value: newEvent(
            topics.scoringCompleted.name,
            {
              runId: claim.runId,
              modelVersion: claim.champion.modelVersion,
              readersScored: progress.readers_scored,
              articlesScored: progress.articles_scored,
              durationMs: finished.finished_at.getTime() - new Date(run.started_at).getTime(),
            },
            'batch-scoring',
          ),
        },
      ]);
      return 'run-completed';
    });
  }

  /** Readers scored with the features they have now need no refresh. */
  async markScored(
    manager: EntityManager,
    lists: readonly Pick<ScoredList, 'userId' | 'version'>[],
  ): Promise<void> {
    if (lists.length === 0) return;
    await manager.query(
      `UPDATE ${this.s}.readers r SET scored_version = GREATEST(r.scored_version, x.version)
       FROM unnest($1::text[], $2::bigint[]) AS x(user_id, version) WHERE r.user_id = x.user_id`,
      [lists.map((l) => l.userId), lists.map((l) => l.version)],
    );
  }

  async isRunning(modelVersion: string): Promise<boolean> {
    const [row] = await this.dataSource.query(
      `SELECT 1 FROM ${this.s}.runs WHERE status = 'running' AND model_version = $1`,
      [modelVersion],
    );
    return Boolean(row);
  }

  async list(limit = 20): Promise<RunView[]> {
    return this.views(`ORDER BY r.sequence DESC LIMIT $1`, [limit]);
  }

  async get(runId: string): Promise<RunView | undefined> {
    return (await this.views(`WHERE r.run_id::text = $1`, [runId]))[0];
  }

  private async views(where: string, params: unknown[]): Promise<RunView[]> {
    const rows = await this.dataSource.query(
      `SELECT r.*, (SELECT count(*)::int FROM ${this.s}.run_shards s WHERE s.run_id = r.run_id AND s.status = 'done') AS done
       FROM ${this.s}.runs r ${where}`,
      params,
    );
    return rows.map(
      (r: Record<string, never>): RunView => ({
        runId: r.run_id,
        modelVersion: r.model_version,
        status: r.status,
        shards: r.shards,
        shardsDone: r.done,
        readersScored: r.readers_scored,
        articlesScored: r.articles_scored,
        startedAt: new Date(r.started_at).toISOString(),
        finishedAt: r.finished_at ? new Date(r.finished_at).toISOString() : null,
      }),
    );
  }
}

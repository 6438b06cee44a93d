import { Inject, Injectable } from '@nestjs/common';
import { newEvent, topics, trainingTriggers } from '@newsroom/contracts';
import { Outbox, quotedSchema, updateReturning } from '@newsroom/persistence';
import { SERVICE_CONFIG } from '@newsroom/platform';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { TrainingConfig } from '../config';
import { Trainer } from './trainer';
import { TrainingRun, trainingRunFromRow } from './training-run';

export interface RunTrigger {
  trigger: (typeof trainingTriggers)[number];
  /** What the trigger came from (a dataset, request, alert or schedule slot): one run per key. */
  key: string;
  reason?: string;
  /** Train on this dataset; without one, a fresh snapshot is requested first. */
  datasetId?: string;
}

/**
 * The runs' record and queue. A trigger becomes a run once, whatever the redeliveries: the
 * trigger key is unique. Runs without a dataset ask the feature store for one on
 * `training.requested` (in the same transaction) and wait for the answer.
 */
@Injectable()
export class TrainingRunsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly trainer: Trainer,
    @Inject(SERVICE_CONFIG) private readonly config: TrainingConfig,
  ) {}

  /** The run of this trigger: newly queued (`created`), or the one the same key made before. */
  async enqueue(
    manager: EntityManager,
    trigger: RunTrigger,
  ): Promise<{ run: TrainingRun; created: boolean }> {
    const s = quotedSchema(manager.connection);
    const requestId = trigger.datasetId ? null : randomUUID();
    const inserted = await manager.query(
      `INSERT INTO ${s}.training_runs (run_id, trigger, trigger_key, reason, status, request_id, dataset_id, params, code_version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (trigger_key) DO NOTHING RETURNING *`,
      [
        randomUUID(),
        trigger.trigger,
        trigger.key,
        trigger.reason ?? null,
        trigger.datasetId ? 'queued' : 'awaiting-dataset',
        requestId,
        trigger.datasetId ?? null,
        this.trainer.params(),
        this.config.CODE_VERSION,
      ],
    );
    if (inserted.length === 0) {
      const [existing] = await manager.query(`SELECT * FROM ${s}.training_runs WHERE trigger_key = $1`, [
        trigger.key,
      ]);
      return { run: trainingRunFromRow(existing), created: false };
    }
    if (requestId) {
      await this.outbox.enqueue(manager, topics.trainingRequested, [
        {
          key: requestId,
          value: newEvent(
            topics.trainingRequested.name,
            { requestId, trigger: trigger.trigger, ...(trigger.reason ? { reason: trigger.reason } : {}) },
            'training',
            { eventId: requestId },
          ),
        },
      ]);
    }
    return { run: trainingRunFromRow(inserted[0]), created: true };
  }

  /** The requested snapshot arrived: the run waiting for it is queued with it. */
  async datasetArrived(manager: EntityManager, requestId: string, datasetId: string): Promise<void> {
    await manager.query(
      `UPDATE ${quotedSchema(manager.connection)}.training_runs SET status = 'queued', dataset_id = $2
       WHERE request_id = $1 AND status = 'awaiting-dataset'`,
      [requestId, datasetId],
    );
  }

  /** The requested snapshot will not come (the quality gate rejected it, or it took too long). */
  async datasetRefused(manager: EntityManager, requestId: string, error: string): Promise<void> {
    await this.fail(manager, `request_id = $1 AND status = 'awaiting-dataset'`, [requestId, error], '$2');
  }

  /**
   * Marks the runs `where` matches failed with `error` (an SQL expression over the run's row and
   * `params`), and announces each on `training.failed` with the same manager: call it in a
   * transaction, so that the failure and its event are written together. How many failed.
   */
  async fail(manager: EntityManager, where: string, params: unknown[], error: string): Promise<number> {
    const failed = await updateReturning<{
      run_id: string;
      trigger: RunTrigger['trigger'];
      dataset_id: string | null;
      error: string;
    }>(
      manager,
      `UPDATE ${quotedSchema(manager.connection)}.training_runs
       SET status = 'failed', finished_at = now(), error = coalesce(nullif(${error}, ''), 'failed without a message')
       WHERE ${where} RETURNING run_id, trigger, dataset_id, error`,
      params,
    );
    if (failed.length > 0) {
      await this.outbox.enqueue(
        manager,
        topics.trainingFailed,
        failed.map((run) => ({
          key: run.run_id,
          value: newEvent(
            topics.trainingFailed.name,
            { runId: run.run_id, trigger: run.trigger, datasetId: run.dataset_id, error: run.error },
            'training',
          ),
        })),
      );
    }
    return failed.length;
  }

  async find(runId: string): Promise<TrainingRun | undefined> {
    const [row] = await this.dataSource.query(
      `SELECT * FROM ${quotedSchema(this.dataSource)}.training_runs WHERE run_id = $1`,
      [runId],
    );
    return row ? trainingRunFromRow(row) : undefined;
  }

  async list(limit: number, status?: TrainingRun['status']): Promise<TrainingRun[]> {
    const rows = await this.dataSource.query(
      `SELECT * FROM ${quotedSchema(this.dataSource)}.training_runs
       WHERE $2::text IS NULL OR status = $2 ORDER BY seq DESC LIMIT $1`,
      [limit, status ?? null],
    );
    return rows.map(trainingRunFromRow);
  }

  async datasetKnown(datasetId: string): Promise<boolean> {
    const rows = await this.dataSource.query(
      `SELECT 1 FROM ${quotedSchema(this.dataSource)}.datasets WHERE dataset_id = $1`,
      [datasetId],
    );
    return rows.length > 0;
  }
}

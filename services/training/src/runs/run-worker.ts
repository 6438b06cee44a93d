import { Inject, Injectable, Logger } from '@nestjs/common';
import { newEvent, topics } from '@newsroom/contracts';
import { EpochStats } from '@newsroom/ml';
import { counter, histogram } from '@newsroom/observability';
import { Outbox, quotedSchema, schemaOf, tryWithAdvisoryLock, updateReturning } from '@newsroom/persistence';
import { isDependencyOutage, retryWhileOutage } from '@newsroom/messaging';
import { ChampionStore, PeriodicJob, SERVICE_CONFIG, ShutdownSignal } from '@newsroom/platform';
import { WorkerTaskAborted } from '@newsroom/platform/worker-task';
import { DataSource } from 'typeorm';
import { TrainingConfig } from '../config';
import { Trainer, TrainingOutcome, TrainingParams } from './trainer';
import { TrainingRunsService } from './training-runs.service';

const runsFinished = counter('training_runs_total', 'Training runs finished', ['status', 'trigger']);
const runSeconds = histogram(
  'training_run_seconds',
  'Wall time of a training run',
  ['status'],
  [10, 30, 60, 120, 300, 600, 1800],
);

/**
 * A model's version: when it was trained and by which run. Not the artifact's hash: training is
 * deterministic, so two runs on the same data can make the same bytes, and each run is a version.
 */
function modelVersionOf(runId: string, at = new Date()): string {
  return `${at.toISOString().replace(/[-:]/g, '').slice(0, 15)}-${runId.slice(0, 8)}`;
}

/** Tries a run gets when its worker dies under it (the run is then failed, not retried again). */
const maxAttempts = 3;

interface ClaimedRun {
  runId: string;
  attempt: number;
  trigger: string;
  datasetId: string;
  params: TrainingParams;
}

/**
 * Runs queued runs one at a time, oldest first, across all replicas (the worker holds a session
 * lock while it works). A run found `running` by the lock holder was left by a worker that died:
 * it runs again. A finished run and its `model.trained` are written in one transaction.
 */
@Injectable()
export class RunWorker extends PeriodicJob {
  private readonly logger = new Logger(RunWorker.name);
  private readonly lockName: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly trainer: Trainer,
    private readonly runs: TrainingRunsService,
    private readonly champion: ChampionStore,
    private readonly shutdown: ShutdownSignal,
    @Inject(SERVICE_CONFIG) private readonly config: TrainingConfig,
  ) {
    super('training worker', config.TRAINING_POLL_INTERVAL_MS);
    this.lockName = `training-worker:${schemaOf(dataSource)}`;
  }

  protected runOnce(): Promise<boolean> {
    return this.next();
  }

  /** Runs the next queued run if this replica can be the worker; true if it ran one. */
  async next(): Promise<boolean> {
    const ran = await tryWithAdvisoryLock(this.dataSource, this.lockName, async () => {
      const s = quotedSchema(this.dataSource);
      // A run that killed its worker (out of memory, say) gets `maxAttempts` tries, not a loop.
      await this.dataSource.transaction((manager) =>
        this.runs.fail(
          manager,
          `status = 'running' AND attempts >= $1`,
          [maxAttempts],
          `'the worker died during each of its ' || attempts || ' attempts'`,
        ),
      );
      await this.dataSource.query(
        `UPDATE ${s}.training_runs SET status = 'queued', started_at = NULL, epochs = '[]' WHERE status = 'running'`,
      );
      await this.failOverdueRequests();
      const [row] = await updateReturning<{
        run_id: string;
        trigger: string;
        dataset_id: string;
        params: TrainingParams;
        attempts: number;
      }>(
        this.dataSource,
        `UPDATE ${s}.training_runs SET status = 'running', started_at = now(), attempts = attempts + 1
         WHERE run_id = (SELECT run_id FROM ${s}.training_runs WHERE status = 'queued' ORDER BY seq LIMIT 1)
         RETURNING run_id, trigger, dataset_id, params, attempts`,
      );
      if (!row) return false;
      await this.execute({
        runId: row.run_id,
        attempt: row.attempts,
        trigger: row.trigger,
        datasetId: row.dataset_id,
        params: row.params,
      });
      return true;
    });
    return ran ?? false;
  }

  /**
   * Trains one claimed run. Every write names the attempt: if this worker lost its lock (its
   * connection dropped) and another one took the run over, this one's results are dropped. A run
   * stopped by a shutdown, or whose progress could not be written (the database away), is queued
   * again without spending an attempt; its result is written once the database answers.
   */
  private async execute({ runId, attempt, trigger, datasetId, params }: ClaimedRun) {
    const mine = `run_id = $1 AND status = 'running' AND attempts = ${Number(attempt)}`;
    const s = quotedSchema(this.dataSource);
    const started = Date.now();
    const parent = await this.champion.current();
    await this.dataSource.query(`UPDATE ${s}.training_runs SET parent_version = $2 WHERE run_id = $1`, [
      runId,
      parent?.modelVersion ?? null,
    ]);
    this.logger.log(
      `run ${runId} (${trigger}) on dataset ${datasetId.slice(0, 12)}, warm start from ${parent?.modelVersion ?? 'nothing'}`,
    );
    let outcome: TrainingOutcome;
    try {
      outcome = await this.trainer.train(datasetId, params, parent, {
        backend: (name) =>
          this.dataSource.query(`UPDATE ${s}.training_runs SET backend = $2 WHERE ${mine}`, [runId, name]),
        epoch: (stats: EpochStats) => this.recordEpoch(runId, attempt, stats),
      });
    } catch (error) {
      if (error instanceof WorkerTaskAborted || isDependencyOutage(error)) {
        await this.persist(() =>
          this.dataSource.query(
            `UPDATE ${s}.training_runs SET status = 'queued', started_at = NULL, epochs = '[]', attempts = attempts - 1
             WHERE ${mine}`,
            [runId],
          ),
        );
        this.logger.warn(`run ${runId} stopped (${(error as Error).message}); queued again`);
        return;
      }
      await this.persist(() =>
        this.dataSource.transaction((manager) =>
          this.runs.fail(manager, mine, [runId, (error as Error).message], '$2'),
        ),
      );
      runsFinished.inc({ status: 'failed', trigger });
      runSeconds.observe({ status: 'failed' }, (Date.now() - started) / 1000);
      this.logger.error(`run ${runId} failed: ${(error as Error).message}`);
      return;
    }
    const modelVersion = modelVersionOf(runId);
    // The model is written: its run and model.trained are recorded whenever the database answers.
    const recorded = await this.persist(() =>
      this.dataSource.transaction(async (manager) => {
        const updated = await updateReturning(
          manager,
          `UPDATE ${s}.training_runs SET status = 'succeeded', model_version = $2, artifact = $3, metrics = $4,
             wall_seconds = $5, cpu_seconds = $6, peak_rss_bytes = $7, finished_at = now()
           WHERE ${mine} RETURNING run_id`,
          [
            runId,
            modelVersion,
            outcome.artifact,
            outcome.metrics,
            outcome.wallSeconds,
            outcome.cpuSeconds,
            outcome.peakRssBytes,
          ],
        );
        if (updated.length === 0) return false;
        await this.outbox.enqueue(manager, topics.modelTrained, [
          {
            key: modelVersion,
            value: newEvent(
              topics.modelTrained.name,
              {
                modelVersion,
                runId,
                artifact: { uri: outcome.artifact.uri, sha256: outcome.artifact.sha256 },
                datasetId,
                parentVersion: parent?.modelVersion ?? null,
                codeVersion: this.config.CODE_VERSION,
                params: { ...params, backend: outcome.backend },
                metrics: outcome.metrics,
              },
              'training',
            ),
          },
        ]);
        return true;
      }),
    );
    if (!recorded) {
      this.logger.warn(`run ${runId} was taken over by another worker; its result is dropped`);
      return;
    }
    runsFinished.inc({ status: 'succeeded', trigger });
    runSeconds.observe({ status: 'succeeded' }, (Date.now() - started) / 1000);
    this.logger.log(
      `run ${runId}: model ${modelVersion} in ${outcome.wallSeconds.toFixed(1)} s, ${JSON.stringify(outcome.metrics)}`,
    );
  }

  /** A run's state written whenever the database answers (until a shutdown: then at the restart). */
  private persist<T>(write: () => Promise<T>): Promise<T> {
    return retryWhileOutage(write, {
      signal: this.shutdown.signal,
      onWait: (error, delay) =>
        this.logger.warn(`the database is unavailable, writing again in ${delay} ms: ${error.message}`),
    });
  }

  private async recordEpoch(runId: string, attempt: number, epoch: EpochStats): Promise<void> {
    this.logger.log(
      `run ${runId}: epoch ${epoch.epoch}, loss ${epoch.loss.toFixed(4)}, ${JSON.stringify(epoch.validation)}`,
    );
    await this.dataSource.query(
      `UPDATE ${quotedSchema(this.dataSource)}.training_runs SET epochs = epochs || $2::jsonb
       WHERE run_id = $1 AND attempts = $3`,
      [runId, JSON.stringify([epoch]), attempt],
    );
  }

  private async failOverdueRequests(): Promise<void> {
    const overdue: { request_id: string }[] = await this.dataSource.query(
      `SELECT request_id FROM ${quotedSchema(this.dataSource)}.training_runs
       WHERE status = 'awaiting-dataset' AND created_at < now() - make_interval(secs => $1)`,
      [this.config.TRAINING_DATASET_WAIT_MS / 1000],
    );
    for (const { request_id } of overdue) {
      await this.dataSource.transaction((manager) =>
        this.runs.datasetRefused(
          manager,
          request_id,
          `no dataset arrived within ${this.config.TRAINING_DATASET_WAIT_MS} ms of the snapshot request`,
        ),
      );
    }
  }
}

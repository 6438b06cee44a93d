import { Injectable } from '@nestjs/common';
import { TopicPayload, topics } from '@newsroom/contracts';
import { quotedSchema } from '@newsroom/persistence';
import { DataSource } from 'typeorm';
import { PipelineStages } from './pipeline-stages';

/** The champion, what it was trained on and what evaluation expected of it. */
export interface Champion {
  modelVersion: string;
  since: Date;
  datasetId: string | null;
  /** The training part of its dataset's window (the reference of data drift), when known. */
  trainingWindow: { start: Date; end: Date } | null;
  /** The metrics evaluation measured for it offline, when known. */
  offlineMetrics: Record<string, number> | null;
}

/**
 * Lineage as monitoring needs it: datasets and their windows, models and their datasets and
 * evaluations, and the champion (the promotion with the highest sequence, whatever the order of
 * arrival). Every write is an idempotent upsert.
 */
@Injectable()
export class LineageService {
  constructor(private readonly dataSource: DataSource) {}

  private get schema(): string {
    return quotedSchema(this.dataSource);
  }

  async dataset(event: TopicPayload<typeof topics.datasetSnapshotted>): Promise<void> {
    const { manifest } = event;
    await this.dataSource.query(
      `INSERT INTO ${this.schema}.datasets (dataset_id, window_start, window_end, validation_from, created_at)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
      [
        event.datasetId,
        manifest.window.start,
        manifest.window.end,
        manifest.validationFrom,
        manifest.createdAt,
      ],
    );
  }

  async trained(event: TopicPayload<typeof topics.modelTrained>, at: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO ${this.schema}.models (model_version, dataset_id, trained_at) VALUES ($1, $2, $3)
       ON CONFLICT (model_version) DO UPDATE SET dataset_id = EXCLUDED.dataset_id, trained_at = EXCLUDED.trained_at`,
      [event.modelVersion, event.datasetId, at],
    );
  }

  async evaluated(event: TopicPayload<typeof topics.modelEvaluated>, at: string): Promise<void> {
    // The evaluation may arrive before the model's own event: keep it with a placeholder dataset.
    await this.dataSource.query(
      `INSERT INTO ${this.schema}.models (model_version, dataset_id, evaluation, evaluated_at)
       VALUES ($1, '', $2, $3)
       ON CONFLICT (model_version) DO UPDATE SET evaluation = EXCLUDED.evaluation, evaluated_at = EXCLUDED.evaluated_at`,
      [
        event.modelVersion,
        JSON.stringify({ passed: event.passed, metrics: event.metrics, reasons: event.reasons }),
        at,
      ],
    );
  }

  async scoringCompleted(event: TopicPayload<typeof topics.scoringCompleted>, at: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO ${this.schema}.scoring_runs (run_id, model_version, readers_scored, completed_at)
       VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
      [event.runId, event.modelVersion, event.readersScored, at],
    );
  }

  async trainingFailed(event: TopicPayload<typeof topics.trainingFailed>, at: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO ${this.schema}.training_failures (run_id, trigger, error, failed_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING`,
      [event.runId, event.trigger, event.error, at],
    );
  }

  async rolledBack(event: TopicPayload<typeof topics.modelRolledBack>, at: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO ${this.schema}.rollbacks (from_version, to_version, reason, at) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING`,
      [event.fromVersion, event.toVersion, event.reason, at],
    );
  }

  async promoted(event: TopicPayload<typeof topics.modelPromoted>, at: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO ${this.schema}.champion AS c (model_version, sequence, since) VALUES ($1, $2, $3)
       ON CONFLICT (one) DO UPDATE SET model_version = EXCLUDED.model_version, sequence = EXCLUDED.sequence,
         since = EXCLUDED.since
       WHERE c.sequence < EXCLUDED.sequence`,
      [event.modelVersion, event.sequence, at],
    );
  }

  async champion(): Promise<Champion | null> {
    const [row]: {
      model_version: string;
      since: Date;
      dataset_id: string | null;
      window_start: Date | null;
      validation_from: Date | null;
      window_end: Date | null;
      evaluation: { metrics?: Record<string, number> } | null;
    }[] = await this.dataSource.query(
      `SELECT c.model_version, c.since, NULLIF(m.dataset_id, '') AS dataset_id, d.window_start,
              d.validation_from, d.window_end, m.evaluation
       FROM ${this.schema}.champion c
       LEFT JOIN ${this.schema}.models m USING (model_version)
       LEFT JOIN ${this.schema}.datasets d ON d.dataset_id = m.dataset_id`,
    );
    if (!row) return null;
    let trainingWindow: Champion['trainingWindow'] = null;
    if (row.window_start && row.validation_from && row.window_end) {
      // The training split; the whole window when a dataset has no validation split before its end.
      const end = row.validation_from > row.window_start ? row.validation_from : row.window_end;
      trainingWindow = { start: row.window_start, end };
    }
    return {
      modelVersion: row.model_version,
      since: row.since,
      datasetId: row.dataset_id,
      trainingWindow,
      offlineMetrics: row.evaluation?.metrics ?? null,
    };
  }

  async stages(): Promise<PipelineStages> {
    const [row]: {
      champion: string | null;
      since: Date | null;
      snapshot: Date | null;
      trained: Date | null;
      rejected: number;
    }[] = await this.dataSource.query(
      `SELECT (SELECT model_version FROM ${this.schema}.champion) AS champion,
              (SELECT since FROM ${this.schema}.champion) AS since,
              (SELECT max(created_at) FROM ${this.schema}.datasets) AS snapshot,
              (SELECT max(trained_at) FROM ${this.schema}.models) AS trained,
              (SELECT count(*)::int FROM ${this.schema}.models
               WHERE evaluated_at IS NOT NULL AND NOT (evaluation->>'passed')::boolean
                 AND evaluated_at > coalesce((SELECT max(evaluated_at) FROM ${this.schema}.models
                                              WHERE (evaluation->>'passed')::boolean), '-infinity')) AS rejected`,
    );
    const failures: { run_id: string; error: string; failed_at: Date; n: number }[] =
      await this.dataSource.query(
        `SELECT run_id, error, failed_at, count(*) OVER ()::int AS n FROM ${this.schema}.training_failures
       WHERE failed_at > coalesce((SELECT max(trained_at) FROM ${this.schema}.models), '-infinity')
       ORDER BY failed_at DESC LIMIT 1`,
      );
    const [run]: { run_id: string; model_version: string; completed_at: Date }[] =
      await this.dataSource.query(
        `SELECT run_id, model_version, completed_at FROM ${this.schema}.scoring_runs ORDER BY completed_at DESC LIMIT 1`,
      );
    return {
      champion: row.champion && row.since ? { modelVersion: row.champion, since: row.since } : null,
      lastSnapshotAt: row.snapshot,
      lastTrainedAt: row.trained,
      lastScoringRun: run
        ? { runId: run.run_id, modelVersion: run.model_version, at: run.completed_at }
        : null,
      rejectedInARow: row.rejected,
      failedRunsInARow: failures[0]?.n ?? 0,
      lastFailedRun: failures[0]
        ? { runId: failures[0].run_id, error: failures[0].error, at: failures[0].failed_at }
        : null,
    };
  }
}

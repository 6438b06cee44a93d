import { championTableSql } from '@newsroom/platform';
import { quotedSchema } from '@newsroom/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Training's own state. `training_runs` is the experiment record and the queue at once: a trigger
 * inserts a run under a unique `trigger_key` (the dataset, request, alert or schedule slot it came
 * from), so a redelivered trigger never runs twice; runs wait for a dataset (`awaiting-dataset`),
 * queue, run one at a time, and end `succeeded` or `failed`. `datasets` lists the datasets
 * announced on `dataset.snapshotted`; `champion` is the latest `model.promoted`.
 */
export class CreateTraining1732700000000 implements MigrationInterface {
  name = 'CreateTraining1732700000000';

  async up(runner: QueryRunner): Promise<void> {
    const s = quotedSchema(runner.connection);
    await runner.query(`
      CREATE TABLE ${s}.training_runs (
        run_id uuid PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        trigger text NOT NULL CHECK (trigger IN ('push', 'schedule', 'request', 'drift')),
        trigger_key text NOT NULL UNIQUE,
        reason text,
        status text NOT NULL CHECK (status IN ('awaiting-dataset', 'queued', 'running', 'succeeded', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        request_id uuid UNIQUE,
        dataset_id text,
        parent_version text,
        params jsonb NOT NULL,
        code_version text NOT NULL,
        backend text,
        epochs jsonb NOT NULL DEFAULT '[]',
        metrics jsonb,
        wall_seconds double precision,
        cpu_seconds double precision,
        peak_rss_bytes bigint,
        model_version text UNIQUE,
        artifact jsonb,
        error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz
      )`);
    await runner.query(`CREATE INDEX training_runs_status ON ${s}.training_runs (status, seq)`);
    await runner.query(`
      CREATE TABLE ${s}.datasets (
        dataset_id text PRIMARY KEY,
        manifest jsonb NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await runner.query(championTableSql(s));
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = quotedSchema(runner.connection);
    for (const table of ['champion', 'datasets', 'training_runs'])
      await runner.query(`DROP TABLE ${s}.${table}`);
  }
}

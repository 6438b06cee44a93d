import { quotedSchema } from '@newsroom/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The model registry. `model_versions`: every trained model with its lineage and stage; a partial
 * unique index allows one champion at most. `evaluations`: the gate's decisions, kept even when
 * they arrive before the version they are about. `promotions`: every change of champion in order;
 * its sequence travels on `model.promoted` so consumers know which promotion is the latest.
 */
export class CreateRegistry1732900000000 implements MigrationInterface {
  name = 'CreateRegistry1732900000000';

  async up(runner: QueryRunner): Promise<void> {
    const s = quotedSchema(runner.connection);
    await runner.query(`
      CREATE TABLE ${s}.model_versions (
        model_version text PRIMARY KEY,
        stage text NOT NULL CHECK (stage IN ('candidate', 'champion', 'archived', 'rejected')),
        stage_reason text,
        run_id text NOT NULL,
        artifact jsonb NOT NULL,
        dataset_id text NOT NULL,
        parent_version text,
        code_version text NOT NULL,
        params jsonb NOT NULL,
        metrics jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        stage_changed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(
      `CREATE UNIQUE INDEX model_versions_one_champion ON ${s}.model_versions (stage) WHERE stage = 'champion'`,
    );
    await runner.query(`
      CREATE TABLE ${s}.evaluations (
        model_version text PRIMARY KEY,
        passed boolean NOT NULL,
        evaluation jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE ${s}.promotions (
        sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        model_version text NOT NULL REFERENCES ${s}.model_versions,
        previous_version text REFERENCES ${s}.model_versions,
        kind text NOT NULL CHECK (kind IN ('evaluation', 'manual', 'rollback')),
        reason text NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = quotedSchema(runner.connection);
    for (const table of ['promotions', 'evaluations', 'model_versions'])
      await runner.query(`DROP TABLE ${s}.${table}`);
  }
}

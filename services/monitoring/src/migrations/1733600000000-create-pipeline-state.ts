import { quotedSchema } from '@newsroom/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What pipeline health needs besides lineage: when each candidate was judged (rejections in a
 * row), batch scoring's completed runs, and rollbacks.
 */
export class CreatePipelineState1733600000000 implements MigrationInterface {
  name = 'CreatePipelineState1733600000000';

  async up(runner: QueryRunner): Promise<void> {
    const s = quotedSchema(runner.connection);
    // An evaluation may arrive before its model: neither time is known until its own event.
    await runner.query(`ALTER TABLE ${s}.models ADD COLUMN evaluated_at timestamptz`);
    await runner.query(`ALTER TABLE ${s}.models ALTER COLUMN trained_at DROP NOT NULL`);
    await runner.query(`
      CREATE TABLE ${s}.scoring_runs (
        run_id text PRIMARY KEY,
        model_version text NOT NULL,
        readers_scored int NOT NULL,
        completed_at timestamptz NOT NULL
      )`);
    await runner.query(`
      CREATE TABLE ${s}.rollbacks (
        from_version text NOT NULL,
        to_version text NOT NULL,
        reason text NOT NULL,
        at timestamptz NOT NULL,
        PRIMARY KEY (from_version, to_version, at)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = quotedSchema(runner.connection);
    await runner.query(`DROP TABLE ${s}.rollbacks`);
    await runner.query(`DROP TABLE ${s}.scoring_runs`);
    await runner.query(`UPDATE ${s}.models SET trained_at = now() WHERE trained_at IS NULL`);
    await runner.query(`ALTER TABLE ${s}.models ALTER COLUMN trained_at SET NOT NULL`);
    await runner.query(`ALTER TABLE ${s}.models DROP COLUMN evaluated_at`);
  }
}

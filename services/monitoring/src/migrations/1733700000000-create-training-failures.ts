import { quotedSchema } from '@newsroom/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

/** `training_failures`: runs that ended without a model (`training.failed`), for failures in a row. */
export class CreateTrainingFailures1733700000000 implements MigrationInterface {
  name = 'CreateTrainingFailures1733700000000';

  async up(runner: QueryRunner): Promise<void> {
    const s = quotedSchema(runner.connection);
    await runner.query(`
      CREATE TABLE ${s}.training_failures (
        run_id text PRIMARY KEY,
        trigger text NOT NULL,
        error text NOT NULL,
        failed_at timestamptz NOT NULL
      )`);
    await runner.query(`CREATE INDEX training_failures_at ON ${s}.training_failures (failed_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE ${quotedSchema(runner.connection)}.training_failures`);
  }
}

import { championTableSql } from '@newsroom/platform';
import { quotedSchema } from '@newsroom/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

/** One stored evaluation per model version (its report as JSON), and the champion it was compared with. */
export class CreateEvaluation1732800000000 implements MigrationInterface {
  name = 'CreateEvaluation1732800000000';

  async up(runner: QueryRunner): Promise<void> {
    const s = quotedSchema(runner.connection);
    await runner.query(`
      CREATE TABLE ${s}.evaluations (
        model_version text PRIMARY KEY,
        report jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(championTableSql(s));
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = quotedSchema(runner.connection);
    await runner.query(`DROP TABLE ${s}.champion`);
    await runner.query(`DROP TABLE ${s}.evaluations`);
  }
}

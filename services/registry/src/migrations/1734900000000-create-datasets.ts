import { quotedSchema } from '@newsroom/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `datasets`: the manifest of every dataset announced on `dataset.snapshotted` (training window,
 * sizes, feature schema and code version), which `model.trained` names by id only; a model's card
 * reads its training data from here. A dataset is immutable (its id is its content's sha256), so
 * the first manifest of an id is kept.
 */
export class CreateDatasets1734900000000 implements MigrationInterface {
  name = 'CreateDatasets1734900000000';

  async up(runner: QueryRunner): Promise<void> {
    const s = quotedSchema(runner.connection);
    await runner.query(`
      CREATE TABLE ${s}.datasets (
        dataset_id text PRIMARY KEY,
        manifest jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE ${quotedSchema(runner.connection)}.datasets`);
  }
}

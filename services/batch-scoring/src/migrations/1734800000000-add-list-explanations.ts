import { quotedSchema } from '@newsroom/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a list's attributions are measured from, kept with the list so that every announcement of
 * it (a run, a new article placed into it, a takedown) carries them: the model's baseline score,
 * its training dataset and feature schema, and the reader's coalition vectors (4 per reader) for
 * explaining an article placed into the list between runs. Null for lists scored without them.
 */
export class AddListExplanations1734800000000 implements MigrationInterface {
  name = 'AddListExplanations1734800000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE ${quotedSchema(runner.connection)}.lists
        ADD COLUMN attribution_baseline double precision,
        ADD COLUMN dataset_id text,
        ADD COLUMN feature_schema_version integer,
        ADD COLUMN reader_coalitions bytea`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE ${quotedSchema(runner.connection)}.lists
        DROP COLUMN attribution_baseline, DROP COLUMN dataset_id, DROP COLUMN feature_schema_version,
        DROP COLUMN reader_coalitions`);
  }
}

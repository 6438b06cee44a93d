import { quotedSchema } from '@newsroom/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A list's lineage and explanations, and editors' pins. Attributions get their own column: the
 * index loads `items` at start-up and keeps them in memory; attributions are read only to answer
 * `?explain=true`. Pins are kept once deleted or expired (who pinned what, until when).
 */
export class LineageAttributionsPins1734800000000 implements MigrationInterface {
  name = 'LineageAttributionsPins1734800000000';

  async up(runner: QueryRunner): Promise<void> {
    const s = quotedSchema(runner.connection);
    await runner.query(`
      ALTER TABLE ${s}.lists
        ADD COLUMN dataset_id text,
        ADD COLUMN feature_schema_version integer,
        ADD COLUMN attribution_baseline double precision,
        ADD COLUMN attributions jsonb`);
    await runner.query(`
      CREATE TABLE ${s}.pins (
        pin_id uuid PRIMARY KEY,
        article_id text NOT NULL,
        region text,
        rank integer NOT NULL CHECK (rank >= 1),
        note text,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        deleted_by text,
        deleted_at timestamptz
      )`);
    await runner.query(`CREATE INDEX pins_in_force ON ${s}.pins (expires_at) WHERE deleted_at IS NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = quotedSchema(runner.connection);
    await runner.query(`DROP TABLE ${s}.pins`);
    await runner.query(`
      ALTER TABLE ${s}.lists DROP COLUMN dataset_id, DROP COLUMN feature_schema_version,
        DROP COLUMN attribution_baseline, DROP COLUMN attributions`);
  }
}

import { quotedSchema } from '@newsroom/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `served_lists`: each served response's top 10, and what its reader read of it afterwards (within
 * the horizon): the ranks read (once each) and the dwell they captured — the ground truth of
 * online model quality, joined as reads are folded. `quality_baselines`: each version's personalized
 * quality over its first window with enough lists, which later windows are compared with.
 */
export class CreateServedLists1733500000000 implements MigrationInterface {
  name = 'CreateServedLists1733500000000';

  async up(runner: QueryRunner): Promise<void> {
    const s = quotedSchema(runner.connection);
    await runner.query(`
      CREATE TABLE ${s}.served_lists (
        request_id text PRIMARY KEY,
        user_id text NOT NULL,
        model_version text,
        source text NOT NULL,
        region text,
        served_at timestamptz NOT NULL,
        article_ids text[] NOT NULL,
        read_ranks int[] NOT NULL DEFAULT '{}',
        read_dwell_seconds double precision NOT NULL DEFAULT 0
      )`);
    await runner.query(`CREATE INDEX served_lists_user ON ${s}.served_lists (user_id, served_at)`);
    await runner.query(`CREATE INDEX served_lists_served_at ON ${s}.served_lists (served_at)`);
    await runner.query(`
      CREATE TABLE ${s}.quality_baselines (
        model_version text PRIMARY KEY,
        hit_rate double precision NOT NULL,
        mrr double precision NOT NULL,
        lists int NOT NULL,
        window_from timestamptz NOT NULL,
        window_to timestamptz NOT NULL
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = quotedSchema(runner.connection);
    await runner.query(`DROP TABLE ${s}.quality_baselines`);
    await runner.query(`DROP TABLE ${s}.served_lists`);
  }
}

import { championTableSql } from '@newsroom/platform';
import { quotedSchema } from '@newsroom/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

/** What serving answers from (also held in memory): readers' lists, fallback lists, flagged articles. */
export class CreateServing1733000000000 implements MigrationInterface {
  name = 'CreateServing1733000000000';

  async up(runner: QueryRunner): Promise<void> {
    const s = quotedSchema(runner.connection);
    await runner.query(`
      CREATE TABLE ${s}.lists (
        user_id text PRIMARY KEY,
        model_version text NOT NULL,
        revision integer NOT NULL,
        generated_at timestamptz NOT NULL,
        items jsonb NOT NULL
      )`);
    await runner.query(`
      CREATE TABLE ${s}.fallback_lists (
        scope text PRIMARY KEY,
        generated_at timestamptz NOT NULL,
        items jsonb NOT NULL
      )`);
    await runner.query(`
      CREATE TABLE ${s}.flagged_articles (
        article_id text PRIMARY KEY,
        flagged_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(championTableSql(s));
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = quotedSchema(runner.connection);
    for (const table of ['champion', 'flagged_articles', 'fallback_lists', 'lists']) {
      await runner.query(`DROP TABLE ${s}.${table}`);
    }
  }
}

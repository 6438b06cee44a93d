import { quotedSchema } from '@newsroom/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The warehouse: current articles with their revision history, the append-only interactions,
 * and the moderation log. Indexed for the reads later services make: a reader's history by time,
 * an article's reads by time, fresh articles by publication time.
 */
export class CreateWarehouse1732500000000 implements MigrationInterface {
  name = 'CreateWarehouse1732500000000';

  async up(runner: QueryRunner): Promise<void> {
    const s = quotedSchema(runner.connection);
    await runner.query(`
      CREATE TABLE ${s}.articles (
        article_id text PRIMARY KEY,
        event_id text NOT NULL,
        revision integer NOT NULL,
        title text NOT NULL,
        body text,
        category text NOT NULL,
        publisher text NOT NULL,
        url text NOT NULL,
        published_at timestamptz NOT NULL,
        language text,
        tags text[],
        flagged boolean NOT NULL DEFAULT false,
        first_ingested_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE INDEX articles_published_at ON ${s}.articles (published_at)`);
    await runner.query(`
      CREATE TABLE ${s}.article_revisions (
        event_id text PRIMARY KEY,
        article_id text NOT NULL,
        revision integer NOT NULL,
        document jsonb NOT NULL,
        ingested_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (article_id, revision)
      )`);
    await runner.query(`
      CREATE TABLE ${s}.interactions (
        event_id text PRIMARY KEY,
        user_id text NOT NULL,
        article_id text NOT NULL,
        type text NOT NULL,
        dwell_seconds real,
        occurred_at timestamptz NOT NULL,
        session_id text,
        region text,
        ingested_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE INDEX interactions_user_time ON ${s}.interactions (user_id, occurred_at)`);
    await runner.query(
      `CREATE INDEX interactions_article_time ON ${s}.interactions (article_id, occurred_at)`,
    );
    await runner.query(`
      CREATE TABLE ${s}.moderation_log (
        id bigserial PRIMARY KEY,
        article_id text NOT NULL,
        flagged boolean NOT NULL,
        reason text NOT NULL,
        actor text NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE INDEX moderation_log_article ON ${s}.moderation_log (article_id, at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = quotedSchema(runner.connection);
    for (const table of ['moderation_log', 'interactions', 'article_revisions', 'articles']) {
      await runner.query(`DROP TABLE ${s}.${table}`);
    }
  }
}

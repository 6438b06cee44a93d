import { championTableSql } from '@newsroom/platform';
import { quotedSchema } from '@newsroom/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Batch scoring's state: the articles and readers it scores (from the feature store's compacted
 * topics and articles.ingested), each reader's current list with the reader vector it was scored
 * with, and scoring runs split into shards that replicas claim with a lease.
 */
export class CreateScoring1732900000000 implements MigrationInterface {
  name = 'CreateScoring1732900000000';

  async up(runner: QueryRunner): Promise<void> {
    const s = quotedSchema(runner.connection);
    await runner.query(`
      CREATE TABLE ${s}.articles (
        article_id text PRIMARY KEY,
        revision integer NOT NULL,
        category text NOT NULL,
        publisher text NOT NULL,
        token_hashes integer[] NOT NULL,
        published_at timestamptz NOT NULL,
        flagged boolean NOT NULL DEFAULT false,
        changed_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await runner.query(`CREATE INDEX articles_changed ON ${s}.articles (changed_at)`);
    await runner.query(`
      CREATE TABLE ${s}.readers (
        user_id text PRIMARY KEY,
        region text,
        category_mix jsonb NOT NULL,
        recent_reads jsonb NOT NULL,
        version bigint NOT NULL,
        scored_version bigint NOT NULL DEFAULT 0
      )`);
    // Readers whose features changed since they were last scored (the refresh job's queue).
    await runner.query(
      `CREATE INDEX readers_unscored ON ${s}.readers (user_id) WHERE version > scored_version`,
    );
    await runner.query(`
      CREATE TABLE ${s}.lists (
        user_id text PRIMARY KEY,
        model_version text NOT NULL,
        revision integer NOT NULL,
        generated_at timestamptz NOT NULL,
        items jsonb NOT NULL,
        vector bytea NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await runner.query(`CREATE INDEX lists_items ON ${s}.lists USING gin (items jsonb_path_ops)`);
    await runner.query(`CREATE INDEX lists_changed ON ${s}.lists (changed_at)`);
    await runner.query(`
      CREATE TABLE ${s}.runs (
        run_id uuid PRIMARY KEY,
        model_version text NOT NULL,
        sequence bigint NOT NULL UNIQUE,
        artifact jsonb NOT NULL,
        status text NOT NULL CHECK (status IN ('running', 'succeeded', 'superseded')),
        shards integer NOT NULL,
        readers_scored integer NOT NULL DEFAULT 0,
        articles_scored integer,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
    await runner.query(`
      CREATE TABLE ${s}.run_shards (
        run_id uuid NOT NULL REFERENCES ${s}.runs ON DELETE CASCADE,
        shard integer NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done')),
        owner text,
        lease_until timestamptz,
        attempts integer NOT NULL DEFAULT 0,
        readers integer,
        PRIMARY KEY (run_id, shard)
      )`);
    await runner.query(championTableSql(s));
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = quotedSchema(runner.connection);
    for (const table of ['champion', 'run_shards', 'runs', 'lists', 'readers', 'articles']) {
      await runner.query(`DROP TABLE ${s}.${table}`);
    }
  }
}

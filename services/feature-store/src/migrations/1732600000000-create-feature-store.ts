import { quotedSchema } from '@newsroom/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The feature store's own state, built only from `*.ingested` and `articles.flagged` events.
 *
 * Offline store (append-only, each row numbered by `seq` so a snapshot can name exactly what it
 * read): `interaction_log` (every interaction once, by eventId: also the consumer's idempotency
 * key) and `article_versions` (article features with their validity intervals).
 * Online store: `user_features`, `article_features` and `article_activity` (5-minute buckets of
 * reads and dwell per article). `version > published_version` marks rows whose latest state is
 * not yet on the compacted topics.
 */
export class CreateFeatureStore1732600000000 implements MigrationInterface {
  name = 'CreateFeatureStore1732600000000';

  async up(runner: QueryRunner): Promise<void> {
    const s = quotedSchema(runner.connection);
    await runner.query(`
      CREATE TABLE ${s}.interaction_log (
        seq bigint GENERATED ALWAYS AS IDENTITY,
        event_id text PRIMARY KEY,
        user_id text NOT NULL,
        article_id text NOT NULL,
        kind smallint NOT NULL CHECK (kind IN (0, 1, 2)),
        dwell_seconds double precision,
        occurred_at timestamptz NOT NULL,
        region text,
        category text
      )`);
    await runner.query(`COMMENT ON COLUMN ${s}.interaction_log.kind IS '0 impression, 1 click, 2 read'`);
    // The category the read was weighed under when applied (null: article not known yet), so
    // replays weigh exactly as the online features did.
    await runner.query(
      `COMMENT ON COLUMN ${s}.interaction_log.category IS 'category of the article when the read was applied'`,
    );
    // Rows arrive roughly in seq and time order: BRIN indexes cost almost nothing to maintain.
    await runner.query(`CREATE INDEX interaction_log_seq ON ${s}.interaction_log USING brin (seq)`);
    await runner.query(
      `CREATE INDEX interaction_log_occurred ON ${s}.interaction_log USING brin (occurred_at)`,
    );
    await runner.query(
      `CREATE INDEX interaction_log_user_reads ON ${s}.interaction_log (user_id, occurred_at DESC, event_id DESC) WHERE kind = 2`,
    );

    await runner.query(`
      CREATE TABLE ${s}.user_features (
        user_id text PRIMARY KEY,
        region text,
        region_at timestamptz,
        impressions integer NOT NULL,
        clicks integer NOT NULL,
        reads integer NOT NULL,
        total_dwell_seconds double precision NOT NULL,
        category_dwell jsonb NOT NULL,
        last_seen_at timestamptz NOT NULL,
        version bigint NOT NULL DEFAULT 1,
        published_version bigint NOT NULL DEFAULT 0
      )`);
    await runner.query(
      `CREATE INDEX user_features_unpublished ON ${s}.user_features (user_id) WHERE version > published_version`,
    );
    // Adds two {category: dwell} maps key by key: user updates are additive, so late and
    // out-of-order events fold in without reading the row first.
    await runner.query(`
      CREATE FUNCTION ${s}.add_dwell(a jsonb, b jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
        SELECT coalesce(jsonb_object_agg(key, total ORDER BY key), '{}'::jsonb)
        FROM (SELECT key, sum(value::double precision) AS total
              FROM (SELECT * FROM jsonb_each_text(a) UNION ALL SELECT * FROM jsonb_each_text(b)) AS e
              GROUP BY key) AS t
      $$`);

    await runner.query(`
      CREATE TABLE ${s}.article_versions (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        article_id text NOT NULL,
        revision integer NOT NULL,
        valid_from timestamptz NOT NULL,
        valid_to timestamptz,
        category text NOT NULL,
        publisher text NOT NULL,
        language text,
        token_hashes integer[] NOT NULL,
        published_at timestamptz NOT NULL,
        flagged boolean NOT NULL,
        cause text NOT NULL CHECK (cause IN ('revision', 'flag', 'unflag'))
      )`);
    await runner.query(`CREATE INDEX article_versions_by_article ON ${s}.article_versions (article_id, seq)`);
    await runner.query(`
      CREATE TABLE ${s}.article_moderation (
        article_id text PRIMARY KEY,
        flagged boolean NOT NULL,
        changed_at timestamptz NOT NULL
      )`);
    await runner.query(`
      CREATE TABLE ${s}.article_features (
        article_id text PRIMARY KEY,
        revision integer NOT NULL,
        category text NOT NULL,
        publisher text NOT NULL,
        language text,
        token_hashes integer[] NOT NULL,
        published_at timestamptz NOT NULL,
        flagged boolean NOT NULL,
        reads_1h integer NOT NULL DEFAULT 0,
        reads_24h integer NOT NULL DEFAULT 0,
        reads_7d integer NOT NULL DEFAULT 0,
        dwell_1h double precision NOT NULL DEFAULT 0,
        dwell_24h double precision NOT NULL DEFAULT 0,
        dwell_7d double precision NOT NULL DEFAULT 0,
        windows_at timestamptz NOT NULL,
        version bigint NOT NULL DEFAULT 1,
        published_version bigint NOT NULL DEFAULT 0
      )`);
    await runner.query(
      `CREATE INDEX article_features_unpublished ON ${s}.article_features (article_id) WHERE version > published_version`,
    );
    await runner.query(`
      CREATE TABLE ${s}.article_activity (
        article_id text NOT NULL,
        bucket timestamptz NOT NULL,
        reads integer NOT NULL,
        dwell_seconds double precision NOT NULL,
        PRIMARY KEY (article_id, bucket)
      )`);
    await runner.query(`CREATE INDEX article_activity_bucket ON ${s}.article_activity (bucket)`);

    await runner.query(`
      CREATE TABLE ${s}.source_offsets (
        topic text NOT NULL,
        partition integer NOT NULL,
        "offset" bigint NOT NULL,
        PRIMARY KEY (topic, partition)
      )`);
    await runner.query(`
      CREATE TABLE ${s}.snapshot_policy (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        interactions_since bigint NOT NULL DEFAULT 0,
        articles_since bigint NOT NULL DEFAULT 0
      )`);
    await runner.query(`INSERT INTO ${s}.snapshot_policy DEFAULT VALUES`);
    await runner.query(`CREATE TABLE ${s}.schedule_slots (slot timestamptz PRIMARY KEY)`);
    await runner.query(`
      CREATE TABLE ${s}.datasets (
        dataset_id text PRIMARY KEY,
        uri text NOT NULL,
        manifest jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE ${s}.snapshot_runs (
        run_id uuid PRIMARY KEY,
        trigger text NOT NULL,
        window_start timestamptz NOT NULL,
        window_end timestamptz NOT NULL,
        status text NOT NULL CHECK (status IN ('running', 'succeeded', 'rejected', 'failed')),
        dataset_id text,
        quality jsonb,
        error text,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = quotedSchema(runner.connection);
    for (const table of [
      'snapshot_runs',
      'datasets',
      'schedule_slots',
      'snapshot_policy',
      'source_offsets',
      'article_activity',
      'article_features',
      'article_moderation',
      'article_versions',
      'user_features',
      'interaction_log',
    ]) {
      await runner.query(`DROP TABLE ${s}.${table}`);
    }
    await runner.query(`DROP FUNCTION ${s}.add_dwell(jsonb, jsonb)`);
  }
}

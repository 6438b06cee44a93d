import { quotedSchema } from '@newsroom/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What monitoring folds from the topics, incrementally (never a rescan of history):
 * - `consumed_offsets`: per topic partition, the next offset to fold; written in the transaction
 *   that folds a batch, so a redelivered record is skipped (the counters below are not idempotent).
 * - `hourly_counts`: counters per event-time hour, metric and key (a category, a region, a
 *   histogram bin, a source topic): volumes, mixes and histograms are sums over hours.
 * - `reader_hours`: reads per reader and hour, for the reads-per-active-reader distribution.
 * - `articles`: what a read needs to know of its article (category, publication time).
 * - `watermarks`: per stream and partition, the latest event time folded (never ahead of the
 *   clock) and when (StreamWatermarks tells from them how far a stream is complete).
 * - `datasets`, `models`, `champion`: lineage, to find the champion's training window.
 * - `drift_reports`: every data-drift report. `alerts`: every alert, with its life cycle.
 */
export class CreateMonitoring1733400000000 implements MigrationInterface {
  name = 'CreateMonitoring1733400000000';

  async up(runner: QueryRunner): Promise<void> {
    const s = quotedSchema(runner.connection);
    await runner.query(`
      CREATE TABLE ${s}.consumed_offsets (
        topic text NOT NULL,
        partition int NOT NULL,
        next_offset bigint NOT NULL,
        PRIMARY KEY (topic, partition)
      )`);
    await runner.query(`
      CREATE TABLE ${s}.hourly_counts (
        hour timestamptz NOT NULL,
        metric text NOT NULL,
        key text NOT NULL,
        value double precision NOT NULL,
        PRIMARY KEY (metric, hour, key)
      )`);
    await runner.query(`
      CREATE TABLE ${s}.reader_hours (
        hour timestamptz NOT NULL,
        user_id text NOT NULL,
        reads int NOT NULL,
        PRIMARY KEY (hour, user_id)
      )`);
    await runner.query(`
      CREATE TABLE ${s}.articles (
        article_id text PRIMARY KEY,
        category text NOT NULL,
        publisher text NOT NULL,
        published_at timestamptz NOT NULL
      )`);
    await runner.query(`CREATE INDEX articles_published_at ON ${s}.articles (published_at)`);
    await runner.query(`
      CREATE TABLE ${s}.watermarks (
        stream text NOT NULL,
        partition int NOT NULL,
        at timestamptz NOT NULL,
        folded_at timestamptz NOT NULL,
        PRIMARY KEY (stream, partition)
      )`);
    await runner.query(`
      CREATE TABLE ${s}.datasets (
        dataset_id text PRIMARY KEY,
        window_start timestamptz NOT NULL,
        window_end timestamptz NOT NULL,
        validation_from timestamptz NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await runner.query(`
      CREATE TABLE ${s}.models (
        model_version text PRIMARY KEY,
        dataset_id text NOT NULL,
        trained_at timestamptz NOT NULL,
        evaluation jsonb
      )`);
    await runner.query(`
      CREATE TABLE ${s}.champion (
        one boolean PRIMARY KEY DEFAULT true CHECK (one),
        model_version text NOT NULL,
        sequence bigint NOT NULL,
        since timestamptz NOT NULL
      )`);
    await runner.query(`
      CREATE TABLE ${s}.drift_reports (
        report_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now(),
        model_version text NOT NULL,
        drifted boolean NOT NULL,
        report jsonb NOT NULL
      )`);
    await runner.query(`CREATE INDEX drift_reports_created_at ON ${s}.drift_reports (created_at)`);
    await runner.query(`
      CREATE TABLE ${s}.alerts (
        alert_id uuid PRIMARY KEY,
        dedup_key text NOT NULL,
        type text NOT NULL,
        severity text NOT NULL,
        subject text NOT NULL,
        state text NOT NULL CHECK (state IN ('firing', 'resolved')),
        message text NOT NULL,
        details jsonb NOT NULL,
        source text NOT NULL,
        first_seen_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        resolved_at timestamptz,
        clear_checks int NOT NULL DEFAULT 0
      )`);
    // One firing alert per condition: the hysteresis the life cycle relies on.
    await runner.query(
      `CREATE UNIQUE INDEX alerts_one_firing ON ${s}.alerts (dedup_key) WHERE state = 'firing'`,
    );
    await runner.query(`CREATE INDEX alerts_last_seen_at ON ${s}.alerts (last_seen_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = quotedSchema(runner.connection);
    for (const table of [
      'alerts',
      'drift_reports',
      'champion',
      'models',
      'datasets',
      'watermarks',
      'articles',
      'reader_hours',
      'hourly_counts',
      'consumed_offsets',
    ])
      await runner.query(`DROP TABLE ${s}.${table}`);
  }
}

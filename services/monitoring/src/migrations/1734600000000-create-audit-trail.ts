import { quotedSchema } from '@newsroom/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The "why shown" trail, range-partitioned by the day a response was served (the partitions are
 * created ahead, and on demand for late records, by the audit module; retention drops whole days).
 * `audit_responses`: each served response — its reader, model version, dataset, feature schema,
 * items in rank order and what was filtered out and why — keyed for a reader's impressions.
 * `audit_exposures`: one row per served item, keyed for an article's exposures. Both keys include
 * the served time (a partitioned table's unique keys must), so a redelivered response is a conflict.
 */
export class CreateAuditTrail1734600000000 implements MigrationInterface {
  name = 'CreateAuditTrail1734600000000';

  async up(runner: QueryRunner): Promise<void> {
    const s = quotedSchema(runner.connection);
    await runner.query(`
      CREATE TABLE ${s}.audit_responses (
        user_id text NOT NULL,
        served_at timestamptz NOT NULL,
        request_id text NOT NULL,
        model_version text,
        source text NOT NULL,
        region text,
        generated_at timestamptz,
        dataset_id text,
        feature_schema_version int,
        items jsonb NOT NULL,
        filtered jsonb NOT NULL,
        PRIMARY KEY (user_id, served_at, request_id)
      ) PARTITION BY RANGE (served_at)`);
    await runner.query(`
      CREATE TABLE ${s}.audit_exposures (
        article_id text NOT NULL,
        served_at timestamptz NOT NULL,
        request_id text NOT NULL,
        user_id text NOT NULL,
        rank int NOT NULL,
        score double precision NOT NULL,
        origin text,
        PRIMARY KEY (article_id, served_at, request_id)
      ) PARTITION BY RANGE (served_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = quotedSchema(runner.connection);
    await runner.query(`DROP TABLE ${s}.audit_exposures`);
    await runner.query(`DROP TABLE ${s}.audit_responses`);
  }
}

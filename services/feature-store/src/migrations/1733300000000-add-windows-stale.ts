import { quotedSchema } from '@newsroom/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Articles read since their popularity windows were last summed: reads go into the 5-minute
 * activity buckets at once, and a job sums the windows of the marked articles every few seconds,
 * so an article read in many batches is summed once per run rather than once per batch.
 */
export class AddWindowsStale1733300000000 implements MigrationInterface {
  name = 'AddWindowsStale1733300000000';

  async up(runner: QueryRunner): Promise<void> {
    const s = quotedSchema(runner.connection);
    await runner.query(
      `ALTER TABLE ${s}.article_features ADD COLUMN windows_stale boolean NOT NULL DEFAULT false`,
    );
    await runner.query(
      `CREATE INDEX article_features_windows_stale ON ${s}.article_features (article_id) WHERE windows_stale`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = quotedSchema(runner.connection);
    await runner.query(`ALTER TABLE ${s}.article_features DROP COLUMN windows_stale`);
  }
}

import { quotedSchema } from '@newsroom/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When each reader's and article's features were last published: a changed entity is published
 * again only once its republish interval has passed, so a busy reader or article is one message
 * per interval, not one per event.
 */
export class AddLastPublishedAt1733200000000 implements MigrationInterface {
  name = 'AddLastPublishedAt1733200000000';

  async up(runner: QueryRunner): Promise<void> {
    const s = quotedSchema(runner.connection);
    await runner.query(`ALTER TABLE ${s}.user_features ADD COLUMN last_published_at timestamptz`);
    await runner.query(`ALTER TABLE ${s}.article_features ADD COLUMN last_published_at timestamptz`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = quotedSchema(runner.connection);
    await runner.query(`ALTER TABLE ${s}.article_features DROP COLUMN last_published_at`);
    await runner.query(`ALTER TABLE ${s}.user_features DROP COLUMN last_published_at`);
  }
}

import { quotedSchema } from '@newsroom/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The last moderation decision about each article, whether or not the article is here yet: an
 * article flagged before it arrived is stored flagged when it does (the `articles` row holds the
 * flag only from then on). Articles flagged so far carry their decision over.
 */
export class CreateArticleModeration1734600000000 implements MigrationInterface {
  name = 'CreateArticleModeration1734600000000';

  async up(runner: QueryRunner): Promise<void> {
    const s = quotedSchema(runner.connection);
    await runner.query(`
      CREATE TABLE ${s}.article_moderation (
        article_id text PRIMARY KEY,
        flagged boolean NOT NULL,
        decided_at timestamptz NOT NULL
      )`);
    await runner.query(
      `INSERT INTO ${s}.article_moderation (article_id, flagged, decided_at)
       SELECT article_id, true, changed_at FROM ${s}.articles WHERE flagged`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE ${quotedSchema(runner.connection)}.article_moderation`);
  }
}

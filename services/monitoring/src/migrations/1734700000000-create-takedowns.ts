import { quotedSchema } from '@newsroom/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Takedown receipts. `takedowns`: each flag with a takedown id, the serving replicas live when it
 * was flagged (each must confirm for its own index), when an unflag lifted it, and when its last
 * expected holder confirmed. `takedown_confirmations`: each holder's first confirmation, kept
 * whether or not the flag has arrived yet (they come on different topics).
 */
export class CreateTakedowns1734700000000 implements MigrationInterface {
  name = 'CreateTakedowns1734700000000';

  async up(runner: QueryRunner): Promise<void> {
    const s = quotedSchema(runner.connection);
    await runner.query(`
      CREATE TABLE ${s}.takedowns (
        takedown_id uuid PRIMARY KEY,
        article_id text NOT NULL,
        reason text NOT NULL,
        actor text NOT NULL,
        flagged_at timestamptz NOT NULL,
        expected_serving text[] NOT NULL,
        lifted_at timestamptz,
        completed_at timestamptz
      )`);
    await runner.query(`CREATE INDEX takedowns_article ON ${s}.takedowns (article_id, flagged_at)`);
    await runner.query(`
      CREATE TABLE ${s}.takedown_confirmations (
        takedown_id uuid NOT NULL,
        holder text NOT NULL,
        instance text NOT NULL,
        article_id text NOT NULL,
        confirmed_at timestamptz NOT NULL,
        PRIMARY KEY (takedown_id, holder, instance)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = quotedSchema(runner.connection);
    await runner.query(`DROP TABLE ${s}.takedown_confirmations`);
    await runner.query(`DROP TABLE ${s}.takedowns`);
  }
}

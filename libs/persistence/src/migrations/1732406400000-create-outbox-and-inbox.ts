import { MigrationInterface, QueryRunner } from 'typeorm';
import { quotedSchema } from '../data-source';

/** The outbox (events waiting to be published) and the inbox (events already handled) of a schema. */
export class CreateOutboxAndInbox1732406400000 implements MigrationInterface {
  name = 'CreateOutboxAndInbox1732406400000';

  async up(runner: QueryRunner): Promise<void> {
    const s = quotedSchema(runner.connection);
    await runner.query(`
      CREATE TABLE ${s}.outbox (
        id bigserial PRIMARY KEY,
        topic text NOT NULL,
        key text,
        value text NOT NULL,
        headers jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz
      )`);
    await runner.query(`CREATE INDEX outbox_unpublished ON ${s}.outbox (id) WHERE published_at IS NULL`);
    await runner.query(
      `CREATE INDEX outbox_published_at ON ${s}.outbox (published_at) WHERE published_at IS NOT NULL`,
    );
    await runner.query(`
      CREATE TABLE ${s}.inbox (
        consumer text NOT NULL,
        event_id text NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      )`);
    await runner.query(`CREATE INDEX inbox_processed_at ON ${s}.inbox (processed_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = quotedSchema(runner.connection);
    await runner.query(`DROP TABLE ${s}.inbox`);
    await runner.query(`DROP TABLE ${s}.outbox`);
  }
}

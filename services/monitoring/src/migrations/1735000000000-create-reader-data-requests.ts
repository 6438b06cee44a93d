import { quotedSchema } from '@newsroom/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A reader's export and erasure requests and each holder's confirmation of them: the receipt.
 * `expected_instances` are the serving replicas live when the request was made (each confirms for
 * the index it holds in memory).
 */
export class CreateReaderDataRequests1735000000000 implements MigrationInterface {
  name = 'CreateReaderDataRequests1735000000000';

  async up(runner: QueryRunner): Promise<void> {
    const s = quotedSchema(runner.connection);
    await runner.query(`
      CREATE TABLE ${s}.reader_data_requests (
        request_id uuid PRIMARY KEY,
        user_id text NOT NULL,
        action text NOT NULL CHECK (action IN ('export', 'erasure')),
        requested_at timestamptz NOT NULL,
        actor text NOT NULL,
        expected_instances text[] NOT NULL
      )`);
    await runner.query(`CREATE INDEX reader_data_requests_user ON ${s}.reader_data_requests (user_id)`);
    await runner.query(`
      CREATE TABLE ${s}.reader_data_confirmations (
        request_id uuid NOT NULL,
        holder text NOT NULL,
        instance text NOT NULL,
        records integer NOT NULL,
        part_uri text,
        part_sha256 text,
        confirmed_at timestamptz NOT NULL,
        PRIMARY KEY (request_id, holder, instance)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = quotedSchema(runner.connection);
    await runner.query(`DROP TABLE ${s}.reader_data_confirmations`);
    await runner.query(`DROP TABLE ${s}.reader_data_requests`);
  }
}

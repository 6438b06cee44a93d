import { quotedSchema } from '@newsroom/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Snapshots asked for on `training.requested`, recorded when the request is consumed and built by
 * a background job (a build takes a minute; the consumer must not wait for it). The window is
 * fixed at receipt, so a build redone after a crash makes the same dataset.
 */
export class CreateSnapshotRequests1732700000000 implements MigrationInterface {
  name = 'CreateSnapshotRequests1732700000000';

  async up(runner: QueryRunner): Promise<void> {
    const s = quotedSchema(runner.connection);
    await runner.query(`
      CREATE TABLE ${s}.snapshot_requests (
        request_id uuid PRIMARY KEY,
        trigger text NOT NULL,
        window_start timestamptz NOT NULL,
        window_end timestamptz NOT NULL,
        validation_from timestamptz NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        claimed_at timestamptz,
        answered_at timestamptz,
        outcome text
      )`);
    await runner.query(
      `CREATE INDEX snapshot_requests_open ON ${s}.snapshot_requests (received_at) WHERE answered_at IS NULL`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE ${quotedSchema(runner.connection)}.snapshot_requests`);
  }
}

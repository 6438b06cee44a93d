import { quotedSchema } from '@newsroom/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `service_vitals`: every instance's reports (`service.vitals`), kept a day beyond the SLA window
 * for the counts at its start; `service_instances`: each instance's latest report.
 */
export class CreateServiceVitals1733800000000 implements MigrationInterface {
  name = 'CreateServiceVitals1733800000000';

  async up(runner: QueryRunner): Promise<void> {
    const s = quotedSchema(runner.connection);
    const report = `
        reported_at timestamptz NOT NULL,
        succeeded bigint NOT NULL,
        rejected bigint NOT NULL,
        failed bigint NOT NULL,
        timed_out bigint NOT NULL`;
    await runner.query(`
      CREATE TABLE ${s}.service_vitals (
        instance text NOT NULL,${report},
        PRIMARY KEY (instance, reported_at)
      )`);
    await runner.query(`CREATE INDEX service_vitals_reported_at ON ${s}.service_vitals (reported_at)`);
    await runner.query(`
      CREATE TABLE ${s}.service_instances (
        instance text PRIMARY KEY,
        service text NOT NULL,
        started_at timestamptz NOT NULL,
        interval_ms integer NOT NULL,
        stopping boolean NOT NULL,
        slo_target float8 NOT NULL,
        outbox_pending integer,
        outbox_oldest_seconds float8,${report}
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = quotedSchema(runner.connection);
    await runner.query(`DROP TABLE ${s}.service_instances`);
    await runner.query(`DROP TABLE ${s}.service_vitals`);
  }
}

import { Injectable } from '@nestjs/common';
import { TopicPayload, topics } from '@newsroom/contracts';
import { quotedSchema } from '@newsroom/persistence';
import { DataSource } from 'typeorm';
import { InstanceReport, RequestCounts, WindowBaseline } from './service-health';

type ServiceVitals = TopicPayload<typeof topics.serviceVitals>;

interface CountsRow {
  reported_at: Date;
  succeeded: string;
  rejected: string;
  failed: string;
  timed_out: string;
}

const counts = (row: CountsRow): RequestCounts => ({
  succeeded: Number(row.succeeded),
  rejected: Number(row.rejected),
  failed: Number(row.failed),
  timedOut: Number(row.timed_out),
});

/**
 * The services' vitals: each report kept (for the counts at the SLA window's start) and each
 * instance's latest. Storing a report twice changes nothing, and an older one never replaces a newer.
 */
@Injectable()
export class ServiceVitalsStore {
  constructor(private readonly dataSource: DataSource) {}

  async record(reports: { vitals: ServiceVitals; reportedAt: string }[]): Promise<void> {
    if (reports.length === 0) return;
    const s = quotedSchema(this.dataSource);
    const rows = JSON.stringify(
      reports.map(({ vitals, reportedAt }) => ({
        instance: vitals.instance,
        service: vitals.service,
        startedAt: vitals.startedAt,
        intervalMs: vitals.intervalMs,
        stopping: vitals.stopping,
        sloTarget: vitals.sloAvailabilityTarget,
        outboxPending: vitals.outbox?.pending ?? null,
        outboxOldestSeconds: vitals.outbox?.oldestSeconds ?? null,
        reportedAt,
        ...vitals.requests,
      })),
    );
    const recordset = `json_to_recordset($1::json) AS r(instance text, service text, "startedAt" timestamptz,
      "intervalMs" int, stopping boolean, "sloTarget" float8, "outboxPending" int, "outboxOldestSeconds" float8,
      "reportedAt" timestamptz, succeeded bigint, rejected bigint, failed bigint, "timedOut" bigint)`;
    await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO ${s}.service_vitals (instance, reported_at, succeeded, rejected, failed, timed_out)
         SELECT instance, "reportedAt", succeeded, rejected, failed, "timedOut" FROM ${recordset}
         ON CONFLICT DO NOTHING`,
        [rows],
      );
      // The newest report per instance of the batch, then only where it is newer than the stored one.
      await manager.query(
        `INSERT INTO ${s}.service_instances AS i (instance, service, started_at, interval_ms, stopping, slo_target,
           outbox_pending, outbox_oldest_seconds, reported_at, succeeded, rejected, failed, timed_out)
         SELECT DISTINCT ON (instance) instance, service, "startedAt", "intervalMs", stopping, "sloTarget",
           "outboxPending", "outboxOldestSeconds", "reportedAt", succeeded, rejected, failed, "timedOut"
         FROM ${recordset}
         ORDER BY instance, "reportedAt" DESC
         ON CONFLICT (instance) DO UPDATE SET
           stopping = EXCLUDED.stopping, slo_target = EXCLUDED.slo_target, interval_ms = EXCLUDED.interval_ms,
           outbox_pending = EXCLUDED.outbox_pending, outbox_oldest_seconds = EXCLUDED.outbox_oldest_seconds,
           reported_at = EXCLUDED.reported_at, succeeded = EXCLUDED.succeeded, rejected = EXCLUDED.rejected,
           failed = EXCLUDED.failed, timed_out = EXCLUDED.timed_out
         WHERE EXCLUDED.reported_at > i.reported_at`,
        [rows],
      );
    });
  }

  async latest(): Promise<InstanceReport[]> {
    const rows: (CountsRow & {
      instance: string;
      service: string;
      started_at: Date;
      interval_ms: number;
      stopping: boolean;
      slo_target: number;
      outbox_pending: number | null;
      outbox_oldest_seconds: number | null;
    })[] = await this.dataSource.query(`SELECT * FROM ${quotedSchema(this.dataSource)}.service_instances`);
    return rows.map((row) => ({
      instance: row.instance,
      service: row.service,
      startedAt: row.started_at.getTime(),
      reportedAt: row.reported_at.getTime(),
      intervalMs: row.interval_ms,
      stopping: row.stopping,
      sloTarget: row.slo_target,
      requests: counts(row),
      outbox:
        row.outbox_pending === null || row.outbox_oldest_seconds === null
          ? null
          : { pending: row.outbox_pending, oldestSeconds: row.outbox_oldest_seconds },
    }));
  }

  /** Each instance's last report at or before `windowStart`, or its first when it has none. */
  async baselines(windowStart: Date): Promise<WindowBaseline[]> {
    const s = quotedSchema(this.dataSource);
    const rows: (CountsRow & { instance: string })[] = await this.dataSource.query(
      `SELECT i.instance, b.*
       FROM ${s}.service_instances i
       CROSS JOIN LATERAL (
         SELECT * FROM (
           (SELECT reported_at, succeeded, rejected, failed, timed_out FROM ${s}.service_vitals v
            WHERE v.instance = i.instance AND v.reported_at <= $1 ORDER BY v.reported_at DESC LIMIT 1)
           UNION ALL
           (SELECT reported_at, succeeded, rejected, failed, timed_out FROM ${s}.service_vitals v
            WHERE v.instance = i.instance ORDER BY v.reported_at LIMIT 1)
         ) candidates ORDER BY reported_at <= $1 DESC LIMIT 1
       ) b`,
      [windowStart],
    );
    return rows.map((row) => ({
      instance: row.instance,
      reportedAt: row.reported_at.getTime(),
      requests: counts(row),
    }));
  }

  /** Forgets reports, and instances, last heard of before `before`. */
  async prune(before: Date): Promise<void> {
    const s = quotedSchema(this.dataSource);
    await this.dataSource.query(`DELETE FROM ${s}.service_vitals WHERE reported_at < $1`, [before]);
    // A service's newest instance stays, however old: a service that died long ago is still down.
    await this.dataSource.query(
      `DELETE FROM ${s}.service_instances i WHERE reported_at < $1
       AND EXISTS (SELECT 1 FROM ${s}.service_instances n WHERE n.service = i.service AND n.reported_at > i.reported_at)`,
      [before],
    );
  }
}

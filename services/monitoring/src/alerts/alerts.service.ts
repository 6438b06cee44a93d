import { Inject, Injectable, Logger } from '@nestjs/common';
import { derivedEventId, newEvent, topics } from '@newsroom/contracts';
import { Outbox, quotedSchema } from '@newsroom/persistence';
import { SERVICE_CONFIG } from '@newsroom/platform';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { MonitoringConfig } from '../config';
import { AlertCondition, MonitoringAlert, StoredAlert } from './alert';

interface AlertRow {
  alert_id: string;
  dedup_key: string;
  type: MonitoringAlert['type'];
  severity: MonitoringAlert['severity'];
  subject: string;
  state: MonitoringAlert['state'];
  message: string;
  details: Record<string, unknown>;
  source: string;
  first_seen_at: Date;
  last_seen_at: Date;
  resolved_at: Date | null;
  clear_checks: number;
}

const SELF = 'monitoring';

/**
 * The alerts' life cycle. A condition that holds fires its alert once (`monitoring.alert`, state
 * `firing`) and then only refreshes it; the alert resolves (state `resolved`, same alertId) after
 * the condition has been clear for MONITORING_ALERT_CLEAR_CHECKS checks in a row, so a value
 * hovering at its threshold does not flap. Each change and its event commit together (outbox).
 */
@Injectable()
export class AlertsService {
  private readonly logger = new Logger(AlertsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    @Inject(SERVICE_CONFIG) private readonly config: MonitoringConfig,
  ) {}

  private get table(): string {
    return `${quotedSchema(this.dataSource)}.alerts`;
  }

  /** The condition holds now: fire its alert, or refresh the one firing. */
  async raise(condition: AlertCondition, now = new Date()): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const [firing] = await this.firing(manager, condition.dedupKey);
      if (firing) {
        await manager.query(
          `UPDATE ${this.table} SET last_seen_at = $2, message = $3, details = $4, severity = $5, clear_checks = 0
           WHERE alert_id = $1`,
          [firing.alert_id, now, condition.message, JSON.stringify(condition.details), condition.severity],
        );
        return;
      }
      const alertId = randomUUID();
      await manager.query(
        `INSERT INTO ${this.table} (alert_id, dedup_key, type, severity, subject, state, message, details, source,
           first_seen_at, last_seen_at)
         VALUES ($1, $2, $3, $4, $5, 'firing', $6, $7, $8, $9, $9)`,
        [
          alertId,
          condition.dedupKey,
          condition.type,
          condition.severity,
          condition.subject,
          condition.message,
          JSON.stringify(condition.details),
          SELF,
          now,
        ],
      );
      const [row] = await manager.query(`SELECT * FROM ${this.table} WHERE alert_id = $1`, [alertId]);
      await this.publish(manager, toAlert(row));
      this.logger.warn(`${condition.type} alert firing: ${condition.message}`);
    });
  }

  /**
   * The condition does not hold now: resolve its alert once it has been clear often enough in a
   * row (at once with `immediately`, for a condition whose subject is gone, such as a replaced champion).
   */
  async clear(dedupKey: string, { immediately = false, now = new Date() } = {}): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const [firing] = await this.firing(manager, dedupKey);
      if (!firing) return;
      const checks = firing.clear_checks + 1;
      if (!immediately && checks < this.config.MONITORING_ALERT_CLEAR_CHECKS) {
        await manager.query(`UPDATE ${this.table} SET clear_checks = $2 WHERE alert_id = $1`, [
          firing.alert_id,
          checks,
        ]);
        return;
      }
      await this.resolve(manager, firing, now);
    });
  }

  /** Resolves at once every firing alert whose key starts with `prefix`, except those in `keep`. */
  async clearOthers(prefix: string, keep: readonly string[] = [], now = new Date()): Promise<void> {
    const keys: { dedup_key: string }[] = await this.dataSource.query(
      `SELECT dedup_key FROM ${this.table} WHERE state = 'firing' AND starts_with(dedup_key, $1)`,
      [prefix],
    );
    for (const { dedup_key } of keys)
      if (!keep.includes(dedup_key)) await this.clear(dedup_key, { immediately: true, now });
  }

  /** An alert another service raised (or ended): kept so the list shows every alert of the platform. */
  async recordExternal(alert: MonitoringAlert, source: string): Promise<void> {
    if (source === SELF) return;
    if (alert.state === 'firing') {
      // The same alert again (a repeated notification) is seen later; a second firing alert for a
      // condition already firing leaves that one as it is.
      await this.dataSource.query(
        `UPDATE ${this.table} SET last_seen_at = greatest(last_seen_at, $2) WHERE alert_id = $1 AND state = 'firing'`,
        [alert.alertId, alert.lastSeenAt],
      );
      await this.dataSource.query(
        `INSERT INTO ${this.table} (alert_id, dedup_key, type, severity, subject, state, message, details, source,
           first_seen_at, last_seen_at)
         VALUES ($1, $2, $3, $4, $5, 'firing', $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`,
        [
          alert.alertId,
          alert.dedupKey,
          alert.type,
          alert.severity,
          alert.subject,
          alert.message,
          JSON.stringify(alert.details),
          source,
          alert.firstSeenAt,
          alert.lastSeenAt,
        ],
      );
    } else {
      await this.dataSource.query(
        `UPDATE ${this.table} SET state = 'resolved', resolved_at = $2, last_seen_at = $3
         WHERE alert_id = $1 AND state = 'firing'`,
        [alert.alertId, alert.resolvedAt ?? alert.lastSeenAt, alert.lastSeenAt],
      );
    }
  }

  /** Firing alerts, then those resolved within `recentHours`, newest first. */
  async list(filter: {
    state?: MonitoringAlert['state'];
    type?: string;
    recentHours: number;
    limit: number;
  }) {
    const rows: AlertRow[] = await this.dataSource.query(
      `SELECT * FROM ${this.table}
       WHERE (state = 'firing' OR resolved_at > now() - make_interval(hours => $1))
         AND ($2::text IS NULL OR state = $2) AND ($3::text IS NULL OR type = $3)
       ORDER BY state = 'firing' DESC, last_seen_at DESC LIMIT $4`,
      [filter.recentHours, filter.state ?? null, filter.type ?? null, filter.limit],
    );
    return rows.map(toAlert);
  }

  /**
   * Firing alerts per type and severity, those Prometheus fired left out: they are what these
   * counts made it fire, and counting them back would keep them firing for ever.
   */
  async firingCounts(): Promise<{ type: string; severity: string; n: number }[]> {
    return this.dataSource.query(
      `SELECT type, severity, count(*)::int AS n FROM ${this.table}
       WHERE state = 'firing' AND source <> 'prometheus' GROUP BY type, severity`,
    );
  }

  private firing(manager: EntityManager, dedupKey: string): Promise<AlertRow[]> {
    return manager.query(`SELECT * FROM ${this.table} WHERE dedup_key = $1 AND state = 'firing' FOR UPDATE`, [
      dedupKey,
    ]);
  }

  private async resolve(manager: EntityManager, firing: AlertRow, now: Date): Promise<void> {
    // An UPDATE answers [rows, count].
    const [[row]] = await manager.query(
      `UPDATE ${this.table} SET state = 'resolved', resolved_at = $2, last_seen_at = $2 WHERE alert_id = $1
       RETURNING *`,
      [firing.alert_id, now],
    );
    // Also for an alert another service fired (a rejected snapshot): monitoring ends it for everyone.
    await this.publish(manager, toAlert(row));
    this.logger.log(`${firing.type} alert resolved: ${firing.message}`);
  }

  private async publish(manager: EntityManager, { source: _source, ...alert }: StoredAlert): Promise<void> {
    await this.outbox.enqueue(manager, topics.monitoringAlert, [
      {
        key: alert.type,
        value: newEvent(topics.monitoringAlert.name, alert, SELF, {
          eventId: derivedEventId(`${alert.alertId}:${alert.state}`),
        }),
      },
    ]);
  }
}

function toAlert(row: AlertRow): StoredAlert {
  return {
    alertId: row.alert_id,
    type: row.type,
    severity: row.severity,
    state: row.state,
    subject: row.subject,
    dedupKey: row.dedup_key,
    message: row.message,
    details: row.details,
    firstSeenAt: new Date(row.first_seen_at).toISOString(),
    lastSeenAt: new Date(row.last_seen_at).toISOString(),
    ...(row.resolved_at ? { resolvedAt: new Date(row.resolved_at).toISOString() } : {}),
    source: row.source,
  };
}

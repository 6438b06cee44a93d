import { Inject, Injectable } from '@nestjs/common';
import { gauge } from '@newsroom/observability';
import { PeriodicJob, SERVICE_CONFIG } from '@newsroom/platform';
import { AlertsService } from '../alerts/alerts.service';
import { AlertCondition } from '../alerts/alert';
import { MonitoringConfig } from '../config';
import { DAY_MS } from '../observations/observation-fold';
import { ServiceHealth } from './service-health';
import { VitalsService } from './vitals.service';

const availability = gauge(
  'monitoring_service_availability',
  "Share of a service's requests in the SLA window that neither failed nor timed out (-1 without requests)",
  ['service'],
);
const windowRequests = gauge(
  'monitoring_service_window_requests',
  "A service's requests in the SLA window, by outcome",
  ['service', 'outcome'],
);
const liveInstances = gauge(
  'monitoring_service_live_instances',
  'Instances of a service reporting their vitals',
  ['service'],
);
const outboxOldest = gauge(
  'monitoring_service_outbox_oldest_pending_seconds',
  "Age of the oldest outbox row a service's live instances have not published",
  ['service'],
);

/** Alert keys this job owns, by prefix: an alert of a service no longer reported on is ended. */
const keyPrefixes = { sla: 'serving:sla:', outbox: 'pipeline:outbox:', down: 'pipeline:down:' } as const;

/**
 * The services' SLA, outbox and liveness every MONITORING_CHECK_INTERVAL_MS, from their vitals:
 * `serving` alerts when a service's availability over MONITORING_SLA_WINDOW_MINUTES falls below its
 * objective (on at least MONITORING_SLA_MIN_REQUESTS requests), `pipeline` alerts when a service's
 * outbox holds a row longer than MONITORING_OUTBOX_MAX_AGE_SECONDS and when no instance of a
 * service reports any more without having stopped cleanly.
 */
@Injectable()
export class VitalsJob extends PeriodicJob {
  constructor(
    private readonly vitals: VitalsService,
    private readonly alerts: AlertsService,
    @Inject(SERVICE_CONFIG) private readonly config: MonitoringConfig,
  ) {
    super('VitalsJob', config.MONITORING_CHECK_INTERVAL_MS);
  }

  protected async runOnce(): Promise<void> {
    const now = Date.now();
    const services = await this.vitals.health(now);
    this.export(services);
    const keys: string[] = [];
    for (const service of services)
      for (const [dedupKey, condition] of this.conditions(service)) {
        keys.push(dedupKey);
        if (condition) await this.alerts.raise({ dedupKey, ...condition });
        else await this.alerts.clear(dedupKey);
      }
    for (const prefix of Object.values(keyPrefixes)) await this.alerts.clearOthers(prefix, keys);
    await this.vitals.prune(new Date(now - this.config.MONITORING_SLA_WINDOW_MINUTES * 60_000 - DAY_MS));
  }

  private conditions(health: ServiceHealth): Map<string, Omit<AlertCondition, 'dedupKey'> | null> {
    const { service, window, sloTarget } = health;
    const conditions = new Map<string, Omit<AlertCondition, 'dedupKey'> | null>();
    const minutes = this.config.MONITORING_SLA_WINDOW_MINUTES;
    const measured = health.availability ?? 1;
    const breached = window.requests >= this.config.MONITORING_SLA_MIN_REQUESTS && measured < sloTarget;
    conditions.set(
      keyPrefixes.sla + service,
      breached
        ? {
            type: 'serving',
            severity: 'critical',
            subject: service,
            message:
              `${service} answered ${percent(measured)} of ${window.requests} requests in the last ` +
              `${minutes} min without failing or timing out, below its objective of ${percent(sloTarget)} ` +
              `(${window.failed} failed, ${window.timedOut} timed out)`,
            details: { availability: health.availability, sloTarget, windowMinutes: minutes, ...window },
          }
        : null,
    );
    const maxAge = this.config.MONITORING_OUTBOX_MAX_AGE_SECONDS;
    conditions.set(
      keyPrefixes.outbox + service,
      health.outbox && health.outbox.oldestSeconds > maxAge
        ? {
            type: 'pipeline',
            severity: 'warning',
            subject: service,
            message:
              `${service}'s outbox holds ${health.outbox.pending} events, the oldest for ` +
              `${Math.round(health.outbox.oldestSeconds)} s (more than ${maxAge} s): they are not reaching Kafka`,
            details: { ...health.outbox, maxAgeSeconds: maxAge },
          }
        : null,
    );
    conditions.set(
      keyPrefixes.down + service,
      health.down
        ? {
            type: 'pipeline',
            severity: 'critical',
            subject: service,
            message: `no instance of ${service} has reported since ${health.lastReportAt}, and none stopped cleanly: it died or cannot reach Kafka`,
            details: { lastReportAt: health.lastReportAt, silentInstances: health.silentInstances },
          }
        : null,
    );
    return conditions;
  }

  private export(services: ServiceHealth[]): void {
    for (const health of services) {
      const service = health.service;
      availability.set({ service }, health.availability ?? -1);
      for (const outcome of ['succeeded', 'rejected', 'failed', 'timedOut'] as const)
        windowRequests.set({ service, outcome }, health.window[outcome]);
      liveInstances.set({ service }, health.liveInstances);
      outboxOldest.set({ service }, health.outbox?.oldestSeconds ?? 0);
    }
  }
}

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

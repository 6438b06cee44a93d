import { AlertSeverity, AlertType, MonitoringAlert } from './alert';
import { alertSeverities, alertTypes, derivedEventId } from '@newsroom/contracts';
import { AlertmanagerAlert } from './dto/alertmanager-notification';

/** Prometheus rules' severities (infra/prometheus/rules) in the contract's three. */
const severities: Record<string, AlertSeverity> = { page: 'critical', ticket: 'info' };

/**
 * An alert Prometheus fired, as monitoring lists it. Its id is derived from Alertmanager's
 * fingerprint (the alert's labels) and start, so the firing and the resolved notification — and
 * every repeat — name the same alert; a new episode of the same alert is a new one. A type or
 * severity outside the contract's (`resources`, say) is listed as a pipeline alert, `warning`,
 * with the original in its labels.
 */
export function alertFromAlertmanager(alert: AlertmanagerAlert, receivedAt: Date): MonitoringAlert {
  const name = alert.labels['alertname'] ?? 'unnamed';
  const fingerprint =
    alert.fingerprint ?? derivedEventId(JSON.stringify(Object.entries(alert.labels).sort()));
  const type = alert.labels['type'] ?? '';
  const severity = alert.labels['severity'] ?? '';
  const startsAt = new Date(alert.startsAt).toISOString();
  const endsAt =
    alert.endsAt && Date.parse(alert.endsAt) > 0 ? new Date(alert.endsAt).toISOString() : undefined;
  return {
    alertId: derivedEventId(`alertmanager|${fingerprint}|${startsAt}`),
    type: (alertTypes as readonly string[]).includes(type) ? (type as AlertType) : 'pipeline',
    severity:
      severities[severity] ??
      ((alertSeverities as readonly string[]).includes(severity) ? (severity as AlertSeverity) : 'warning'),
    state: alert.status,
    subject: alert.labels['service'] ?? alert.labels['topic'] ?? name,
    dedupKey: `prometheus:${name}:${fingerprint}`,
    message: alert.annotations['summary'] ?? name,
    details: {
      alertname: name,
      labels: alert.labels,
      ...(alert.annotations['description'] ? { description: alert.annotations['description'] } : {}),
      ...(alert.generatorURL ? { generatorURL: alert.generatorURL } : {}),
    },
    firstSeenAt: startsAt,
    lastSeenAt: receivedAt.toISOString(),
    ...(alert.status === 'resolved' ? { resolvedAt: endsAt ?? receivedAt.toISOString() } : {}),
  };
}

import { topics } from '@newsroom/contracts';
import { alertFromAlertmanager } from './alertmanager-alert';
import { AlertmanagerNotification } from './dto/alertmanager-notification';

// As Alertmanager 0.25 posts it (nanosecond timestamps, the zero time for a firing alert's end).
const notification = AlertmanagerNotification.parse({
  version: '4',
  groupKey: '{}/{}:{alertname="NewsroomTrainingRunsFailing"}',
  truncatedAlerts: 0,
  status: 'firing',
  receiver: 'monitoring',
  alerts: [
    {
      status: 'firing',
      labels: {
        alertname: 'NewsroomTrainingRunsFailing',
        severity: 'critical',
        type: 'pipeline',
        pipeline: 'model',
        instance: 'monitoring:3008',
      },
      annotations: {
        summary: 'The last 2 training runs failed',
        description: 'No model has been trained since.',
      },
      startsAt: '2026-12-04T04:30:15.123456789Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus:9090/graph?g0.expr=...',
      fingerprint: 'a1b2c3d4e5f60718',
    },
  ],
});
const receivedAt = new Date('2026-12-04T04:31:00.000Z');

describe('alertFromAlertmanager', () => {
  it("is a contract alert carrying the rule's summary, labels and description", () => {
    const alert = alertFromAlertmanager(notification.alerts[0], receivedAt);
    expect(topics.monitoringAlert.value.shape.payload.parse(alert)).toEqual(alert);
    expect(alert).toMatchObject({
      type: 'pipeline',
      severity: 'critical',
      state: 'firing',
      subject: 'NewsroomTrainingRunsFailing',
      dedupKey: 'prometheus:NewsroomTrainingRunsFailing:a1b2c3d4e5f60718',
      message: 'The last 2 training runs failed',
      firstSeenAt: '2026-12-04T04:30:15.123Z',
      lastSeenAt: '2026-12-04T04:31:00.000Z',
      details: { description: 'No model has been trained since.', labels: { pipeline: 'model' } },
    });
    expect(alert.resolvedAt).toBeUndefined();
  });

  it('names the same alert when it resolves, and a new one when it fires again', () => {
    const firing = notification.alerts[0];
    const resolved = alertFromAlertmanager(
      { ...firing, status: 'resolved', endsAt: '2026-12-04T05:00:00Z' },
      receivedAt,
    );
    expect(resolved.alertId).toBe(alertFromAlertmanager(firing, receivedAt).alertId);
    expect(resolved).toMatchObject({ state: 'resolved', resolvedAt: '2026-12-04T05:00:00.000Z' });
    const again = alertFromAlertmanager({ ...firing, startsAt: '2026-12-04T06:00:00Z' }, receivedAt);
    expect(again.alertId).not.toBe(resolved.alertId);
    expect(again.dedupKey).toBe(resolved.dedupKey);
  });

  it("maps the rules' severities and types into the contract's, keeping the originals in the labels", () => {
    const of = (labels: Record<string, string>) =>
      alertFromAlertmanager({ ...notification.alerts[0], labels: { alertname: 'X', ...labels } }, receivedAt);
    expect(of({ severity: 'page', type: 'serving', service: 'serving' })).toMatchObject({
      severity: 'critical',
      type: 'serving',
      subject: 'serving',
    });
    expect(of({ severity: 'ticket' }).severity).toBe('info');
    expect(of({ severity: 'warning', type: 'resources' })).toMatchObject({
      severity: 'warning',
      type: 'pipeline',
      details: { labels: { type: 'resources' } },
    });
  });

  it('derives a fingerprint from the labels when Alertmanager sends none', () => {
    const { fingerprint: _, ...withoutFingerprint } = notification.alerts[0];
    const a = alertFromAlertmanager(withoutFingerprint, receivedAt);
    const b = alertFromAlertmanager(
      { ...withoutFingerprint, labels: { ...withoutFingerprint.labels } },
      receivedAt,
    );
    expect(a.dedupKey).toBe(b.dedupKey);
    expect(a.dedupKey).toMatch(/^prometheus:NewsroomTrainingRunsFailing:[0-9a-f-]{36}$/);
  });
});

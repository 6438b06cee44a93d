import { TopicPayload, topics } from '@newsroom/contracts';

export type MonitoringAlert = TopicPayload<typeof topics.monitoringAlert>;
export type AlertType = MonitoringAlert['type'];
export type AlertSeverity = MonitoringAlert['severity'];

/** A condition a check found true: fires an alert unless one with its `dedupKey` is firing. */
export interface AlertCondition {
  dedupKey: string;
  type: AlertType;
  severity: AlertSeverity;
  subject: string;
  message: string;
  details: Record<string, unknown>;
}

/** An alert as stored and listed: the event's fields and who raised it. */
export type StoredAlert = MonitoringAlert & { source: string };

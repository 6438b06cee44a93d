import { rfc3339DateTime } from '@newsroom/contracts';
import { z } from 'zod';

/**
 * What Alertmanager's webhook receiver posts (payload version 4). Only what monitoring keeps is
 * required; the rest (groupKey, truncatedAlerts, externalURL…) may come and is ignored.
 */
export const AlertmanagerAlert = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()).default({}),
  startsAt: rfc3339DateTime('expected an RFC 3339 date-time'),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().optional(),
});
export type AlertmanagerAlert = z.infer<typeof AlertmanagerAlert>;

export const AlertmanagerNotification = z.object({
  version: z.string().optional(),
  receiver: z.string().optional(),
  alerts: z.array(AlertmanagerAlert),
});

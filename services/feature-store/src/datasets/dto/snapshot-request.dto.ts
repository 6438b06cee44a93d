import { z } from 'zod';

const isoDateTime = z.iso.datetime({ offset: true, message: 'expected an ISO-8601 date-time' });

/** POST /v1/datasets: every field optional; the defaults are the service's configured window. */
export const SnapshotRequest = z.strictObject({
  windowStart: isoDateTime.optional(),
  windowEnd: isoDateTime.optional(),
  validationHours: z
    .number()
    .int()
    .positive()
    .max(24 * 90)
    .optional(),
});
export type SnapshotRequest = z.infer<typeof SnapshotRequest>;

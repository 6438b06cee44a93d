import { z } from 'zod';

/** POST /v1/models/{version}/promote and /v1/models/rollback: why (recorded with the change). */
export const StageChange = z.strictObject({
  reason: z.string().min(1).max(500).optional(),
});
export type StageChange = z.infer<typeof StageChange>;

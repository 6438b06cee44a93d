import { z } from 'zod';

/** POST /v1/training-runs: a dataset to train on, else a fresh snapshot is requested first. */
export const TrainingRunRequest = z.strictObject({
  datasetId: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'expected a dataset id (64 hex digits)')
    .optional(),
  reason: z.string().min(1).max(500).optional(),
});
export type TrainingRunRequest = z.infer<typeof TrainingRunRequest>;

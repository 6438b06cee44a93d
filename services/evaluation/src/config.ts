import { artifactEnv } from '@newsroom/artifacts';
import { mlBackendEnv } from '@newsroom/ml';
import { serviceEnv } from '@newsroom/platform';
import { z } from 'zod';

const nonNegative = (fallback: number) => z.coerce.number().min(0).default(fallback);

export const configSchema = z.object({
  ...serviceEnv(3004),
  ...artifactEnv,
  ...mlBackendEnv,
  /** Gate: the candidate's NDCG@10 may be at most this much below the champion's. */
  EVALUATION_MAX_NDCG_DROP: nonNegative(0.005),
  /** Gate: the candidate's NDCG@10 must be at least this multiple of each baseline's. */
  EVALUATION_MIN_BASELINE_RATIO: z.coerce.number().positive().default(1.1),
  /** Gate: no slice's NDCG@10 may be more than this below the champion's on the same slice… */
  EVALUATION_MAX_SLICE_DROP: nonNegative(0.02),
  /** …among slices with at least this many readers (smaller ones are reported, not gated). */
  EVALUATION_MIN_SLICE_READERS: z.coerce.number().int().min(1).default(50),
});
export type EvaluationConfig = z.infer<typeof configSchema>;

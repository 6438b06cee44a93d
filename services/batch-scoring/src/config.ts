import { serviceEnv } from '@newsroom/platform';
import { z } from 'zod';

export const configSchema = z.object({
  ...serviceEnv(3006),
});
export type BatchScoringConfig = z.infer<typeof configSchema>;

import { serviceEnv } from '@newsroom/platform';
import { z } from 'zod';

export const configSchema = z.object({
  ...serviceEnv(3004),
});
export type EvaluationConfig = z.infer<typeof configSchema>;

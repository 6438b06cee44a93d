import { serviceEnv } from '@newsroom/platform';
import { z } from 'zod';

export const configSchema = z.object({
  ...serviceEnv(3003),
});
export type TrainingConfig = z.infer<typeof configSchema>;

import { serviceEnv } from '@newsroom/platform';
import { z } from 'zod';

export const configSchema = z.object({
  ...serviceEnv(3007),
});
export type ServingConfig = z.infer<typeof configSchema>;

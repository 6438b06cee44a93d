import { serviceEnv } from '@newsroom/platform';
import { z } from 'zod';

export const configSchema = z.object({
  ...serviceEnv(3005),
});
export type RegistryConfig = z.infer<typeof configSchema>;

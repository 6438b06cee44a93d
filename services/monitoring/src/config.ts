import { serviceEnv } from '@newsroom/platform';
import { z } from 'zod';

export const configSchema = z.object({
  ...serviceEnv(3008),
});
export type MonitoringConfig = z.infer<typeof configSchema>;

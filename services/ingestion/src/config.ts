import { serviceEnv } from '@newsroom/platform';
import { z } from 'zod';

export const configSchema = z.object({
  ...serviceEnv(3001),
});
export type IngestionConfig = z.infer<typeof configSchema>;

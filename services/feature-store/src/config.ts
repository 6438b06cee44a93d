import { serviceEnv } from '@newsroom/platform';
import { z } from 'zod';

export const configSchema = z.object({
  ...serviceEnv(3002),
});
export type FeatureStoreConfig = z.infer<typeof configSchema>;

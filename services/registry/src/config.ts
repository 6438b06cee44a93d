import { artifactEnv } from '@newsroom/artifacts';
import { env } from '@newsroom/config';
import { serviceEnv } from '@newsroom/platform';
import { z } from 'zod';

export const configSchema = z.object({
  ...serviceEnv(3005),
  ...artifactEnv,
  /** Keys allowed to promote and roll back (`name:key`, comma-separated). */
  REGISTRY_ADMIN_API_KEYS: env.apiKeys('REGISTRY_ADMIN_API_KEYS'),
  REGISTRY_RATE_LIMIT_PER_SECOND: env.positiveInt(50),
});
export type RegistryConfig = z.infer<typeof configSchema>;

import { artifactEnv } from '@newsroom/artifacts';
import { env } from '@newsroom/config';
import { serviceEnv } from '@newsroom/platform';
import { z } from 'zod';

export const configSchema = z.object({
  ...serviceEnv(3005),
  ...artifactEnv,
  /** Keys allowed to promote and roll back (`name:sha256:<hex>` or `name:key`, comma-separated). */
  REGISTRY_ADMIN_API_KEYS: env.apiKeys('REGISTRY_ADMIN_API_KEYS'),
  REGISTRY_RATE_LIMIT_PER_SECOND: env.positiveInt(50),
  /** Monitoring's base URL: a model card asks its GET /v1/model-quality for the version's online quality. */
  REGISTRY_MONITORING_URL: env.url('http://127.0.0.1:3008'),
  /** How long a model card waits for monitoring before it says online quality is unavailable. */
  REGISTRY_MONITORING_TIMEOUT_MS: env.positiveInt(2_000),
  /** A model card names evaluation slices with fewer held-out readers as too small to judge (as the gate skips them). */
  REGISTRY_CARD_MIN_SLICE_READERS: env.positiveInt(50),
});
export type RegistryConfig = z.infer<typeof configSchema>;

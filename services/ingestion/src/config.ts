import { artifactEnv } from '@newsroom/artifacts';
import { env } from '@newsroom/config';
import { serviceEnv } from '@newsroom/platform';
import { z } from 'zod';

export const configSchema = z.object({
  ...serviceEnv(3001),
  /** Where a reader's data export writes the warehouse's part. */
  ...artifactEnv,
  /** Producers' keys for POST /v1/articles and /v1/interactions. */
  INGESTION_API_KEYS: env.apiKeys('INGESTION_API_KEYS'),
  /** Moderators' keys for flagging and unflagging articles. */
  INGESTION_MODERATOR_API_KEYS: env.apiKeys('INGESTION_MODERATOR_API_KEYS'),
  /** Administrators' keys: accepted for every route. */
  INGESTION_ADMIN_API_KEYS: env.apiKeys('INGESTION_ADMIN_API_KEYS'),
  INGESTION_MAX_BATCH_ITEMS: env.positiveInt(5_000),
  /** Requests per second allowed per API key (token bucket; bursts up to twice that). */
  INGESTION_RATE_LIMIT_PER_SECOND: env.positiveInt(100),
  /** Events older than this when ingested count as late (still stored). */
  INGESTION_LATE_AFTER_MS: env.positiveInt(6 * 3600 * 1000),
  /** Events dated further ahead than this count as from the future (clock skew; still stored). */
  INGESTION_FUTURE_TOLERANCE_MS: env.positiveInt(5 * 60 * 1000),
});
export type IngestionConfig = z.infer<typeof configSchema>;

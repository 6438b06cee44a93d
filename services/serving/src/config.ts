import { artifactEnv } from '@newsroom/artifacts';
import { env } from '@newsroom/config';
import { serviceEnv } from '@newsroom/platform';
import { hostname } from 'node:os';
import { z } from 'zod';
import { EditorialCapsConfig } from './editorial/editorial-caps';

export const configSchema = z.object({
  ...serviceEnv(3007),
  /** Where a reader's data export writes serving's part. */
  ...artifactEnv,
  /**
   * Every replica keeps the whole index in memory, so each consumes every partition: its own
   * consumer group, named after its host (a pod keeps its group across restarts).
   */
  KAFKA_GROUP_ID: z.string().min(1).default(`serving-${hostname()}`),
  /** Readers' keys (`name:sha256:<hex>` or `name:key`, comma-separated), for explained lists and closed plain ones. */
  SERVING_API_KEYS: env.apiKeys('SERVING_API_KEYS'),
  /**
   * Whether plain lists (no `explain`) are served without a key. Unset: open exactly when
   * SERVING_API_KEYS is empty. Explained lists name what the reader read: they always need a key.
   */
  SERVING_OPEN_LISTS: z.enum(['true', 'false'], { message: 'expected true or false' }).optional(),
  /** Requests per second allowed per reader key (bursts up to twice that). */
  SERVING_API_KEY_RATE: env.positiveInt(10_000),
  /** Editors' keys (`name:sha256:<hex>` or `name:key`, comma-separated): they create, list and delete pins (/v1/pins). */
  SERVING_MODERATOR_API_KEYS: env.apiKeys('SERVING_MODERATOR_API_KEYS'),
  /** Administrators' keys: accepted for every route. */
  SERVING_ADMIN_API_KEYS: env.apiKeys('SERVING_ADMIN_API_KEYS'),
  /**
   * Caps per publisher and per category in a response, as JSON, e.g.
   * `{"publisher":{"default":3,"overrides":{"daily-planet":2}},"category":{"default":4}}`; empty = none.
   */
  SERVING_EDITORIAL_CAPS: EditorialCapsConfig,
  /** Each replica reloads the editors' pins this often: the longest a pin taken by another replica takes to apply. */
  SERVING_PINS_RELOAD_MS: env.positiveInt(5_000),
  /** `recommendations.served` is published in batches: at most this often… */
  SERVING_AUDIT_FLUSH_MS: env.positiveInt(100),
  /** …or as soon as this many responses are waiting. */
  SERVING_AUDIT_BATCH: env.positiveInt(500),
});
export type ServingConfig = z.infer<typeof configSchema>;

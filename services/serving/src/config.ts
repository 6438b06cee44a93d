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
  /** `name:key,…`: when set, reads need one of these in `x-api-key`; empty = open reads. */
  SERVING_API_KEYS: env.apiKeys('SERVING_API_KEYS'),
  /** Requests per second allowed per reader key (bursts up to twice that). */
  SERVING_API_KEY_RATE: env.positiveInt(10_000),
  /** `name:key,…` of editors: they create, list and delete pinned articles (/v1/pins). */
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

import { artifactEnv } from '@newsroom/artifacts';
import { env } from '@newsroom/config';
import { serviceEnv } from '@newsroom/platform';
import { z } from 'zod';

const share = (fallback: number) => z.coerce.number().min(0).max(1).default(fallback);
const ratio = (fallback: number) => z.coerce.number().positive().default(fallback);
const count = (fallback: number) => z.coerce.number().int().min(0).default(fallback);

export const configSchema = z.object({
  ...serviceEnv(3002),
  // POST /v1/datasets builds the snapshot before it answers (a pilot week: 15–60 s).
  HTTP_REQUEST_TIMEOUT_MS: env.positiveInt(15 * 60_000),
  ...artifactEnv,
  /** Keys allowed to request snapshots, and to read features (`name:sha256:<hex>` or `name:key`, comma-separated). */
  FEATURES_ADMIN_API_KEYS: env.apiKeys('FEATURES_ADMIN_API_KEYS'),
  /** Keys allowed to read a reader's features (personal data: without one, admin keys only). */
  FEATURES_READER_API_KEYS: env.apiKeys('FEATURES_READER_API_KEYS'),
  FEATURES_RATE_LIMIT_PER_SECOND: env.positiveInt(20),
  /** How often changed features are published to features.users / features.articles. */
  FEATURES_PUBLISH_INTERVAL_MS: env.positiveInt(500),
  FEATURES_PUBLISH_BATCH_SIZE: env.positiveInt(2_000),
  /**
   * A reader whose features changed is published again at most this often (a first appearance at
   * once): batch scoring re-scores them on it, so this bounds how soon a read leaves their list.
   */
  FEATURES_REPUBLISH_USERS_AFTER_MS: count(5_000),
  /**
   * Likewise for articles, whose popularity windows change with every read; their content and
   * moderation also reach batch scoring and serving on articles.ingested and articles.flagged.
   */
  FEATURES_REPUBLISH_ARTICLES_AFTER_MS: count(30_000),
  /**
   * While the store is this many input events behind (a bulk load, a restart), publication holds:
   * every state it would publish is about to change again. 0: never hold.
   */
  FEATURES_PUBLISH_HOLD_LAG: count(20_000),
  /** …but for at most this long in a row, so a store that never catches up still publishes. */
  FEATURES_PUBLISH_HOLD_MAX_MS: env.positiveInt(600_000),
  /** How often the popularity windows of articles read since are summed (reads land in their buckets at once). */
  FEATURES_STALE_WINDOWS_MS: env.positiveInt(2_000),
  /** How often articles' popularity windows are moved on to the current time when no read arrives. */
  FEATURES_WINDOW_REFRESH_MS: env.positiveInt(60_000),

  /** Default snapshot window: this many days up to now. */
  DATASET_WINDOW_DAYS: env.positiveInt(7),
  /** The latest hours of the window are the validation split. */
  DATASET_VALIDATION_HOURS: env.positiveInt(24),
  /** Push policy: snapshot after this many new interactions (0: off). */
  DATASET_PUSH_EVERY_INTERACTIONS: count(0),
  /** Push policy: snapshot after this many new articles (0: off). */
  DATASET_PUSH_EVERY_ARTICLES: count(0),
  /** Scheduled pull: a cron expression in UTC, e.g. "0 3 * * *" (empty: off). */
  DATASET_SCHEDULE_CRON: z.string().default(''),

  /** Quality gate: reads in the window against the expected volume (the preceding days' daily mean). */
  DATASET_GATE_MIN_VOLUME_RATIO: ratio(0.5),
  DATASET_GATE_MAX_VOLUME_RATIO: ratio(3),
  /** Days before the window whose volume sets the expectation. */
  DATASET_GATE_BASELINE_DAYS: env.positiveInt(7),
  /** Fewest reads a window needs whatever the history. */
  DATASET_GATE_MIN_READS: env.positiveInt(100),
  /** Largest share of reads without a known article or without a region. */
  DATASET_GATE_MAX_NULL_SHARE: share(0.05),
  /** Reads longer than this count as out of range… */
  DATASET_GATE_MAX_DWELL_SECONDS: env.positiveInt(3_600),
  /** …and at most this share of them may be. */
  DATASET_GATE_MAX_DWELL_OUT_OF_RANGE_SHARE: share(0.01),
  /** Largest share of reads repeating another (same reader, article and time). */
  DATASET_GATE_MAX_DUPLICATE_SHARE: share(0.01),
  /** Largest share of reads in categories never read before the window. */
  DATASET_GATE_MAX_UNSEEN_CATEGORY_SHARE: share(0.2),
});
export type FeatureStoreConfig = z.infer<typeof configSchema>;

import { artifactEnv } from '@newsroom/artifacts';
import { env } from '@newsroom/config';
import { mlBackendEnv } from '@newsroom/ml';
import { serviceEnv } from '@newsroom/platform';
import { availableParallelism } from 'node:os';
import { z } from 'zod';

export const configSchema = z.object({
  ...serviceEnv(3006),
  ...artifactEnv,
  ...mlBackendEnv,
  /** Candidates: articles published at most this many hours before the newest one, not flagged. */
  SCORING_FRESHNESS_HOURS: env.positiveInt(48),
  /** A run splits the readers into this many shards (by a hash of userId), claimed by replicas. */
  SCORING_SHARDS: env.positiveInt(32),
  /** Scoring threads per replica (one per core by default). */
  SCORING_WORKERS: env.positiveInt(availableParallelism()),
  /** A claimed shard whose replica stops renewing its claim for this long is scored again. */
  SCORING_SHARD_LEASE_MS: env.positiveInt(30_000),
  /** How often readers whose features changed are scored again (their reads leave their list). */
  SCORING_REFRESH_INTERVAL_MS: env.positiveInt(2_000),
  /** How often the fallback lists (fresh popular articles, overall and by region) are recomputed. */
  SCORING_FALLBACK_INTERVAL_MS: env.positiveInt(30_000),
  /** Popularity for the fallback: reads in this many hours before the newest article. */
  SCORING_POPULARITY_HOURS: env.positiveInt(24),
  /** Explain every listed item: exact Shapley values per feature group (false: lists carry none). */
  SCORING_ATTRIBUTIONS: env.boolean(true),
});
export type BatchScoringConfig = z.infer<typeof configSchema>;

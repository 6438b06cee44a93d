import { artifactEnv } from '@newsroom/artifacts';
import { env } from '@newsroom/config';
import { mlBackendEnv } from '@newsroom/ml';
import { serviceEnv } from '@newsroom/platform';
import { z } from 'zod';

export const configSchema = z.object({
  ...serviceEnv(3003),
  ...artifactEnv,
  ...mlBackendEnv,
  /** Keys allowed to start runs (`name:sha256:<hex>` or `name:key`, comma-separated). */
  TRAINING_ADMIN_API_KEYS: env.apiKeys('TRAINING_ADMIN_API_KEYS'),
  TRAINING_RATE_LIMIT_PER_SECOND: env.positiveInt(20),
  TRAINING_EPOCHS: env.positiveInt(1),
  TRAINING_BATCH_SIZE: env.positiveInt(512),
  TRAINING_LEARNING_RATE: z.coerce.number().positive().default(0.005),
  TRAINING_SEED: env.positiveInt(42),
  /** Push policy: train on each new dataset with at least this many training examples (0: off). */
  TRAINING_PUSH_MIN_TRAIN_ROWS: z.coerce.number().int().min(0).default(1_000),
  /** Scheduled pull: a cron expression in UTC; each slot requests a snapshot and trains on it (empty: off). */
  TRAINING_SCHEDULE_CRON: z.string().default(''),
  /** A run waiting for its requested snapshot fails after this long. */
  TRAINING_DATASET_WAIT_MS: env.positiveInt(30 * 60_000),
  /** How often the worker looks for a queued run. */
  TRAINING_POLL_INTERVAL_MS: env.positiveInt(1_000),
});
export type TrainingConfig = z.infer<typeof configSchema>;

import { Region, recommendationListSize } from '@newsroom/contracts';
import { z } from 'zod';

/**
 * `GET /v1/users/{userId}/recommendations` query: how many items, the region (for the fallback and
 * the region's pins), and whether to explain the items.
 */
export const RecommendationsQuery = z.strictObject({
  limit: z.coerce
    .number({ message: 'limit must be a whole number' })
    .int('limit must be a whole number')
    .min(1, 'limit must be at least 1')
    .max(recommendationListSize, `limit must be at most ${recommendationListSize}`)
    .default(10),
  region: Region.optional(),
  explain: z
    .enum(['true', 'false'], { message: 'explain must be true or false' })
    .optional()
    .transform((value) => value === 'true'),
});
export type RecommendationsQuery = z.infer<typeof RecommendationsQuery>;

export const UserId = z
  .string()
  .min(1, 'userId is required')
  .max(200, 'userId is longer than 200 characters');

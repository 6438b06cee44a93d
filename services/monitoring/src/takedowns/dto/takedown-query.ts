import { z } from 'zod';

export const TakedownPath = z.object({ takedownId: z.uuid('must be a UUID') });

/** `GET /v1/takedowns`: of one article, or the latest of all; newest first. */
export const TakedownsQuery = z.strictObject({
  articleId: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(200, 'is longer than 200 characters')
    .optional(),
  limit: z.coerce
    .number({ message: 'limit must be a whole number' })
    .int('limit must be a whole number')
    .min(1, 'limit must be at least 1')
    .max(1_000, 'limit must be at most 1000')
    .default(100),
});

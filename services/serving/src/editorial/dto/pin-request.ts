import { isoDateTime, recommendationListSize } from '@newsroom/contracts';
import { z } from 'zod';

/**
 * `POST /v1/pins`: an article an editor places at a rank of every response of a region (or of
 * every region), until it expires. `regions`: the platform's (PLATFORM_REGIONS).
 */
export function pinRequestSchema(regions: readonly string[]) {
  return z.strictObject({
    articleId: z.string().trim().min(1, 'articleId is required').max(200),
    rank: z
      .number({ message: 'rank must be a whole number' })
      .int('rank must be a whole number')
      .min(1, 'rank must be at least 1')
      .max(recommendationListSize, `rank must be at most ${recommendationListSize}`),
    region: z
      .string()
      .refine(
        (region) => regions.includes(region),
        `expected one of ${regions.join(', ')} (absent: every region)`,
      )
      .optional(),
    expiresAt: isoDateTime().refine((at) => Date.parse(at) > Date.now(), 'must be in the future'),
    note: z.string().trim().min(1).max(500).optional(),
  });
}
export type PinRequest = z.infer<ReturnType<typeof pinRequestSchema>>;

export const PinIdParam = z.object({ pinId: z.uuid('expected a pin id (a UUID)') });

import { z } from 'zod';

/**
 * The external contract: what producers publish to `articles.raw` / `interactions.raw` or POST to
 * the ingestion service, and what clients get back from serving. Strict objects, so a misspelt
 * field is an error rather than silently ignored.
 */
const isoDateTime = z.iso.datetime({ offset: true, message: 'expected an ISO-8601 date-time' });
const id = z.string().trim().min(1).max(200);

export const regions = ['latin-america', 'africa', 'north-america'] as const;
export const Region = z.enum(regions);
export type Region = z.infer<typeof Region>;

export const Article = z.strictObject({
  eventId: id,
  articleId: id,
  title: z.string().trim().min(1).max(1_000),
  body: z.string().max(200_000).optional(),
  category: z.string().trim().min(1).max(100),
  publisher: z.string().trim().min(1).max(200),
  url: z.url(),
  publishedAt: isoDateTime,
  language: z.string().min(2).max(16).optional(),
  tags: z.array(z.string().min(1).max(100)).max(100).optional(),
});
export type Article = z.infer<typeof Article>;

export const interactionTypes = ['impression', 'click', 'read'] as const;
export const Interaction = z
  .strictObject({
    eventId: id,
    userId: id,
    articleId: id,
    type: z.enum(interactionTypes),
    dwellSeconds: z.number().finite().min(0).max(86_400).optional(),
    occurredAt: isoDateTime,
    sessionId: id.optional(),
    region: Region.optional(),
  })
  .refine((i) => i.type !== 'read' || i.dwellSeconds !== undefined, {
    path: ['dwellSeconds'],
    message: 'required when type is "read"',
  });
export type Interaction = z.infer<typeof Interaction>;

export const ModerationRequest = z.strictObject({
  reason: z.string().trim().min(1).max(2_000),
});
export type ModerationRequest = z.infer<typeof ModerationRequest>;

export const recommendationSources = ['personalized', 'fallback'] as const;
export const RecommendationSource = z.enum(recommendationSources);

export const ServingResponse = z.strictObject({
  userId: id,
  modelVersion: z.string().nullable(),
  generatedAt: isoDateTime,
  source: RecommendationSource,
  items: z.array(
    z.strictObject({
      articleId: id,
      rank: z.number().int().min(1),
      score: z.number().finite(),
      /** Present with `?explain=true`: contribution of each named feature group to the score. */
      attributions: z.record(z.string(), z.number().finite()).optional(),
    }),
  ),
});
export type ServingResponse = z.infer<typeof ServingResponse>;

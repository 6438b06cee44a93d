import { z } from 'zod';
import { lenientRecord } from './lenient-record';

/**
 * The external contract: what producers publish to `articles.raw` / `interactions.raw` or POST to
 * the ingestion service, and what clients get back from serving.
 *
 * Producers differ, so a record is strict about what it must have and liberal about what it may
 * carry: a missing or invalid required field rejects it; an invalid optional attribute is dropped
 * and an unknown field ignored, each reported as a field warning (see `lenientRecord`). `Article`
 * and `Interaction` are the strict schemas, for producers and the docs; ingestion accepts with
 * `acceptArticle` and `acceptInteraction`.
 */
/**
 * An ISO-8601 date-time with an offset that a real time zone has (within ±14:00): PostgreSQL
 * refuses to store one beyond ±15:59, and no producer means one.
 */
export const isoDateTime = (message = 'expected an ISO-8601 date-time') =>
  z.iso.datetime({ offset: true, message }).refine((at) => {
    const offset = /([+-])(\d{2}):?(\d{2})$/.exec(at);
    return !offset || Number(offset[2]) * 60 + Number(offset[3]) <= 14 * 60;
  }, 'time-zone offset beyond ±14:00');
/** Text PostgreSQL can store: any but the NUL character (U+0000), which neither text nor jsonb takes. */
// eslint-disable-next-line no-control-regex -- the NUL character is exactly what is refused
const text = () => z.string().regex(/^[^\u0000]*$/, 'must not contain NUL (\\u0000) characters');
/** An identifier: up to 200 characters, not blank (surrounding white space is trimmed). */
export const identifier = (message = 'must not be blank') => text().regex(/\S/, message).trim().max(200);
const id = identifier();
/** An RFC 3339 date-time (with seconds and an offset), as the OpenAPI `date-time` format means. */
export const rfc3339DateTime = (message: string) => isoDateTime(message).regex(/T\d{2}:\d{2}:\d{2}/, message);

/**
 * A region's name. Which regions the platform knows (its regional fallbacks, metrics and slices)
 * is configuration (PLATFORM_REGIONS); a record naming another region keeps it as reported.
 */
export const Region = text().trim().min(1).max(100);
export type Region = z.infer<typeof Region>;
/** The platform's regions unless PLATFORM_REGIONS says otherwise (and the synthetic world's). */
export const defaultRegions = ['latin-america', 'africa', 'north-america'] as const;

const article = lenientRecord(
  {
    eventId: id,
    articleId: id,
    title: text().trim().min(1).max(1_000),
    category: text().trim().min(1).max(100),
    publisher: text().trim().min(1).max(200),
    url: z.url(),
    publishedAt: isoDateTime(),
  },
  {
    body: text().max(200_000),
    language: text().min(2).max(16),
    tags: z.array(text().min(1).max(100)).max(100),
  },
);
export const Article = article.strict;
export type Article = z.infer<typeof Article>;
export const acceptArticle = article.accept;

export const interactionTypes = ['impression', 'click', 'read'] as const;
const interaction = lenientRecord(
  {
    eventId: id,
    userId: id,
    articleId: id,
    type: z.enum(interactionTypes),
    occurredAt: isoDateTime(),
  },
  {
    // Kept to the millisecond: a stored dwell is a 4-byte float, which has no room for 1e-300.
    dwellSeconds: z
      .number()
      .finite()
      .min(0)
      .max(86_400)
      .transform((seconds) => Math.round(seconds * 1000) / 1000),
    sessionId: id,
    region: Region,
  },
  // A read without a usable dwell time has nothing to learn from: dwell is what the model predicts.
  (value) =>
    value.type === 'read' && value.dwellSeconds === undefined
      ? [{ field: 'dwellSeconds', message: 'required when type is "read"' }]
      : [],
);
export const Interaction = interaction.strict;
export type Interaction = z.infer<typeof Interaction>;
export const acceptInteraction = interaction.accept;

export const ModerationRequest = z.strictObject({
  reason: text().trim().min(1).max(2_000),
});
export type ModerationRequest = z.infer<typeof ModerationRequest>;

export const recommendationSources = ['personalized', 'fallback'] as const;
/**
 * Where a served item came from: `list` (ranked by the model in a scoring run), `fresh` (a new
 * article placed into the list between runs), `fallback` (fresh popular articles, for a reader
 * without a list), `top-up` (fallback articles filling a list shortened by flags), `pinned`
 * (placed by an editor's pin).
 */
export const itemOrigins = ['list', 'fresh', 'fallback', 'top-up', 'pinned'] as const;
export const RecommendationSource = z.enum(recommendationSources);

export const ServingResponse = z.strictObject({
  userId: id,
  modelVersion: z.string().nullable(),
  generatedAt: isoDateTime(),
  source: RecommendationSource,
  items: z.array(
    z.strictObject({
      articleId: id,
      rank: z.number().int().min(1),
      score: z.number().finite(),
      /** Where the item came from: see `itemOrigins`. */
      origin: z.enum(itemOrigins).optional(),
      /**
       * With `?explain=true`, for a model-ranked item: the exact Shapley value of each named
       * feature group; they add up to `score − baselineScore`.
       */
      attributions: z.record(z.string(), z.number().finite()).optional(),
      /** With `?explain=true`: the score of the model's baseline reader and article. */
      baselineScore: z.number().finite().optional(),
    }),
  ),
});
export type ServingResponse = z.infer<typeof ServingResponse>;

import { z } from 'zod';

export const cardFormats = ['json', 'markdown'] as const;
export type CardFormat = (typeof cardFormats)[number];

/** GET /v1/models/{version}/card: `?format=` overrides what the Accept header asks for. */
export const CardQuery = z.strictObject({ format: z.enum(cardFormats).optional() });

/** The format asked for: `?format=`, else Markdown when Accept names text/markdown, else JSON. */
export function cardFormat(query: z.infer<typeof CardQuery>, accept: string | undefined): CardFormat {
  if (query.format) return query.format;
  return accept !== undefined && /(^|,)\s*text\/markdown\b/i.test(accept) ? 'markdown' : 'json';
}

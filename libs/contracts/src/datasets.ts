import { z } from 'zod';
import { Region } from './external';
import { windowValues } from './events';

/**
 * The dataset file the feature store writes and training reads: JSON Lines, one object per line,
 * `kind` first. Order: the header, the examples (time order), the readers, the articles (each by id).
 */
export const datasetFormat = 'newsroom-dataset/2';
const isoDateTime = z.iso.datetime({ offset: true });

export const DatasetHeader = z.object({
  kind: z.literal('header'),
  format: z.literal(datasetFormat),
  featureSchemaVersion: z.number().int().positive(),
  window: z.object({ start: isoDateTime, end: isoDateTime }),
  validationFrom: isoDateTime,
  recentReads: z.number().int().positive(),
  tokenBuckets: z.number().int().positive(),
  popularityBucketMs: z.number().int().positive(),
});

/** A read in the window with the reader's and the article's features as of that instant. */
export const DatasetExample = z.object({
  kind: z.literal('example'),
  split: z.enum(['train', 'validation']),
  eventId: z.string().min(1),
  userId: z.string().min(1),
  articleId: z.string().min(1),
  occurredAt: isoDateTime,
  dwellSeconds: z.number().min(0),
  user: z.object({
    /** How many of the reader line's `reads` came before this one. */
    history: z.number().int().min(0),
    region: Region.nullable(),
    impressions: z.number().int().min(0),
    clicks: z.number().int().min(0),
    reads: z.number().int().min(0),
    totalDwellSeconds: z.number().min(0),
    categoryMix: z.record(z.string(), z.number().min(0)),
    lastSeenAt: isoDateTime.nullable(),
  }),
  article: z.object({
    ageHours: z.number(),
    reads: windowValues,
    dwellSeconds: windowValues,
    flagged: z.boolean(),
  }),
});

/**
 * A reader's reads as [articleId, dwellSeconds, epoch ms], oldest first, and the articles shown
 * to them (impressions) in the validation split as [articleId, epoch ms]: what was on their
 * screen is what a held-out evaluation ranks.
 */
export const DatasetReader = z.object({
  kind: z.literal('reader'),
  userId: z.string().min(1),
  reads: z.array(z.tuple([z.string().min(1), z.number().min(0), z.number()])),
  shown: z.array(z.tuple([z.string().min(1), z.number()])),
});

/** An article's content features as of the window's end. */
export const DatasetArticle = z.object({
  kind: z.literal('article'),
  articleId: z.string().min(1),
  revision: z.number().int().positive(),
  category: z.string().min(1),
  publisher: z.string().min(1),
  language: z.string().nullable(),
  tokenHashes: z.array(z.number().int().min(0)),
  publishedAt: isoDateTime,
  flagged: z.boolean(),
});

export const DatasetLine = z.discriminatedUnion('kind', [
  DatasetHeader,
  DatasetExample,
  DatasetReader,
  DatasetArticle,
]);
export type DatasetLine = z.infer<typeof DatasetLine>;
export type DatasetExample = z.infer<typeof DatasetExample>;
export type DatasetArticle = z.infer<typeof DatasetArticle>;
export type DatasetReader = z.infer<typeof DatasetReader>;
export type DatasetHeader = z.infer<typeof DatasetHeader>;

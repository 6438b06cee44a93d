import { Bins } from './drift-statistics';

/**
 * The features whose drift monitoring judges, and where their counts are kept: categorical ones
 * as counts per key of an hourly metric, numeric ones as counts per histogram bin (the key is the
 * bin's index) — except reads per active reader, which is counted from `reader_hours`.
 */
export type DriftFeature =
  | { name: string; kind: 'categorical'; metric: string; description: string }
  | { name: string; kind: 'numeric'; metric: string; bins: Bins; description: string }
  | { name: string; kind: 'numeric'; metric: null; bins: Bins; description: string };

export const metrics = {
  reads: 'reads',
  impressions: 'impressions',
  clicks: 'clicks',
  newArticles: 'new-articles',
  readCategory: 'read-category',
  readRegion: 'read-region',
  articlePublisher: 'article-publisher',
  readDwell: 'read-dwell-seconds',
  articleLength: 'article-length-tokens',
  readArticleAge: 'read-article-age-hours',
  /** Reads of articles monitoring has not seen (their category and age are unknown). */
  readsOfUnknownArticles: 'reads-of-unknown-articles',
  rejected: 'rejected',
  /** Stored records that ingestion did not take entirely as sent, per raw topic (by arrival). */
  warned: 'warned',
  /** Field warnings, keyed `<raw topic> <field> <reason>` (every unknown field as `*`). */
  fieldWarnings: 'field-warnings',
  /** Records stored by ingestion, per raw topic, by the hour they arrived (rejected ones are by then too). */
  arrived: 'arrived',
  /** Served responses, per source. */
  servedLists: 'served-lists',
  /** Events that arrived more than an hour after they happened, per stream. */
  late: 'late',
  /** Events dated ahead of the clock that ingested them, per stream. */
  future: 'future',
} as const;

export const dwellBins = new Bins([0, 5, 10, 20, 30, 45, 60, 90, 120, 180, 240, 300, 450, 600, 900, 1200]);
export const lengthBins = new Bins([0, 25, 50, 100, 150, 200, 250, 300, 400, 500, 600, 800, 1000, 1500]);
export const ageHoursBins = new Bins([0, 1, 2, 3, 4, 6, 9, 12, 18, 24, 36, 48, 72, 96, 168]);
export const readsPerReaderBins = new Bins([1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 30, 50, 100]);

export const driftFeatures: readonly DriftFeature[] = [
  {
    name: 'category mix of reads',
    kind: 'categorical',
    metric: metrics.readCategory,
    description: 'reads per article category',
  },
  {
    name: 'region mix',
    kind: 'categorical',
    metric: metrics.readRegion,
    description: "reads per reader's region",
  },
  {
    name: 'publisher mix of new articles',
    kind: 'categorical',
    metric: metrics.articlePublisher,
    description: 'new articles per publisher',
  },
  {
    name: 'dwell seconds',
    kind: 'numeric',
    metric: metrics.readDwell,
    bins: dwellBins,
    description: 'dwell of each read',
  },
  {
    name: 'article length in tokens',
    kind: 'numeric',
    metric: metrics.articleLength,
    bins: lengthBins,
    description: 'words in the title and body of each new article',
  },
  {
    name: 'reads per active reader',
    kind: 'numeric',
    metric: null,
    bins: readsPerReaderBins,
    description: 'reads per reader and day, over readers who read',
  },
  {
    name: 'article age at read',
    kind: 'numeric',
    metric: metrics.readArticleAge,
    bins: ageHoursBins,
    description: 'hours from publication to each read',
  },
];

import { DatasetLine, Region, datasetFormat, featureSchema } from '@newsroom/contracts';
import { seededRandom } from '../train';

const HOUR = 3_600_000;
const twoTopicStart = Date.parse('2026-11-10T00:00:00Z');
/** Each topic's words: 40 token hashes from its base. */
export const topicWords = { sports: 1_000, politics: 2_000 } as const;

/** A dataset's header line: a window of `hours` from `start`, held out from `validationFromHours`. */
export function datasetHeader(start: number, hours: number, validationFromHours: number): DatasetLine {
  return {
    kind: 'header',
    format: datasetFormat,
    featureSchemaVersion: featureSchema.version,
    window: { start: new Date(start).toISOString(), end: new Date(start + hours * HOUR).toISOString() },
    validationFrom: new Date(start + validationFromHours * HOUR).toISOString(),
    recentReads: featureSchema.recentReads,
    tokenBuckets: featureSchema.tokenBuckets,
    popularityBucketMs: featureSchema.popularityBucketMs,
  };
}

/** A read as a dataset example: the reader as of it (`history` reads before), no article counts. */
export function exampleLine(read: {
  split: 'train' | 'validation';
  eventId: string;
  userId: string;
  articleId: string;
  at: number;
  dwellSeconds: number;
  history: number;
  region: Region | null;
  categoryMix: Record<string, number>;
}): DatasetLine {
  return {
    kind: 'example',
    split: read.split,
    eventId: read.eventId,
    userId: read.userId,
    articleId: read.articleId,
    occurredAt: new Date(read.at).toISOString(),
    dwellSeconds: read.dwellSeconds,
    user: {
      history: read.history,
      region: read.region,
      impressions: 0,
      clicks: 0,
      reads: read.history,
      totalDwellSeconds: 0,
      categoryMix: read.categoryMix,
      lastSeenAt: null,
    },
    article: {
      ageHours: 1,
      reads: { '1h': 0, '24h': 0, '7d': 0 },
      dwellSeconds: { '1h': 0, '24h': 0, '7d': 0 },
      flagged: false,
    },
  };
}

/**
 * A dataset file's lines with two topics, each with its own words: half the readers read only
 * sports, half only politics (15 training reads each, then 3 validation reads among 6 articles
 * shown to them, 3 of each topic). `readers` and `seed` vary it; `impressions: false` leaves the
 * impression logs out (a producer that sends reads only), `impressions: 'some'` leaves them out
 * for every other reader.
 */
export function twoTopicDatasetLines({
  readers = 40,
  seed = 7,
  impressions = true as boolean | 'some',
} = {}): string[] {
  const random = seededRandom(seed);
  const start = twoTopicStart;
  const pick = (base: number) => Array.from({ length: 8 }, () => base + Math.floor(random() * 40));
  const articles = Array.from({ length: 60 }, (_, i) => {
    const topic = i % 2 ? 'sports' : 'politics';
    return { id: `a${i}`, topic, tokens: [...new Set(pick(topicWords[topic]))] };
  });
  const lines: DatasetLine[] = [datasetHeader(start, 48, 40)];
  const readerLines: DatasetLine[] = [];
  for (let r = 0; r < readers; r++) {
    const topic = r % 2 ? 'sports' : 'politics';
    const mine = articles.filter((a) => a.topic === topic);
    const theirs = articles.filter((a) => a.topic !== topic);
    const reads: [string, number, number][] = [];
    const shown: [string, number][] = [];
    for (let k = 0; k < 18; k++) {
      const validation = k >= 15;
      const article = mine[Math.floor(random() * mine.length)];
      const at = validation ? start + 41 * HOUR + k * 60_000 : start + (r * 15 + k) * 60_000;
      const dwellSeconds = 30 + 60 * random();
      if (validation) {
        shown.push([article.id, at - 30_000]);
        shown.push([theirs[Math.floor(random() * theirs.length)].id, at - 30_000]);
      }
      lines.push(
        exampleLine({
          split: validation ? 'validation' : 'train',
          eventId: `e-${r}-${k}`,
          userId: `r${r}`,
          articleId: article.id,
          at,
          dwellSeconds,
          history: k,
          region: r % 3 === 0 ? 'north-america' : 'africa',
          categoryMix: k === 0 ? {} : { [topic]: 1 },
        }),
      );
      reads.push([article.id, dwellSeconds, at]);
    }
    const logged = impressions === true || (impressions === 'some' && r % 2 === 0);
    readerLines.push({ kind: 'reader', userId: `r${r}`, reads, shown: logged ? shown : [] });
  }
  for (const a of articles) {
    lines.push({
      kind: 'article',
      articleId: a.id,
      revision: 1,
      category: a.topic,
      publisher: 'p',
      language: 'en',
      tokenHashes: a.tokens,
      publishedAt: new Date(start).toISOString(),
      flagged: false,
    });
  }
  return [...lines, ...readerLines].map((l) => JSON.stringify(l));
}

import { TopicPayload, rawSourceOf, topics } from '@newsroom/contracts';
import { ageHoursBins, dwellBins, lengthBins, metrics } from '../drift/drift-features';

type Interaction = TopicPayload<typeof topics.interactionsIngested>;
type Article = TopicPayload<typeof topics.articlesIngested>;

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
export const RAW_INTERACTIONS = rawSourceOf['interactions.ingested'];
export const RAW_ARTICLES = rawSourceOf['articles.ingested'];
/** An event ingested this long after it happened is late. */
const LATE_AFTER_MS = HOUR_MS;
/** An event dated this far ahead of its ingestion is from the future (clock skew is tolerated). */
const FUTURE_AFTER_MS = 5 * 60_000;
/** How a read without a region is counted in the region mix. */
export const NO_REGION = '(none)';

/** What a read needs to know about its article. */
export interface ArticleFacts {
  category: string;
  publishedAt: number;
}

/**
 * A batch's contribution to monitoring's counters, summed in memory so that one fetched batch
 * becomes a few upserted rows: counts per (event-time hour, metric, key) and reads per (hour, reader).
 */
export class ObservationFold {
  readonly counts = new Map<string, { hour: number; metric: string; key: string; value: number }>();
  readonly readerHours = new Map<string, { hour: number; userId: string; reads: number }>();
  /** The latest event time folded, per stream (reads, articles). */
  readonly latest = new Map<string, number>();

  add(hour: number, metric: string, key: string, value = 1): void {
    const id = `${hour}|${metric}|${key}`;
    const entry = this.counts.get(id);
    if (entry) entry.value += value;
    else this.counts.set(id, { hour, metric, key, value });
  }

  interaction(event: Interaction, article: ArticleFacts | undefined): void {
    const at = Date.parse(event.occurredAt);
    const hour = floorHour(at);
    this.arrived(RAW_INTERACTIONS, event);
    this.timeliness('interactions', at, Date.parse(event.ingestedAt));
    if (event.type === 'impression') return this.add(hour, metrics.impressions, '');
    if (event.type === 'click') return this.add(hour, metrics.clicks, '');
    this.add(hour, metrics.reads, '');
    this.add(hour, metrics.readRegion, event.region ?? NO_REGION);
    this.add(hour, metrics.readDwell, String(dwellBins.indexOf(event.dwellSeconds ?? 0)));
    if (article) {
      this.add(hour, metrics.readCategory, article.category);
      this.add(
        hour,
        metrics.readArticleAge,
        String(ageHoursBins.indexOf((at - article.publishedAt) / HOUR_MS)),
      );
    } else {
      // Its article may still be on its way (the topics are folded side by side): counted apart,
      // so that a burst of them does not look like a change of the category mix.
      this.add(hour, metrics.readsOfUnknownArticles, '');
    }
    const id = `${hour}|${event.userId}`;
    const reader = this.readerHours.get(id);
    if (reader) reader.reads++;
    else this.readerHours.set(id, { hour, userId: event.userId, reads: 1 });
    this.seen('reads', at);
  }

  /**
   * A record ingestion stored from a raw topic, by the hour it arrived; with field warnings, also
   * counted as warned and per field (unknown fields together: producers name them).
   */
  arrived(rawTopic: string, record: Pick<Interaction, 'ingestedAt' | 'fieldWarnings'>): void {
    const hour = floorHour(Date.parse(record.ingestedAt));
    this.add(hour, metrics.arrived, rawTopic);
    if (!record.fieldWarnings?.length) return;
    this.add(hour, metrics.warned, rawTopic);
    for (const { field, reason } of record.fieldWarnings)
      this.add(
        hour,
        metrics.fieldWarnings,
        `${rawTopic} ${reason === 'unknown-field' ? '*' : field} ${reason}`,
      );
  }

  /** A new article (its first revision monitoring has stored). */
  newArticle(article: Article): void {
    const at = Date.parse(article.publishedAt);
    const hour = floorHour(at);
    this.timeliness('articles', at, Date.parse(article.ingestedAt));
    this.add(hour, metrics.newArticles, '');
    this.add(hour, metrics.articlePublisher, article.publisher);
    this.add(
      hour,
      metrics.articleLength,
      String(lengthBins.indexOf(wordCount(`${article.title} ${article.body ?? ''}`))),
    );
    this.seen('articles', at);
  }

  /** A served response, counted by source (personalized or fallback). */
  served(source: string, at: number): void {
    this.add(floorHour(at), metrics.servedLists, source);
  }

  rejected(sourceTopic: string, at: number): void {
    this.add(floorHour(at), metrics.rejected, sourceTopic);
  }

  private timeliness(stream: string, occurredAt: number, ingestedAt: number): void {
    if (ingestedAt - occurredAt > LATE_AFTER_MS) this.add(floorHour(ingestedAt), metrics.late, stream);
    if (occurredAt - ingestedAt > FUTURE_AFTER_MS) this.add(floorHour(ingestedAt), metrics.future, stream);
  }

  private seen(stream: string, at: number): void {
    if (at > (this.latest.get(stream) ?? -Infinity)) this.latest.set(stream, at);
  }
}

export function floorHour(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

/** Words of a text as the feature store tokenizes it (letters and digits), before any cap. */
export function wordCount(text: string): number {
  let n = 0;
  for (const _ of text.matchAll(/[\p{L}\p{N}]+/gu)) n++;
  return n;
}

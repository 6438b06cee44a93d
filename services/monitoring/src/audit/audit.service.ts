import { Injectable } from '@nestjs/common';
import { quotedSchema } from '@newsroom/persistence';
import { DataSource } from 'typeorm';
import { encodeCursor } from './audit-cursor';
import { AuditQuery } from './dto/audit-query';

/** One served item of an article: who was shown it, when, where in the list, and under what. */
export interface Exposure {
  servedAt: string;
  userId: string;
  requestId: string;
  rank: number;
  score: number;
  origin: string | null;
  modelVersion: string | null;
  source: string;
  region: string | null;
  datasetId: string | null;
  featureSchemaVersion: number | null;
  generatedAt: string | null;
}

/** One served response to a reader: its items in rank order and what was filtered out and why. */
export interface Impression {
  requestId: string;
  servedAt: string;
  generatedAt: string | null;
  modelVersion: string | null;
  source: string;
  region: string | null;
  datasetId: string | null;
  featureSchemaVersion: number | null;
  items: { rank: number; articleId: string; score: number; origin: string | null }[];
  filtered: { articleId: string; reason: string; rule?: string }[];
}

export interface AuditPage<T> {
  from: string | null;
  to: string | null;
  items: T[];
  /** Pass as `cursor` for the next page; null on the last. */
  nextCursor: string | null;
}

const iso = (at: Date | null) => (at ? at.toISOString() : null);

/** A row of audit_responses as read. */
interface ResponseRow {
  user_id: string;
  served_at: Date;
  request_id: string;
  model_version: string | null;
  source: string;
  region: string | null;
  generated_at: Date | null;
  dataset_id: string | null;
  feature_schema_version: number | null;
  items: Impression['items'];
  filtered: Impression['filtered'];
}

/** An exposure joined with its response, as read. */
type ExposureRow = Omit<ResponseRow, 'items' | 'filtered'> & {
  rank: number;
  score: number;
  origin: string | null;
};

/** What a response tells of the model and data behind it, as the API names it. */
const lineage = (row: Omit<ResponseRow, 'items' | 'filtered'>) => ({
  modelVersion: row.model_version,
  source: row.source,
  region: row.region,
  datasetId: row.dataset_id,
  featureSchemaVersion: row.feature_schema_version,
  generatedAt: iso(row.generated_at),
});

/**
 * Reads the "why shown" trail by article or by reader, a page at a time in served order. Each query
 * bounds the served time, so only the day partitions in its range are read.
 */
@Injectable()
export class AuditService {
  constructor(private readonly dataSource: DataSource) {}

  private get s(): string {
    return quotedSchema(this.dataSource);
  }

  async exposures(articleId: string, query: AuditQuery): Promise<AuditPage<Exposure>> {
    const range = servedRange(query, 2);
    // The page first, then its responses one key lookup each (in their day's partition alone): joined
    // in one step, the planner misjudges the three-column join and reads every response in range.
    const rows: ExposureRow[] = await this.dataSource.query(
      `WITH page AS MATERIALIZED (
         SELECT e.served_at, e.request_id, e.user_id, e.rank, e.score, e.origin
         FROM ${this.s}.audit_exposures e
         WHERE e.article_id = $1 AND ${range.where('e')}
         ORDER BY e.served_at, e.request_id
         LIMIT ${query.limit + 1})
       SELECT page.*, r.model_version, r.source, r.region, r.dataset_id, r.feature_schema_version, r.generated_at
       FROM page
       JOIN LATERAL (
         SELECT * FROM ${this.s}.audit_responses r
         WHERE r.user_id = page.user_id AND r.served_at = page.served_at AND r.request_id = page.request_id
       ) r ON true
       ORDER BY page.served_at, page.request_id`,
      [articleId, ...range.params],
    );
    return page(query, rows, (row) => ({
      servedAt: row.served_at.toISOString(),
      userId: row.user_id,
      requestId: row.request_id,
      rank: row.rank,
      score: row.score,
      origin: row.origin,
      ...lineage(row),
    }));
  }

  async impressions(userId: string, query: AuditQuery): Promise<AuditPage<Impression>> {
    const range = servedRange(query, 2);
    const rows: ResponseRow[] = await this.dataSource.query(
      `SELECT r.* FROM ${this.s}.audit_responses r
       WHERE r.user_id = $1 AND ${range.where('r')}
       ORDER BY r.served_at, r.request_id
       LIMIT ${query.limit + 1}`,
      [userId, ...range.params],
    );
    return page(query, rows, (row) => ({
      requestId: row.request_id,
      servedAt: row.served_at.toISOString(),
      ...lineage(row),
      items: row.items,
      filtered: row.filtered,
    }));
  }

  /** How many times the article was served after `after` and before `before` (null: up to now). */
  async exposuresBetween(articleId: string, after: Date, before: Date | null): Promise<number> {
    const [{ n }]: { n: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM ${this.s}.audit_exposures
       WHERE article_id = $1 AND served_at > $2 AND ($3::timestamptz IS NULL OR served_at < $3)`,
      [articleId, after, before],
    );
    return n;
  }
}

/**
 * A query's bounds on the served time and its position after the cursor, as parameters numbered
 * from `first`, and the condition on them for a table alias.
 */
function servedRange(query: AuditQuery, first: number) {
  const params: unknown[] = [query.from ?? '-infinity', query.to ?? 'infinity'];
  if (query.cursor) params.push(query.cursor.servedAt, query.cursor.requestId);
  const [from, to, cursorAt, cursorId] = params.map((_, k) => `$${first + k}`);
  return {
    params,
    where: (alias: string) =>
      [
        `${alias}.served_at >= ${from}::timestamptz`,
        `${alias}.served_at < ${to}::timestamptz`,
        ...(query.cursor
          ? [`(${alias}.served_at, ${alias}.request_id) > (${cursorAt}::timestamptz, ${cursorId})`]
          : []),
      ].join(' AND '),
  };
}

/** The first `limit` rows (one more was read to know whether another page follows). */
function page<R extends { served_at: Date; request_id: string }, T>(
  query: AuditQuery,
  rows: R[],
  item: (row: R) => T,
): AuditPage<T> {
  const shown = rows.slice(0, query.limit);
  const last = shown[shown.length - 1];
  return {
    from: iso(query.from ?? null),
    to: iso(query.to ?? null),
    items: shown.map(item),
    nextCursor:
      rows.length > query.limit
        ? encodeCursor({ servedAt: last.served_at.toISOString(), requestId: last.request_id })
        : null,
  };
}

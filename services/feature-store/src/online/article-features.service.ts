import { Injectable } from '@nestjs/common';
import {
  EventEnvelope,
  TopicPayload,
  articleTokenHashes,
  popularityWindows,
  topics,
} from '@newsroom/contracts';
import { Inbox, advisoryXactLocks, quotedSchema } from '@newsroom/persistence';
import { EntityManager } from 'typeorm';
import { firstBucketOfWindow } from '../feature-definitions/popularity-windows';

type ArticleIngested = TopicPayload<typeof topics.articlesIngested>;
type ArticleFlagged = EventEnvelope<string, TopicPayload<typeof topics.articlesFlagged>>;

/** Every writer of an article's rows (revisions, moderation) holds its lock. */
const articleLocks = 'features-article';

/** A flag carried out: the article is out of the candidates' features under this takedown. */
export interface Takedown {
  takedownId: string;
  articleId: string;
}

export interface ArticleRead {
  articleId: string;
  bucket: number;
  dwellSeconds: number;
}

/**
 * Article features: content (category, publisher, language, hashed tokens, publication time) from
 * `articles.ingested`, moderation from `articles.flagged`, popularity from reads. Each content or
 * moderation change closes the article's current row of `article_versions` and opens a new one.
 */
@Injectable()
export class ArticleFeaturesService {
  constructor(private readonly inbox: Inbox) {}

  async categories(manager: EntityManager, articleIds: string[]): Promise<Map<string, string>> {
    if (articleIds.length === 0) return new Map();
    const rows: { article_id: string; category: string }[] = await manager.query(
      `SELECT article_id, category FROM ${quotedSchema(manager.connection)}.article_features WHERE article_id = ANY($1::text[])`,
      [articleIds],
    );
    return new Map(rows.map((r) => [r.article_id, r.category]));
  }

  /** Stores revisions newer than the current one; returns how many articles were new. */
  async applyRevisions(manager: EntityManager, articles: ArticleIngested[]): Promise<number> {
    if (articles.length === 0) return 0;
    const s = quotedSchema(manager.connection);
    const ids = [...new Set(articles.map((a) => a.articleId))].sort();
    await advisoryXactLocks(manager, articleLocks, ids);
    const current: { article_id: string; revision: number }[] = await manager.query(
      `SELECT article_id, revision FROM ${s}.article_features WHERE article_id = ANY($1::text[])`,
      [ids],
    );
    const revisionOf = new Map(current.map((r) => [r.article_id, r.revision]));
    // Only the latest revision of each article in the batch matters; older or repeated ones are skipped.
    const latest = new Map<string, ArticleIngested>();
    for (const a of articles) {
      const known = Math.max(revisionOf.get(a.articleId) ?? 0, latest.get(a.articleId)?.revision ?? 0);
      if (a.revision > known) latest.set(a.articleId, a);
    }
    if (latest.size === 0) return 0;
    const rows = [...latest.values()]
      .sort((x, y) => (x.articleId < y.articleId ? -1 : 1))
      .map((a) => ({
        id: a.articleId,
        revision: a.revision,
        category: a.category,
        publisher: a.publisher,
        language: a.language ?? null,
        tokens: articleTokenHashes(a.title, a.body),
        published: a.publishedAt,
        // An article exists from its publication; a later revision from when it was ingested.
        from: revisionOf.has(a.articleId) ? a.ingestedAt : a.publishedAt,
      }));
    const input = `json_to_recordset($1::json) AS x(id text, revision int, category text, publisher text,
      language text, tokens int[], published timestamptz, "from" timestamptz)`;
    await manager.query(
      `INSERT INTO ${s}.article_features AS f
         (article_id, revision, category, publisher, language, token_hashes, published_at, flagged, windows_at)
       SELECT id, revision, category, publisher, language, tokens, published, coalesce(m.flagged, false), now()
       FROM ${input} LEFT JOIN ${s}.article_moderation m ON m.article_id = x.id
       ON CONFLICT (article_id) DO UPDATE SET
         revision = excluded.revision, category = excluded.category, publisher = excluded.publisher,
         language = excluded.language, token_hashes = excluded.token_hashes, published_at = excluded.published_at,
         version = f.version + 1`,
      [JSON.stringify(rows)],
    );
    await this.closeVersions(
      manager,
      s,
      rows.map((r) => ({ id: r.id, at: r.from })),
    );
    // A flag that arrived before the article holds from the decision's time on: the version before
    // it is unflagged, so no example dated before the decision sees the flag.
    await manager.query(
      `INSERT INTO ${s}.article_versions
         (article_id, revision, valid_from, valid_to, category, publisher, language, token_hashes, published_at, flagged, cause)
       SELECT id, revision, v.valid_from, v.valid_to, category, publisher, language, tokens, published, v.flagged, v.cause
       FROM ${input}
       LEFT JOIN ${s}.article_moderation m ON m.article_id = x.id
       CROSS JOIN LATERAL (
         SELECT x."from" AS valid_from, NULL::timestamptz AS valid_to, coalesce(m.flagged, false) AS flagged, 'revision' AS cause
         WHERE NOT coalesce(m.flagged AND m.changed_at > x."from", false)
         UNION ALL
         SELECT x."from", m.changed_at, false, 'revision' WHERE m.flagged AND m.changed_at > x."from"
         UNION ALL
         SELECT m.changed_at, NULL, true, 'flag' WHERE m.flagged AND m.changed_at > x."from"
       ) AS v
       ORDER BY id, v.valid_from`,
      [JSON.stringify(rows)],
    );
    // Reads may have arrived before the article did.
    await this.refreshWindows(manager, [...latest.keys()], Date.now());
    return rows.filter((r) => !revisionOf.has(r.id)).length;
  }

  /**
   * Applies moderation decisions once each (by event id), in the order given. Returns the takedowns
   * done: each new flag whose article is flagged now (held or not: one not here yet arrives flagged).
   */
  async applyModeration(manager: EntityManager, events: ArticleFlagged[]): Promise<Takedown[]> {
    const s = quotedSchema(manager.connection);
    const fresh = await this.inbox.claimEvents(manager, 'features.articles-flagged', events);
    // Serialised with the article's own revisions, so a flag never misses an article being inserted.
    await advisoryXactLocks(
      manager,
      articleLocks,
      fresh.map((e) => e.payload.articleId),
    );
    for (const event of fresh) {
      const { articleId, flagged } = event.payload;
      const changed: unknown[] = await manager.query(
        `INSERT INTO ${s}.article_moderation AS m (article_id, flagged, changed_at) VALUES ($1, $2, $3)
         ON CONFLICT (article_id) DO UPDATE SET flagged = excluded.flagged, changed_at = excluded.changed_at
           WHERE m.changed_at <= excluded.changed_at
         RETURNING article_id`,
        [articleId, flagged, event.occurredAt],
      );
      if (changed.length === 0) continue; // an older decision arriving late
      const updated: unknown[] = await manager.query(
        `UPDATE ${s}.article_features SET flagged = $2, version = version + 1
         WHERE article_id = $1 AND flagged <> $2 RETURNING article_id`,
        [articleId, flagged],
      );
      if (updated.length === 0) continue;
      await this.closeVersions(manager, s, [{ id: articleId, at: event.occurredAt }]);
      await manager.query(
        `INSERT INTO ${s}.article_versions
           (article_id, revision, valid_from, category, publisher, language, token_hashes, published_at, flagged, cause)
         SELECT article_id, revision, $2, category, publisher, language, token_hashes, published_at, flagged, $3
         FROM ${s}.article_features WHERE article_id = $1`,
        [articleId, event.occurredAt, flagged ? 'flag' : 'unflag'],
      );
    }
    const flags = fresh.flatMap(({ payload: { articleId, takedownId } }) =>
      takedownId ? [{ takedownId, articleId }] : [],
    );
    if (flags.length === 0) return [];
    const flagged: { article_id: string }[] = await manager.query(
      `SELECT article_id FROM ${s}.article_moderation WHERE flagged AND article_id = ANY($1::text[])`,
      [flags.map((f) => f.articleId)],
    );
    const flaggedNow = new Set(flagged.map((r) => r.article_id));
    return flags.filter((f) => flaggedNow.has(f.articleId));
  }

  /**
   * Adds reads to the articles' 5-minute activity buckets and marks their windows stale: the
   * StaleWindowsJob sums them within FEATURES_STALE_WINDOWS_MS (during a bulk load an article is
   * read in many batches; summing its week of buckets after each cost more than the reads).
   */
  async recordReads(manager: EntityManager, reads: ArticleRead[]): Promise<void> {
    const s = quotedSchema(manager.connection);
    const buckets = new Map<string, { a: string; b: string; r: number; d: number }>();
    for (const read of reads) {
      const key = `${read.articleId}\u0000${read.bucket}`;
      const bucket = buckets.get(key);
      if (bucket) {
        bucket.r += 1;
        bucket.d += read.dwellSeconds;
      } else {
        buckets.set(key, {
          a: read.articleId,
          b: new Date(read.bucket).toISOString(),
          r: 1,
          d: read.dwellSeconds,
        });
      }
    }
    // Sorted so concurrent batches lock shared article rows in the same order.
    const rows = [...buckets.values()].sort((x, y) => (x.a < y.a ? -1 : x.a > y.a ? 1 : x.b < y.b ? -1 : 1));
    await manager.query(
      `INSERT INTO ${s}.article_activity AS a (article_id, bucket, reads, dwell_seconds)
       SELECT a, b, r, d FROM json_to_recordset($1::json) AS x(a text, b timestamptz, r int, d double precision)
       ON CONFLICT (article_id, bucket) DO UPDATE SET
         reads = a.reads + excluded.reads, dwell_seconds = a.dwell_seconds + excluded.dwell_seconds`,
      [JSON.stringify(rows)],
    );
    // Marked after the buckets, the rows locked first in article order (as everywhere), then
    // marked by a new statement: a run of the job holding one has this wait, and the mark's
    // snapshot then sees the run's cleared mark, so no read goes unsummed. (Filtering in the
    // locking statement would judge the row by the version from before the run, still marked,
    // and leave the run's cleared mark in place.) A row already marked is not written again.
    const ids = [...new Set(rows.map((r) => r.a))].sort();
    await manager.query(
      `SELECT 1 FROM ${s}.article_features WHERE article_id = ANY($1::text[]) ORDER BY article_id FOR UPDATE`,
      [ids],
    );
    await manager.query(
      `UPDATE ${s}.article_features SET windows_stale = true
       WHERE article_id = ANY($1::text[]) AND NOT windows_stale`,
      [ids],
    );
  }

  /** Sums the windows of up to `limit` articles marked stale; how many it summed. */
  async refreshStaleWindows(manager: EntityManager, limit: number, now: number): Promise<number> {
    const s = quotedSchema(manager.connection);
    const stale: { article_id: string }[] = await manager.query(
      `SELECT article_id FROM ${s}.article_features WHERE windows_stale ORDER BY article_id LIMIT $1`,
      [limit],
    );
    if (stale.length === 0) return 0;
    await this.refreshWindows(
      manager,
      stale.map((r) => r.article_id),
      now,
    );
    return stale.length;
  }

  /**
   * Recomputes the articles' popularity windows as of `now` from their activity buckets (and so
   * clears their stale marks); the version (and `windows_at`) change only when a value did.
   * Returns how many changed.
   */
  async refreshWindows(manager: EntityManager, articleIds: string[], now: number): Promise<number> {
    if (articleIds.length === 0) return 0;
    const s = quotedSchema(manager.connection);
    const [from1h, from24h, from7d] = popularityWindows.map((w) => new Date(firstBucketOfWindow(now, w)));
    const sorted = [...articleIds].sort();
    // Lock first, in one order everywhere, then sum in a new statement: its snapshot then includes
    // every read committed by a batch that held one of these rows before.
    await manager.query(
      `SELECT 1 FROM ${s}.article_features WHERE article_id = ANY($1::text[]) ORDER BY article_id FOR UPDATE`,
      [sorted],
    );
    const updated: { changed: boolean }[] = await manager.query(
      `WITH ids AS (SELECT unnest($1::text[]) AS article_id ORDER BY 1),
       w AS (
         SELECT ids.article_id,
           coalesce(sum(a.reads) FILTER (WHERE a.bucket >= $2), 0)::int AS r1h,
           coalesce(sum(a.reads) FILTER (WHERE a.bucket >= $3), 0)::int AS r24h,
           coalesce(sum(a.reads), 0)::int AS r7d,
           coalesce(sum(a.dwell_seconds) FILTER (WHERE a.bucket >= $2), 0) AS d1h,
           coalesce(sum(a.dwell_seconds) FILTER (WHERE a.bucket >= $3), 0) AS d24h,
           coalesce(sum(a.dwell_seconds), 0) AS d7d
         FROM ids LEFT JOIN ${s}.article_activity a ON a.article_id = ids.article_id AND a.bucket >= $4
         GROUP BY ids.article_id),
       d AS (
         SELECT w.*, (f.reads_1h, f.reads_24h, f.reads_7d, f.dwell_1h, f.dwell_24h, f.dwell_7d)
           IS DISTINCT FROM (w.r1h, w.r24h, w.r7d, w.d1h, w.d24h, w.d7d) AS changed
         FROM w JOIN ${s}.article_features f USING (article_id))
       UPDATE ${s}.article_features f SET
         reads_1h = d.r1h, reads_24h = d.r24h, reads_7d = d.r7d,
         dwell_1h = d.d1h, dwell_24h = d.d24h, dwell_7d = d.d7d,
         windows_at = CASE WHEN d.changed THEN $5 ELSE f.windows_at END,
         version = f.version + CASE WHEN d.changed THEN 1 ELSE 0 END,
         windows_stale = false
       FROM d
       WHERE f.article_id = d.article_id AND (d.changed OR f.windows_stale)
       RETURNING d.changed`,
      [sorted, from1h, from24h, from7d, new Date(now)],
    );
    return updated.filter((row) => row.changed).length;
  }

  private async closeVersions(manager: EntityManager, s: string, closing: { id: string; at: string }[]) {
    await manager.query(
      `UPDATE ${s}.article_versions v SET valid_to = greatest(c.at, v.valid_from)
       FROM json_to_recordset($1::json) AS c(id text, at timestamptz)
       WHERE v.article_id = c.id AND v.valid_to IS NULL`,
      [JSON.stringify(closing)],
    );
  }
}

import { Injectable } from '@nestjs/common';
import { Article, derivedEventId, newEvent, topics } from '@newsroom/contracts';
import { Outbox, advisoryXactLocks, quotedSchema } from '@newsroom/persistence';
import { EntityManager } from 'typeorm';
import { IngestionMetrics, Source, StoreResult } from '../quality/ingestion-metrics';

interface Revision {
  article: Article;
  revision: number;
}

/**
 * Upserts articles by articleId: each new eventId is a revision, kept in `article_revisions`;
 * the `articles` row holds the latest and keeps its moderation state (a flag made before the article
 * arrived included). One `articles.ingested` event per stored revision, through the outbox. A fixed
 * number of statements per batch.
 */
@Injectable()
export class ArticlesService {
  constructor(
    private readonly outbox: Outbox,
    private readonly metrics: IngestionMetrics,
  ) {}

  async store(manager: EntityManager, items: Article[], source: Source): Promise<StoreResult> {
    if (items.length === 0) return { accepted: 0, duplicates: 0 };
    const s = quotedSchema(manager.connection);
    const articleIds = [...new Set(items.map((a) => a.articleId))].sort();
    // Serialise writers of the same article (Kafka consumer and HTTP, several replicas) so revision
    // numbers are assigned once.
    await advisoryXactLocks(manager, 'article', articleIds);
    const [seen, current]: [{ event_id: string }[], { article_id: string; revision: number }[]] =
      await Promise.all([
        manager.query(`SELECT event_id FROM ${s}.article_revisions WHERE event_id = ANY($1::text[])`, [
          items.map((a) => a.eventId),
        ]),
        manager.query(`SELECT article_id, revision FROM ${s}.articles WHERE article_id = ANY($1::text[])`, [
          articleIds,
        ]),
      ]);
    const seenIds = new Set(seen.map((r) => r.event_id));
    const latestRevision = new Map(current.map((r) => [r.article_id, r.revision]));
    const revisions: Revision[] = [];
    for (const article of items) {
      if (seenIds.has(article.eventId)) continue;
      seenIds.add(article.eventId);
      const revision = (latestRevision.get(article.articleId) ?? 0) + 1;
      latestRevision.set(article.articleId, revision);
      revisions.push({ article, revision });
    }
    if (revisions.length > 0) await this.write(manager, s, revisions);
    this.metrics.stored('article', source, revisions.length, items.length - revisions.length);
    this.metrics.timeliness(
      'article',
      revisions.map((r) => r.article.publishedAt),
    );
    return { accepted: revisions.length, duplicates: items.length - revisions.length };
  }

  private async write(manager: EntityManager, s: string, revisions: Revision[]): Promise<void> {
    const rows: { event_id: string; ingested_at: Date }[] = await manager.query(
      `INSERT INTO ${s}.article_revisions (event_id, article_id, revision, document)
       SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::jsonb[])
       RETURNING event_id, ingested_at`,
      [
        revisions.map((r) => r.article.eventId),
        revisions.map((r) => r.article.articleId),
        revisions.map((r) => r.revision),
        revisions.map((r) => JSON.stringify(r.article)),
      ],
    );
    // The latest revision of each article becomes its current row; `flagged` is left as it is, and
    // a new row takes the last decision of a moderator who flagged the article before it arrived.
    const latest = [...new Map(revisions.map((r) => [r.article.articleId, r])).values()];
    await manager.query(
      `INSERT INTO ${s}.articles (article_id, event_id, revision, title, body, category, publisher, url, published_at, language, tags, flagged)
       SELECT a.article_id, a.event_id, a.revision, a.title, a.body, a.category, a.publisher, a.url, a.published_at, a.language,
              (SELECT array_agg(t) FROM jsonb_array_elements_text(a.tags) AS t),
              coalesce((SELECT l.flagged FROM ${s}.moderation_log l WHERE l.article_id = a.article_id ORDER BY l.id DESC LIMIT 1), false)
       FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[], $10::text[], $11::jsonb[])
         AS a(article_id, event_id, revision, title, body, category, publisher, url, published_at, language, tags)
       ON CONFLICT (article_id) DO UPDATE SET
         event_id = excluded.event_id, revision = excluded.revision, title = excluded.title, body = excluded.body,
         category = excluded.category, publisher = excluded.publisher, url = excluded.url,
         published_at = excluded.published_at, language = excluded.language, tags = excluded.tags, updated_at = now()`,
      [
        latest.map((r) => r.article.articleId),
        latest.map((r) => r.article.eventId),
        latest.map((r) => r.revision),
        latest.map((r) => r.article.title),
        latest.map((r) => r.article.body ?? null),
        latest.map((r) => r.article.category),
        latest.map((r) => r.article.publisher),
        latest.map((r) => r.article.url),
        latest.map((r) => r.article.publishedAt),
        latest.map((r) => r.article.language ?? null),
        latest.map((r) => (r.article.tags ? JSON.stringify(r.article.tags) : null)),
      ],
    );
    const ingestedAt = new Map(rows.map((r) => [r.event_id, r.ingested_at.toISOString()]));
    const now = new Date().toISOString();
    await this.outbox.enqueue(
      manager,
      topics.articlesIngested,
      revisions.map(({ article, revision }) => ({
        key: article.articleId,
        value: newEvent(
          topics.articlesIngested.name,
          { ...article, revision, ingestedAt: ingestedAt.get(article.eventId) ?? now },
          'ingestion',
          { eventId: derivedEventId(`articles.ingested:${article.eventId}`) },
        ),
      })),
    );
  }
}

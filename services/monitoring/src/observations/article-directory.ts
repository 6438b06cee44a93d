import { Injectable } from '@nestjs/common';
import { TopicPayload, topics } from '@newsroom/contracts';
import { quotedSchema } from '@newsroom/persistence';
import { DataSource, EntityManager } from 'typeorm';
import { ArticleFacts } from './observation-fold';

type Article = TopicPayload<typeof topics.articlesIngested>;

/**
 * The articles monitoring has seen, in the table and in memory: each read looks up its article's
 * category and publication time without a query. Loaded from the table on first use.
 */
@Injectable()
export class ArticleDirectory {
  private readonly facts = new Map<string, ArticleFacts>();
  private loading?: Promise<void>;

  constructor(private readonly dataSource: DataSource) {}

  async ready(): Promise<void> {
    this.loading ??= this.load().catch((error: unknown) => {
      this.loading = undefined;
      throw error;
    });
    await this.loading;
  }

  get(articleId: string): ArticleFacts | undefined {
    return this.facts.get(articleId);
  }

  /**
   * Stores the articles (a revision may change category or publisher) inside the caller's
   * transaction and returns those stored for the first time. Call `remember` once it commits.
   */
  async store(manager: EntityManager, articles: Article[]): Promise<Article[]> {
    const latest = new Map(articles.map((a) => [a.articleId, a]));
    const rows = [...latest.values()].sort((a, b) => (a.articleId < b.articleId ? -1 : 1));
    if (rows.length === 0) return [];
    const inserted: { article_id: string }[] = await manager.query(
      `INSERT INTO ${quotedSchema(manager.connection)}.articles AS a (article_id, category, publisher, published_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[])
       ON CONFLICT (article_id) DO UPDATE SET category = EXCLUDED.category, publisher = EXCLUDED.publisher
       RETURNING article_id, (xmax = 0) AS inserted`,
      [
        rows.map((a) => a.articleId),
        rows.map((a) => a.category),
        rows.map((a) => a.publisher),
        rows.map((a) => a.publishedAt),
      ],
    );
    const created = new Set(
      (inserted as { article_id: string; inserted: boolean }[])
        .filter((r) => r.inserted)
        .map((r) => r.article_id),
    );
    return rows.filter((a) => created.has(a.articleId));
  }

  /** Forgets the articles published before `beforeMs` (their rows are pruned with them). */
  forget(beforeMs: number): void {
    for (const [articleId, facts] of this.facts)
      if (facts.publishedAt < beforeMs) this.facts.delete(articleId);
  }

  remember(articles: Article[]): void {
    for (const a of articles)
      this.facts.set(a.articleId, { category: a.category, publishedAt: Date.parse(a.publishedAt) });
  }

  private async load(): Promise<void> {
    const rows: { article_id: string; category: string; published_ms: string }[] =
      await this.dataSource.query(
        `SELECT article_id, category, (extract(epoch FROM published_at) * 1000)::bigint AS published_ms
       FROM ${quotedSchema(this.dataSource)}.articles`,
      );
    for (const r of rows)
      if (!this.facts.has(r.article_id))
        this.facts.set(r.article_id, { category: r.category, publishedAt: Number(r.published_ms) });
  }
}

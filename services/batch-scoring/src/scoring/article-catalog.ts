import { Injectable } from '@nestjs/common';
import { ArticleContent } from '@newsroom/ml';
import { DataSource } from 'typeorm';
import { ArticleRow } from '../feature-state/feature-state.service';
import { ChangedRows } from './changed-rows';

export interface CatalogArticle {
  revision: number;
  content: ArticleContent;
  publishedAt: number;
  flagged: boolean;
}

/** Changes written by other replicas are looked for at most this often. */
const refreshEveryMs = 2_000;

/**
 * Every article's content in memory (readers' histories name older articles; candidates are the
 * fresh ones), kept up to date from the `articles` table by what changed since the last look.
 */
@Injectable()
export class ArticleCatalog {
  private readonly articles = new Map<string, CatalogArticle>();
  private readonly changes: ChangedRows<{
    article_id: string;
    revision: number;
    category: string;
    publisher: string;
    token_hashes: number[];
    published_at: Date;
    flagged: boolean;
    changed_at: Date;
  }>;
  private lastRefresh = 0;
  private refreshing?: Promise<void>;

  constructor(dataSource: DataSource) {
    this.changes = new ChangedRows(
      dataSource,
      'articles',
      'article_id, revision, category, publisher, token_hashes, published_at, flagged',
    );
  }

  content(articleId: string): ArticleContent | undefined {
    return this.articles.get(articleId)?.content;
  }

  get(articleId: string): CatalogArticle | undefined {
    return this.articles.get(articleId);
  }

  /**
   * Candidate ids: not flagged, published within `windowHours` of the newest article (so a replayed
   * history is scored as it would have been live; never later than now), in a stable order.
   */
  fresh(windowHours: number, now = Date.now()): string[] {
    let newest = 0;
    for (const a of this.articles.values())
      if (a.publishedAt <= now && a.publishedAt > newest) newest = a.publishedAt;
    const from = newest - windowHours * 3_600_000;
    return [...this.articles]
      .filter(([, a]) => !a.flagged && a.publishedAt > from && a.publishedAt <= now)
      .map(([id]) => id)
      .sort();
  }

  /** Articles this replica stored itself: known at once, without waiting for the next refresh. */
  put(rows: readonly ArticleRow[]): void {
    for (const row of rows) {
      if ((this.articles.get(row.article_id)?.revision ?? 0) >= row.revision) continue;
      this.articles.set(row.article_id, {
        revision: row.revision,
        content: { tokenHashes: row.token_hashes, category: row.category, publisher: row.publisher },
        publishedAt: Date.parse(row.published_at),
        flagged: this.articles.get(row.article_id)?.flagged ?? row.flagged,
      });
    }
  }

  flag(articleId: string, flagged: boolean): void {
    const article = this.articles.get(articleId);
    if (article) article.flagged = flagged;
  }

  /** Reads what changed in the table (other replicas' writes) unless it did so moments ago. */
  refresh(): Promise<void> {
    if (Date.now() - this.lastRefresh < refreshEveryMs) return this.refreshing ?? Promise.resolve();
    this.refreshing ??= this.load().finally(() => {
      this.refreshing = undefined;
      this.lastRefresh = Date.now();
    });
    return this.refreshing;
  }

  private async load(): Promise<void> {
    const rows = await this.changes.next();
    for (const row of rows) {
      this.articles.set(row.article_id, {
        revision: row.revision,
        content: { tokenHashes: row.token_hashes, category: row.category, publisher: row.publisher },
        publishedAt: row.published_at.getTime(),
        flagged: row.flagged,
      });
    }
  }
}

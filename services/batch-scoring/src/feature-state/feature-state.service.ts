import { Injectable } from '@nestjs/common';
import { TopicPayload, articleTokenHashes, topics } from '@newsroom/contracts';
import { quotedSchema } from '@newsroom/persistence';
import { EntityManager } from 'typeorm';

type UserFeatures = TopicPayload<typeof topics.featuresUsers>;
type ArticleFeatures = TopicPayload<typeof topics.featuresArticles>;
type ArticleIngested = TopicPayload<typeof topics.articlesIngested>;

export interface ArticleRow {
  article_id: string;
  revision: number;
  category: string;
  publisher: string;
  token_hashes: number[];
  published_at: string;
  flagged: boolean;
}

/** The latest of each key in a batch: one upsert statement may not touch a row twice. */
function latestBy<T>(items: readonly T[], key: (item: T) => string, order: (item: T) => number): T[] {
  const latest = new Map<string, T>();
  for (const item of items) {
    const seen = latest.get(key(item));
    if (!seen || order(item) > order(seen)) latest.set(key(item), item);
  }
  return [...latest.values()];
}

/** The latest revision of each article in a batch, as rows of the `articles` table. */
function articleRows<
  A extends { articleId: string; revision: number; category: string; publisher: string; publishedAt: string },
>(
  articles: readonly A[],
  described: (article: A) => { tokenHashes: number[]; flagged: boolean },
): ArticleRow[] {
  return latestBy(
    articles,
    (a) => a.articleId,
    (a) => a.revision,
  ).map((a) => {
    const { tokenHashes, flagged } = described(a);
    return {
      article_id: a.articleId,
      revision: a.revision,
      category: a.category,
      publisher: a.publisher,
      token_hashes: tokenHashes,
      published_at: a.publishedAt,
      flagged,
    };
  });
}

/**
 * What scoring needs to know of readers and articles: readers from `features.users` (highest
 * version wins), articles' content from `features.articles` and `articles.ingested` (highest
 * revision wins). A reader whose features changed is left for the refresh job to score again.
 */
@Injectable()
export class FeatureStateService {
  async applyReaders(manager: EntityManager, users: readonly UserFeatures[]): Promise<void> {
    const rows = latestBy(
      users,
      (u) => u.userId,
      (u) => u.version,
    ).map((u) => ({
      user_id: u.userId,
      region: u.region ?? null,
      category_mix: u.categoryMix,
      recent_reads: u.recentReads,
      version: u.version,
    }));
    if (rows.length === 0) return;
    await manager.query(
      `INSERT INTO ${quotedSchema(manager.connection)}.readers AS r
         (user_id, region, category_mix, recent_reads, version)
       SELECT user_id, region, category_mix, recent_reads, version
       FROM json_to_recordset($1::json)
         AS x(user_id text, region text, category_mix jsonb, recent_reads jsonb, version bigint)
       ON CONFLICT (user_id) DO UPDATE SET region = EXCLUDED.region, category_mix = EXCLUDED.category_mix,
         recent_reads = EXCLUDED.recent_reads, version = EXCLUDED.version
       WHERE r.version < EXCLUDED.version`,
      [JSON.stringify(rows)],
    );
  }

  async applyArticleFeatures(manager: EntityManager, articles: readonly ArticleFeatures[]): Promise<void> {
    await this.upsertArticles(
      manager,
      articleRows(articles, (a) => ({ tokenHashes: a.tokenHashes, flagged: a.flagged })),
    );
  }

  /** Articles as ingested (before the feature store has described them): their words hashed as it does. */
  async applyIngested(manager: EntityManager, articles: readonly ArticleIngested[]): Promise<ArticleRow[]> {
    const rows = articleRows(articles, (a) => ({
      tokenHashes: articleTokenHashes(a.title, a.body),
      flagged: false,
    }));
    await this.upsertArticles(manager, rows);
    return rows;
  }

  /** Flags or unflags articles: the batch's last decision about each . */
  async applyModeration(manager: EntityManager, decisions: ReadonlyMap<string, boolean>): Promise<void> {
    await manager.query(
      `UPDATE ${quotedSchema(manager.connection)}.articles a SET flagged = x.flagged, changed_at = clock_timestamp()
       FROM json_to_recordset($1::json) AS x(article_id text, flagged boolean)
       WHERE a.article_id = x.article_id AND a.flagged <> x.flagged`,
      [JSON.stringify([...decisions].map(([article_id, flagged]) => ({ article_id, flagged })))],
    );
  }

  private async upsertArticles(manager: EntityManager, rows: ArticleRow[]): Promise<void> {
    if (rows.length === 0) return;
    // The flag only comes from a new row: articles.flagged decides it afterwards.
    await manager.query(
      `INSERT INTO ${quotedSchema(manager.connection)}.articles AS a
         (article_id, revision, category, publisher, token_hashes, published_at, flagged)
       SELECT article_id, revision, category, publisher, token_hashes, published_at, flagged
       FROM json_to_recordset($1::json) AS x(article_id text, revision integer, category text,
         publisher text, token_hashes integer[], published_at timestamptz, flagged boolean)
       ON CONFLICT (article_id) DO UPDATE SET revision = EXCLUDED.revision, category = EXCLUDED.category,
         publisher = EXCLUDED.publisher, token_hashes = EXCLUDED.token_hashes,
         published_at = EXCLUDED.published_at, changed_at = clock_timestamp()
       WHERE a.revision < EXCLUDED.revision`,
      [JSON.stringify(rows)],
    );
  }
}

import { Injectable } from '@nestjs/common';
import { TopicPayload, TopicValue, articleTokenHashes, topics } from '@newsroom/contracts';
import { Inbox, advisoryXactLocks, quotedSchema } from '@newsroom/persistence';
import { EntityManager } from 'typeorm';

type UserFeatures = TopicPayload<typeof topics.featuresUsers>;
type ArticleFeatures = TopicPayload<typeof topics.featuresArticles>;
type ArticleIngested = TopicPayload<typeof topics.articlesIngested>;
type ArticleFlagged = TopicValue<typeof topics.articlesFlagged>;

/** Every writer of an article's row or moderation holds its lock. */
const articleLocks = 'scoring-article';

/** What a batch of moderation decisions did (see FeatureStateService.applyModeration). */
export interface ModerationOutcome {
  /** Each decided article's flag now. */
  flagged: Map<string, boolean>;
  /** New flags carried out: the article is flagged now. */
  takedowns: { takedownId: string; articleId: string }[];
}

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
 * revision wins), their moderation from `articles.flagged` (the latest decision, kept whether the
 * article is here yet or not). A reader whose features changed is left for the refresh job to
 * score again.
 */
@Injectable()
export class FeatureStateService {
  constructor(private readonly inbox: Inbox) {}

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

  /**
   * Articles as ingested (before the feature store has described them): their words hashed as it
   * does, flagged as moderation last decided. Returns the rows as stored.
   */
  async applyIngested(manager: EntityManager, articles: readonly ArticleIngested[]): Promise<ArticleRow[]> {
    const rows = articleRows(articles, (a) => ({
      tokenHashes: articleTokenHashes(a.title, a.body),
      flagged: false,
    }));
    return this.upsertArticles(manager, rows);
  }

  /**
   * Applies moderation decisions once each (by event id), the latest decision about an article
   * holding whether the article is here yet or not. Returns each decided article's flag now and the
   * takedowns done: the new flags whose article is flagged now.
   */
  async applyModeration(
    manager: EntityManager,
    events: readonly ArticleFlagged[],
  ): Promise<ModerationOutcome> {
    const applied = await this.inbox.claimEvents(manager, 'scoring.articles-flagged', events);
    const ids = [...new Set(applied.map((e) => e.payload.articleId))];
    if (ids.length === 0) return { flagged: new Map(), takedowns: [] };
    await advisoryXactLocks(manager, articleLocks, ids);
    const s = quotedSchema(manager.connection);
    // In partition order: of one article's decisions, the last is the one that holds.
    const last = new Map(applied.map((e) => [e.payload.articleId, e]));
    await manager.query(
      `INSERT INTO ${s}.article_moderation AS m (article_id, flagged, decided_at)
       SELECT article_id, flagged, decided_at
       FROM json_to_recordset($1::json) AS x(article_id text, flagged boolean, decided_at timestamptz)
       ON CONFLICT (article_id) DO UPDATE SET flagged = excluded.flagged, decided_at = excluded.decided_at
         WHERE m.decided_at <= excluded.decided_at`,
      [
        JSON.stringify(
          [...last.values()].map((e) => ({
            article_id: e.payload.articleId,
            flagged: e.payload.flagged,
            decided_at: e.occurredAt,
          })),
        ),
      ],
    );
    await manager.query(
      `UPDATE ${s}.articles a SET flagged = m.flagged, changed_at = clock_timestamp()
       FROM ${s}.article_moderation m
       WHERE m.article_id = ANY($1::text[]) AND a.article_id = m.article_id AND a.flagged <> m.flagged`,
      [ids],
    );
    const now: { article_id: string; flagged: boolean }[] = await manager.query(
      `SELECT article_id, flagged FROM ${s}.article_moderation WHERE article_id = ANY($1::text[])`,
      [ids],
    );
    const flagged = new Map(now.map((r) => [r.article_id, r.flagged]));
    const takedowns = applied.flatMap(({ payload: { articleId, takedownId } }) =>
      takedownId && flagged.get(articleId) ? [{ takedownId, articleId }] : [],
    );
    return { flagged, takedowns };
  }

  /** Stores rows (a new row flagged as moderation last decided); returns them with that flag. */
  private upsertArticles(manager: EntityManager, rows: ArticleRow[]): Promise<ArticleRow[]> {
    if (rows.length === 0) return Promise.resolve([]);
    return manager.transaction(async (tx) => {
      const s = quotedSchema(tx.connection);
      // Serialised with moderation: a decision committed now is either seen here or sees this row.
      await advisoryXactLocks(
        tx,
        articleLocks,
        rows.map((r) => r.article_id),
      );
      const decisions: { article_id: string; flagged: boolean }[] = await tx.query(
        `SELECT article_id, flagged FROM ${s}.article_moderation WHERE article_id = ANY($1::text[])`,
        [rows.map((r) => r.article_id)],
      );
      const decided = new Map(decisions.map((d) => [d.article_id, d.flagged]));
      const stored = rows.map((r) => ({ ...r, flagged: decided.get(r.article_id) ?? r.flagged }));
      // The flag only comes from a new row: articles.flagged decides it afterwards.
      await tx.query(
        `INSERT INTO ${s}.articles AS a
           (article_id, revision, category, publisher, token_hashes, published_at, flagged)
         SELECT article_id, revision, category, publisher, token_hashes, published_at, flagged
         FROM json_to_recordset($1::json) AS x(article_id text, revision integer, category text,
           publisher text, token_hashes integer[], published_at timestamptz, flagged boolean)
         ON CONFLICT (article_id) DO UPDATE SET revision = EXCLUDED.revision, category = EXCLUDED.category,
           publisher = EXCLUDED.publisher, token_hashes = EXCLUDED.token_hashes,
           published_at = EXCLUDED.published_at, changed_at = clock_timestamp()
         WHERE a.revision < EXCLUDED.revision`,
        [JSON.stringify(stored)],
      );
      return stored;
    });
  }
}

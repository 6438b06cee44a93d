import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { FallbackScope, TopicPayload, topics } from '@newsroom/contracts';
import { gauge } from '@newsroom/observability';
import { quotedSchema } from '@newsroom/persistence';
import { DataSource, EntityManager } from 'typeorm';
import { ArticleFacets } from '../editorial/editorial-caps';

type Generated = TopicPayload<typeof topics.recommendationsGenerated>;
type Fallback = TopicPayload<typeof topics.recommendationsFallback>;
type ListItem = Generated['items'][number];
type Moderation = Pick<TopicPayload<typeof topics.articlesFlagged>, 'articleId' | 'flagged' | 'takedownId'>;

/** A flag this replica's index holds, under the takedown it was given. */
export interface Takedown {
  takedownId: string;
  articleId: string;
}

/** Items as two arrays (best first), ids interned: a few objects per reader, not one per item. */
export interface RankedItems {
  articleIds: string[];
  scores: Float64Array;
}

export interface StoredList extends RankedItems {
  modelVersion: string;
  revision: number;
  generatedAt: string;
  /** The model's training data and feature schema (lists from before they were announced lack them). */
  datasetId: string | undefined;
  featureSchemaVersion: number | undefined;
  /** Positions of the items placed into the list between scoring runs (origin `fresh`); mostly none. */
  freshAt: readonly number[] | undefined;
}

export interface FallbackList extends RankedItems {
  generatedAt: string;
}

const listedReaders = gauge('serving_index_readers', 'Readers with a list in this replica’s index');

/**
 * Serving's store: PostgreSQL (the `serving` schema) for durability, and the same data in memory
 * for answering. Writes go to the table first and then to memory, so what a replica answers is
 * always stored; a restart loads the table. Lists keep the highest revision whatever the order
 * they arrive in; a flag is permanent until an unflag. Lists are held compactly (RankedItems):
 * the old generation stays small for the garbage collector, whose pauses would be tail latency.
 * An article's category and publisher (for editorial caps) are held once per article, not per
 * list; attributions stay in the table (Explanations reads them for `?explain=true`).
 */
@Injectable()
export class RecommendationIndex implements OnApplicationBootstrap {
  private readonly logger = new Logger(RecommendationIndex.name);
  private readonly lists = new Map<string, StoredList>();
  private readonly fallbacks = new Map<FallbackScope, FallbackList>();
  private readonly flagged = new Set<string>();
  private readonly articleIds = new Map<string, string>();
  private readonly facetsByArticle = new Map<string, ArticleFacets>();
  private readonly facetsInterned = new Map<string, ArticleFacets>();

  constructor(private readonly dataSource: DataSource) {}

  private get s(): string {
    return quotedSchema(this.dataSource);
  }

  async onApplicationBootstrap(): Promise<void> {
    const started = Date.now();
    for (const row of await this.dataSource.query(`SELECT article_id FROM ${this.s}.flagged_articles`)) {
      this.flagged.add(row.article_id);
    }
    for (const row of await this.dataSource.query(
      `SELECT scope, generated_at, items FROM ${this.s}.fallback_lists`,
    )) {
      this.fallbacks.set(row.scope, {
        generatedAt: row.generated_at.toISOString(),
        ...this.ranked(row.items),
      });
    }
    const rows = await this.dataSource.query(
      `SELECT user_id, model_version, revision, generated_at, dataset_id, feature_schema_version, items
       FROM ${this.s}.lists`,
    );
    for (const row of rows) {
      this.putList(row.user_id, {
        modelVersion: row.model_version,
        revision: row.revision,
        generatedAt: row.generated_at.toISOString(),
        datasetId: row.dataset_id ?? undefined,
        featureSchemaVersion: row.feature_schema_version ?? undefined,
        ...this.listed(row.items),
      });
    }
    this.logger.log(
      `index loaded: ${this.lists.size} lists, ${this.flagged.size} flagged articles (${Date.now() - started} ms)`,
    );
  }

  list(userId: string): StoredList | undefined {
    return this.lists.get(userId);
  }

  fallback(scope: FallbackScope): FallbackList | undefined {
    return this.fallbacks.get(scope);
  }

  isFlagged(articleId: string): boolean {
    return this.flagged.has(articleId);
  }

  /** The article's category and publisher, as the latest list or fallback holding it had them. */
  facets(articleId: string): ArticleFacets | undefined {
    return this.facetsByArticle.get(articleId);
  }

  /** Drops a reader's list from memory (their data was erased from the table). */
  forget(userId: string): void {
    this.lists.delete(userId);
    listedReaders.set(this.lists.size);
  }

  async storeLists(manager: EntityManager, generated: readonly Generated[]): Promise<void> {
    const latest = new Map<string, Generated>();
    for (const g of generated)
      if ((latest.get(g.userId)?.revision ?? 0) < g.revision) latest.set(g.userId, g);
    // An empty list is no list (batch scoring sends one when a reader's data is erased): the
    // reader is served the fallback, as one never scored.
    const emptied = [...latest.values()].filter((g) => g.items.length === 0).map((g) => g.userId);
    for (const userId of emptied) latest.delete(userId);
    if (emptied.length > 0) {
      await manager.query(`DELETE FROM ${this.s}.lists WHERE user_id = ANY($1)`, [emptied]);
      for (const userId of emptied) this.forget(userId);
    }
    if (latest.size === 0) return;
    await manager.query(
      `INSERT INTO ${this.s}.lists AS l (user_id, model_version, revision, generated_at, items,
         dataset_id, feature_schema_version, attribution_baseline, attributions)
       SELECT "userId", "modelVersion", revision, "generatedAt", items,
         "datasetId", "featureSchemaVersion", "attributionBaseline", attributions
       FROM json_to_recordset($1::json)
         AS x("userId" text, "modelVersion" text, revision integer, "generatedAt" timestamptz, items jsonb,
              "datasetId" text, "featureSchemaVersion" integer, "attributionBaseline" double precision,
              attributions jsonb)
       ON CONFLICT (user_id) DO UPDATE SET model_version = EXCLUDED.model_version, revision = EXCLUDED.revision,
         generated_at = EXCLUDED.generated_at, items = EXCLUDED.items, dataset_id = EXCLUDED.dataset_id,
         feature_schema_version = EXCLUDED.feature_schema_version,
         attribution_baseline = EXCLUDED.attribution_baseline, attributions = EXCLUDED.attributions
       WHERE l.revision < EXCLUDED.revision`,
      [JSON.stringify([...latest.values()].map(storedRow))],
    );
    for (const g of latest.values()) {
      this.putList(g.userId, {
        modelVersion: g.modelVersion,
        revision: g.revision,
        generatedAt: g.generatedAt,
        datasetId: g.datasetId === undefined ? undefined : this.intern(g.datasetId),
        featureSchemaVersion: g.featureSchemaVersion,
        ...this.listed(g.items),
      });
    }
  }

  async storeFallbacks(manager: EntityManager, lists: readonly Fallback[]): Promise<void> {
    const latest = new Map(lists.map((f) => [f.scope, f]));
    await manager.query(
      `INSERT INTO ${this.s}.fallback_lists AS f (scope, generated_at, items)
       SELECT scope, "generatedAt", items FROM json_to_recordset($1::json) AS x(scope text, "generatedAt" timestamptz, items jsonb)
       ON CONFLICT (scope) DO UPDATE SET generated_at = EXCLUDED.generated_at, items = EXCLUDED.items
       WHERE f.generated_at <= EXCLUDED.generated_at`,
      [JSON.stringify([...latest.values()])],
    );
    for (const f of latest.values()) {
      const current = this.fallbacks.get(f.scope);
      if (!current || current.generatedAt <= f.generatedAt)
        this.fallbacks.set(f.scope, { generatedAt: f.generatedAt, ...this.ranked(f.items) });
    }
  }

  /**
   * Flags and unflags in order; the flag holds in memory only once stored. Returns the takedowns
   * this index now holds: each flag with a takedown id whose article is flagged after the batch.
   */
  async storeModeration(manager: EntityManager, decisions: readonly Moderation[]): Promise<Takedown[]> {
    const last = new Map(decisions.map((d) => [d.articleId, d.flagged]));
    const flag = [...last].filter(([, f]) => f).map(([id]) => id);
    const unflag = [...last].filter(([, f]) => !f).map(([id]) => id);
    await manager.query(
      `INSERT INTO ${this.s}.flagged_articles (article_id) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`,
      [flag],
    );
    await manager.query(`DELETE FROM ${this.s}.flagged_articles WHERE article_id = ANY($1)`, [unflag]);
    for (const id of flag) this.flagged.add(id);
    for (const id of unflag) this.flagged.delete(id);
    return decisions.flatMap(({ articleId, flagged, takedownId }) =>
      flagged && takedownId && this.flagged.has(articleId) ? [{ takedownId, articleId }] : [],
    );
  }

  /** A list's items as held: ranked, with its fresh items' positions. */
  private listed(items: readonly ListItem[]): RankedItems & Pick<StoredList, 'freshAt'> {
    const freshAt = items.flatMap((item, i) => (item.origin === 'fresh' ? [i] : []));
    // A copy of its exact length: a grown array keeps spare capacity, per reader.
    return { ...this.ranked(items), freshAt: freshAt.length > 0 ? freshAt.slice() : undefined };
  }

  private ranked(items: readonly ({ articleId: string; score: number } & ArticleFacets)[]): RankedItems {
    for (const item of items) this.learnFacets(item);
    return {
      articleIds: items.map((i) => this.intern(i.articleId)),
      scores: Float64Array.from(items, (i) => i.score),
    };
  }

  /** Keeps an article's category and publisher, one shared object per pair. */
  private learnFacets({ articleId, category, publisher }: { articleId: string } & ArticleFacets): void {
    if (category === undefined && publisher === undefined) return;
    const known = this.facetsByArticle.get(articleId);
    if (known && known.category === category && known.publisher === publisher) return;
    const key = `${category ?? ''}\u0000${publisher ?? ''}`;
    let facets = this.facetsInterned.get(key);
    if (!facets) {
      facets = { category, publisher };
      this.facetsInterned.set(key, facets);
    }
    this.facetsByArticle.set(this.intern(articleId), facets);
  }

  private intern(articleId: string): string {
    const known = this.articleIds.get(articleId);
    if (known !== undefined) return known;
    this.articleIds.set(articleId, articleId);
    return articleId;
  }

  private putList(userId: string, list: StoredList): void {
    const current = this.lists.get(userId);
    if (current && current.revision >= list.revision) return;
    this.lists.set(userId, list);
    listedReaders.set(this.lists.size);
  }
}

/** A list's row: its items without attributions (what the index loads), the attributions by article. */
function storedRow({ items, ...list }: Generated) {
  const attributions: Record<string, unknown> = {};
  let attributed = false;
  const held = items.map(({ attributions: values, ...item }) => {
    if (values) {
      attributions[item.articleId] = values;
      attributed = true;
    }
    return item;
  });
  return { ...list, items: held, attributions: attributed ? attributions : null };
}

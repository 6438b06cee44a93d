import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { FallbackScope, TopicPayload, topics } from '@newsroom/contracts';
import { gauge } from '@newsroom/observability';
import { quotedSchema } from '@newsroom/persistence';
import { DataSource, EntityManager } from 'typeorm';

type Generated = TopicPayload<typeof topics.recommendationsGenerated>;
type Fallback = TopicPayload<typeof topics.recommendationsFallback>;

/** Items as two arrays (best first), ids interned: a few objects per reader, not one per item. */
export interface RankedItems {
  articleIds: string[];
  scores: Float64Array;
}

export interface StoredList extends RankedItems {
  modelVersion: string;
  revision: number;
  generatedAt: string;
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
 */
@Injectable()
export class RecommendationIndex implements OnApplicationBootstrap {
  private readonly logger = new Logger(RecommendationIndex.name);
  private readonly lists = new Map<string, StoredList>();
  private readonly fallbacks = new Map<FallbackScope, FallbackList>();
  private readonly flagged = new Set<string>();
  private readonly articleIds = new Map<string, string>();

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
      `SELECT user_id, model_version, revision, generated_at, items FROM ${this.s}.lists`,
    );
    for (const row of rows) {
      this.putList(row.user_id, {
        modelVersion: row.model_version,
        revision: row.revision,
        generatedAt: row.generated_at.toISOString(),
        ...this.ranked(row.items),
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

  async storeLists(manager: EntityManager, generated: readonly Generated[]): Promise<void> {
    const latest = new Map<string, Generated>();
    for (const g of generated)
      if ((latest.get(g.userId)?.revision ?? 0) < g.revision) latest.set(g.userId, g);
    if (latest.size === 0) return;
    await manager.query(
      `INSERT INTO ${this.s}.lists AS l (user_id, model_version, revision, generated_at, items)
       SELECT "userId", "modelVersion", revision, "generatedAt", items
       FROM json_to_recordset($1::json)
         AS x("userId" text, "modelVersion" text, revision integer, "generatedAt" timestamptz, items jsonb)
       ON CONFLICT (user_id) DO UPDATE SET model_version = EXCLUDED.model_version, revision = EXCLUDED.revision,
         generated_at = EXCLUDED.generated_at, items = EXCLUDED.items
       WHERE l.revision < EXCLUDED.revision`,
      [JSON.stringify([...latest.values()])],
    );
    for (const g of latest.values()) {
      this.putList(g.userId, {
        modelVersion: g.modelVersion,
        revision: g.revision,
        generatedAt: g.generatedAt,
        ...this.ranked(g.items),
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

  /** Flags and unflags in order; the flag holds in memory only once stored. */
  async storeModeration(
    manager: EntityManager,
    decisions: readonly { articleId: string; flagged: boolean }[],
  ): Promise<void> {
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
  }

  private ranked(items: readonly { articleId: string; score: number }[]): RankedItems {
    return {
      articleIds: items.map((i) => this.intern(i.articleId)),
      scores: Float64Array.from(items, (i) => i.score),
    };
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

import { Inject, Injectable } from '@nestjs/common';
import {
  FallbackScope,
  TopicPayload,
  newEvent,
  overallFallbackScope,
  recommendationListSize,
  topics,
} from '@newsroom/contracts';
import { Outbox, quotedSchema, tryWithAdvisoryLock } from '@newsroom/persistence';
import { PeriodicJob, SERVICE_CONFIG } from '@newsroom/platform';
import { DataSource } from 'typeorm';
import { BatchScoringConfig } from '../config';

/** An item of a fallback list: its reads, and its category and publisher (for serving's editorial caps). */
type FallbackItem = TopicPayload<typeof topics.recommendationsFallback>['items'][number];

/**
 * The fallback for readers without a list (unknown, no reads yet, or no model promoted yet):
 * fresh, unflagged articles by reads over SCORING_POPULARITY_HOURS, overall and per configured
 * region (PLATFORM_REGIONS; from readers' recent reads), topped up with the newest, each with its
 * category and publisher. Published on `recommendations.fallback` (compacted, one list per scope)
 * when it changes; one replica computes it.
 */
@Injectable()
export class FallbackJob extends PeriodicJob {
  private lastPublished = '';
  private readonly scopes: FallbackScope[];

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: BatchScoringConfig,
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {
    super('fallback lists', config.SCORING_FALLBACK_INTERVAL_MS);
    this.scopes = [overallFallbackScope, ...config.PLATFORM_REGIONS];
  }

  protected runOnce(): Promise<void> {
    return this.publish();
  }

  async publish(): Promise<void> {
    await tryWithAdvisoryLock(this.dataSource, 'scoring:fallback', async () => {
      const lists = await this.compute();
      const fingerprint = JSON.stringify(lists);
      if (fingerprint === this.lastPublished || lists.all.length === 0) return;
      const generatedAt = new Date().toISOString();
      await this.dataSource.transaction((manager) =>
        this.outbox.enqueue(
          manager,
          topics.recommendationsFallback,
          this.scopes.map((scope) => ({
            key: scope,
            value: newEvent(
              topics.recommendationsFallback.name,
              { scope, generatedAt, items: lists[scope] },
              'batch-scoring',
            ),
          })),
        ),
      );
      this.lastPublished = fingerprint;
    });
  }

  private async compute(): Promise<Record<FallbackScope, FallbackItem[]>> {
    const s = quotedSchema(this.dataSource);
    const rows: { scope: string; article_id: string; reads: number; category: string; publisher: string }[] =
      await this.dataSource.query(
        `WITH newest AS (SELECT max(published_at) AS at FROM ${s}.articles WHERE published_at <= now()),
         fresh AS (
           SELECT article_id FROM ${s}.articles, newest
           WHERE NOT flagged AND published_at > newest.at - make_interval(hours => $1) AND published_at <= now()),
         reads AS (
           SELECT r.region, e->>'articleId' AS article_id
           FROM ${s}.readers r CROSS JOIN newest CROSS JOIN jsonb_array_elements(r.recent_reads) e
           WHERE (e->>'at')::timestamptz > newest.at - make_interval(hours => $2)),
         popular AS (
           SELECT CASE WHEN GROUPING(reads.region) = 1 THEN '${overallFallbackScope}' ELSE reads.region END AS scope,
                  article_id, count(*)::int AS reads
           FROM reads JOIN fresh USING (article_id)
           GROUP BY GROUPING SETS ((reads.region, article_id), (article_id)))
         SELECT popular.*, a.category, a.publisher FROM popular JOIN ${s}.articles a USING (article_id)`,
        [this.config.SCORING_FRESHNESS_HOURS, this.config.SCORING_POPULARITY_HOURS],
      );
    const newest: { article_id: string; category: string; publisher: string }[] = await this.dataSource.query(
      `SELECT article_id, category, publisher FROM ${s}.articles WHERE NOT flagged AND published_at <= now()
       ORDER BY published_at DESC, article_id LIMIT $1`,
      [recommendationListSize],
    );
    const lists: Record<FallbackScope, FallbackItem[]> = {};
    for (const scope of this.scopes) {
      const popular = rows
        .filter((r) => r.scope === scope)
        .sort((a, b) => b.reads - a.reads || (a.article_id < b.article_id ? -1 : 1))
        .slice(0, recommendationListSize)
        .map((r) => ({
          articleId: r.article_id,
          score: r.reads,
          category: r.category,
          publisher: r.publisher,
        }));
      const listed = new Set(popular.map((i) => i.articleId));
      const topUp = newest
        .filter((a) => !listed.has(a.article_id))
        .map((a) => ({ articleId: a.article_id, score: 0, category: a.category, publisher: a.publisher }));
      lists[scope] = [...popular, ...topUp].slice(0, recommendationListSize);
    }
    return lists;
  }
}

import { Injectable } from '@nestjs/common';
import { TopicPayload, interactionTypes, topics } from '@newsroom/contracts';
import { quotedSchema } from '@newsroom/persistence';
import { EntityManager } from 'typeorm';
import { bucketOf } from '../feature-definitions/popularity-windows';
import { ArticleFeaturesService } from './article-features.service';

type Interaction = TopicPayload<typeof topics.interactionsIngested>;
/** How the log stores an interaction's type (see the migration): its index in `interactionTypes`. */
export const interactionKind = Object.fromEntries(
  interactionTypes.map((type, index) => [type, index]),
) as Record<Interaction['type'], number>;
const READ = interactionKind.read;

interface UserDelta {
  userId: string;
  /** The region of the latest event that had one, and that event's time. */
  region: string | null;
  regionAt: string | null;
  regionMs: number;
  impressions: number;
  clicks: number;
  reads: number;
  dwell: number;
  categoryDwell: Record<string, number>;
  lastSeenAt: string;
  lastSeenMs: number;
}

/**
 * Folds interactions into the offline log and the online reader and article features, in the
 * caller's transaction. Every update is additive (counts, sums, latest-by-time), so events apply in
 * any order, and the log's primary key makes a redelivered event change nothing.
 */
@Injectable()
export class InteractionFeaturesService {
  constructor(private readonly articles: ArticleFeaturesService) {}

  /** Applies the events not seen before; returns how many were new. */
  async apply(manager: EntityManager, events: Interaction[]): Promise<number> {
    if (events.length === 0) return 0;
    const s = quotedSchema(manager.connection);
    const readArticles = [...new Set(events.filter((e) => e.type === 'read').map((r) => r.articleId))];
    const categories = await this.articles.categories(manager, readArticles);
    const fresh = await this.appendToLog(manager, s, events, categories);
    if (fresh.length === 0) return 0;

    const reads = fresh.filter((e) => e.type === 'read');
    await this.updateReaders(manager, s, this.readerDeltas(fresh, categories));
    if (reads.length > 0)
      await this.articles.recordReads(
        manager,
        reads.map((r) => ({
          articleId: r.articleId,
          bucket: bucketOf(Date.parse(r.occurredAt)),
          dwellSeconds: r.dwellSeconds ?? 0,
        })),
      );
    return fresh.length;
  }

  private async appendToLog(
    manager: EntityManager,
    s: string,
    events: Interaction[],
    categories: Map<string, string>,
  ): Promise<Interaction[]> {
    const rows = events.map((e) => ({
      e: e.eventId,
      u: e.userId,
      a: e.articleId,
      k: interactionKind[e.type],
      d: e.dwellSeconds ?? null,
      t: e.occurredAt,
      r: e.region ?? null,
      c: e.type === 'read' ? (categories.get(e.articleId) ?? null) : null,
    }));
    const inserted: { event_id: string }[] = await manager.query(
      `INSERT INTO ${s}.interaction_log (event_id, user_id, article_id, kind, dwell_seconds, occurred_at, region, category)
       SELECT e, u, a, k, d, t, r, c FROM json_to_recordset($1::json)
         AS x(e text, u text, a text, k smallint, d double precision, t timestamptz, r text, c text)
       ON CONFLICT (event_id) DO NOTHING
       RETURNING event_id`,
      [JSON.stringify(rows)],
    );
    const stored = new Set(inserted.map((r) => r.event_id));
    // Within a batch, the first occurrence of an eventId is the one stored.
    return events.filter((e) => stored.delete(e.eventId));
  }

  private readerDeltas(events: Interaction[], categories: Map<string, string>): UserDelta[] {
    const deltas = new Map<string, UserDelta>();
    for (const e of events) {
      const at = Date.parse(e.occurredAt);
      let d = deltas.get(e.userId);
      if (!d) {
        d = {
          userId: e.userId,
          region: null,
          regionAt: null,
          regionMs: -Infinity,
          impressions: 0,
          clicks: 0,
          reads: 0,
          dwell: 0,
          categoryDwell: {},
          lastSeenAt: e.occurredAt,
          lastSeenMs: at,
        };
        deltas.set(e.userId, d);
      }
      const kind = interactionKind[e.type];
      if (kind === READ) {
        const dwell = e.dwellSeconds ?? 0;
        d.reads += 1;
        d.dwell += dwell;
        const category = categories.get(e.articleId);
        // A read of an article not known yet counts, but cannot weigh a category.
        if (category !== undefined) d.categoryDwell[category] = (d.categoryDwell[category] ?? 0) + dwell;
      } else if (e.type === 'click') {
        d.clicks += 1;
      } else {
        d.impressions += 1;
      }
      if (at >= d.lastSeenMs) {
        d.lastSeenMs = at;
        d.lastSeenAt = e.occurredAt;
      }
      if (e.region && at >= d.regionMs) {
        d.regionMs = at;
        d.regionAt = e.occurredAt;
        d.region = e.region;
      }
    }
    return [...deltas.values()].sort((a, b) => (a.userId < b.userId ? -1 : 1));
  }

  private async updateReaders(manager: EntityManager, s: string, deltas: UserDelta[]): Promise<void> {
    await manager.query(
      `INSERT INTO ${s}.user_features AS f
         (user_id, region, region_at, impressions, clicks, reads, total_dwell_seconds, category_dwell, last_seen_at)
       SELECT "userId", region, "regionAt", impressions, clicks, reads, dwell, "categoryDwell", "lastSeenAt"
       FROM json_to_recordset($1::json) AS d("userId" text, region text, "regionAt" timestamptz, impressions int,
         clicks int, reads int, dwell double precision, "categoryDwell" jsonb, "lastSeenAt" timestamptz)
       ON CONFLICT (user_id) DO UPDATE SET
         impressions = f.impressions + excluded.impressions,
         clicks = f.clicks + excluded.clicks,
         reads = f.reads + excluded.reads,
         total_dwell_seconds = f.total_dwell_seconds + excluded.total_dwell_seconds,
         category_dwell = CASE WHEN excluded.category_dwell = '{}'::jsonb THEN f.category_dwell
                               ELSE ${s}.add_dwell(f.category_dwell, excluded.category_dwell) END,
         region = CASE WHEN excluded.region_at >= coalesce(f.region_at, '-infinity') THEN excluded.region ELSE f.region END,
         region_at = greatest(f.region_at, excluded.region_at),
         last_seen_at = greatest(f.last_seen_at, excluded.last_seen_at),
         version = f.version + 1`,
      [JSON.stringify(deltas.map(({ lastSeenMs: _, regionMs: __, ...d }) => d))],
    );
  }
}

import { ArticleFeatures, Region, UserFeatures, featureSchema } from '@newsroom/contracts';
import { quotedSchema } from '@newsroom/persistence';
import { EntityManager } from 'typeorm';
import { z } from 'zod';
import { categoryMix, roundFeature } from '../feature-definitions/reader-profile';

export type UserFeatureView = z.infer<typeof UserFeatures>;
export type ArticleFeatureView = z.infer<typeof ArticleFeatures>;

interface UserRow {
  user_id: string;
  region: Region | null;
  impressions: number;
  clicks: number;
  reads: number;
  total_dwell_seconds: number;
  category_dwell: Record<string, number>;
  last_seen_at: Date;
  version: string;
  recent: [string, number, string][] | null;
}

interface ArticleRow {
  article_id: string;
  revision: number;
  category: string;
  publisher: string;
  language: string | null;
  token_hashes: number[];
  published_at: Date;
  flagged: boolean;
  reads_1h: number;
  reads_24h: number;
  reads_7d: number;
  dwell_1h: number;
  dwell_24h: number;
  dwell_7d: number;
  windows_at: Date;
  version: string;
}

/**
 * The current features of readers: the stored aggregates plus the last reads from the log. The same
 * view serves GET requests and the compacted topic, so both always say the same.
 */
export async function userFeatureViews(
  manager: EntityManager,
  userIds: string[],
): Promise<UserFeatureView[]> {
  if (userIds.length === 0) return [];
  const s = quotedSchema(manager.connection);
  const rows: UserRow[] = await manager.query(
    `SELECT f.*, r.recent FROM ${s}.user_features f
     LEFT JOIN LATERAL (
       SELECT json_agg(json_build_array(article_id, dwell_seconds, occurred_at) ORDER BY occurred_at DESC, event_id DESC) AS recent
       FROM (SELECT article_id, dwell_seconds, occurred_at, event_id FROM ${s}.interaction_log l
             WHERE l.user_id = f.user_id AND l.kind = 2
             ORDER BY occurred_at DESC, event_id DESC LIMIT ${featureSchema.recentReads}) AS last_reads
     ) r ON true
     WHERE f.user_id = ANY($1::text[])
     ORDER BY f.user_id`,
    [userIds],
  );
  return rows.map((row) => ({
    userId: row.user_id,
    ...(row.region ? { region: row.region } : {}),
    categoryMix: categoryMix(row.category_dwell),
    recentReads: (row.recent ?? []).map(([articleId, dwellSeconds, at]) => ({
      articleId,
      dwellSeconds: roundFeature(dwellSeconds),
      at: new Date(at).toISOString(),
    })),
    impressions: row.impressions,
    clicks: row.clicks,
    reads: row.reads,
    totalDwellSeconds: roundFeature(row.total_dwell_seconds),
    lastSeenAt: row.last_seen_at.toISOString(),
    version: Number(row.version),
  }));
}

export async function articleFeatureViews(
  manager: EntityManager,
  articleIds: string[],
): Promise<ArticleFeatureView[]> {
  if (articleIds.length === 0) return [];
  const rows: ArticleRow[] = await manager.query(
    `SELECT * FROM ${quotedSchema(manager.connection)}.article_features WHERE article_id = ANY($1::text[]) ORDER BY article_id`,
    [articleIds],
  );
  return rows.map((row) => ({
    articleId: row.article_id,
    revision: row.revision,
    category: row.category,
    publisher: row.publisher,
    ...(row.language ? { language: row.language } : {}),
    tokenHashes: row.token_hashes,
    publishedAt: row.published_at.toISOString(),
    reads: { '1h': row.reads_1h, '24h': row.reads_24h, '7d': row.reads_7d },
    dwellSeconds: {
      '1h': roundFeature(row.dwell_1h),
      '24h': roundFeature(row.dwell_24h),
      '7d': roundFeature(row.dwell_7d),
    },
    windowsAt: row.windows_at.toISOString(),
    flagged: row.flagged,
    version: Number(row.version),
  }));
}

import { Inject, Injectable } from '@nestjs/common';
import { TopicPayload, topics } from '@newsroom/contracts';
import { quotedSchema } from '@newsroom/persistence';
import { SERVICE_CONFIG } from '@newsroom/platform';
import { EntityManager } from 'typeorm';
import { MonitoringConfig } from '../config';

type Served = TopicPayload<typeof topics.recommendationsServed>;
type Interaction = TopicPayload<typeof topics.interactionsIngested>;

/** The list size online quality is measured at (the reader's top 10). */
export const QUALITY_AT = 10;

/**
 * Served lists and the reads that follow them: each served response's top 10 is stored, and each
 * read of one of its articles by its reader within MONITORING_QUALITY_HORIZON_HOURS marks that
 * rank read and adds its dwell. Runs inside the fold's transaction, so exactly once.
 */
@Injectable()
export class ServedLists {
  constructor(@Inject(SERVICE_CONFIG) private readonly config: MonitoringConfig) {}

  async store(manager: EntityManager, served: { payload: Served; servedAt: string }[]): Promise<void> {
    if (served.length === 0) return;
    const rows = served.map(({ payload, servedAt }) => ({
      requestId: payload.requestId,
      userId: payload.userId,
      modelVersion: payload.modelVersion,
      source: payload.source,
      region: payload.region ?? null,
      servedAt,
      articleIds: [...payload.items]
        .sort((a, b) => a.rank - b.rank)
        .slice(0, QUALITY_AT)
        .map((i) => i.articleId),
    }));
    await manager.query(
      `INSERT INTO ${quotedSchema(manager.connection)}.served_lists
         (request_id, user_id, model_version, source, region, served_at, article_ids)
       SELECT r."requestId", r."userId", r."modelVersion", r.source, r.region, r."servedAt",
              ARRAY(SELECT json_array_elements_text(r."articleIds"))
       FROM json_to_recordset($1::json) AS r("requestId" text, "userId" text, "modelVersion" text, source text,
         region text, "servedAt" timestamptz, "articleIds" json)
       ON CONFLICT (request_id) DO NOTHING`,
      [JSON.stringify(rows)],
    );
  }

  /** Marks what these reads hit in the lists served to their readers before them. */
  async matchReads(manager: EntityManager, interactions: Interaction[]): Promise<void> {
    const reads = interactions.filter((i) => i.type === 'read');
    if (reads.length === 0) return;
    const s = quotedSchema(manager.connection);
    const hits: { request_id: string; rank: number; dwell: number }[] = await manager.query(
      `SELECT l.request_id, array_position(l.article_ids, r.article_id) AS rank, r.dwell
       FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::float8[]) AS r(user_id, article_id, at, dwell)
       JOIN ${s}.served_lists l ON l.user_id = r.user_id AND l.served_at <= r.at
         AND l.served_at > r.at - make_interval(hours => $5) AND r.article_id = ANY(l.article_ids)`,
      [
        reads.map((r) => r.userId),
        reads.map((r) => r.articleId),
        reads.map((r) => r.occurredAt),
        reads.map((r) => r.dwellSeconds ?? 0),
        this.config.MONITORING_QUALITY_HORIZON_HOURS,
      ],
    );
    if (hits.length === 0) return;
    // Ranks are sets (a rank read twice counts once); dwell adds up every read the list led to.
    // A reader's reads share a partition, so no two transactions update the same list.
    await manager.query(
      `UPDATE ${s}.served_lists l SET
         read_ranks = ARRAY(SELECT DISTINCT unnest(l.read_ranks || u.ranks) ORDER BY 1),
         read_dwell_seconds = l.read_dwell_seconds + u.dwell
       FROM (
         SELECT request_id, array_agg(rank) AS ranks, sum(dwell) AS dwell
         FROM unnest($1::text[], $2::int[], $3::float8[]) AS h(request_id, rank, dwell) GROUP BY request_id
       ) u
       WHERE l.request_id = u.request_id`,
      [hits.map((h) => h.request_id), hits.map((h) => h.rank), hits.map((h) => h.dwell)],
    );
  }
}

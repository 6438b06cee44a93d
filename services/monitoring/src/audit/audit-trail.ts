import { Inject, Injectable } from '@nestjs/common';
import { TopicPayload, topics } from '@newsroom/contracts';
import { counter } from '@newsroom/observability';
import { quotedSchema } from '@newsroom/persistence';
import { SERVICE_CONFIG } from '@newsroom/platform';
import { EntityManager } from 'typeorm';
import { MonitoringConfig } from '../config';
import { dayOf, firstKeptDay } from './audit-days';
import { AuditPartitions } from './audit-partitions';

type Served = TopicPayload<typeof topics.recommendationsServed>;

/** PostgreSQL's error for a row no partition takes (check_violation). */
const NO_PARTITION_FOR_ROW = '23514';

/** A served response as consumed: its payload and its envelope's time (when serving had no `servedAt`). */
export interface ServedRecord {
  payload: Served;
  occurredAt: string;
}

/** A response the trail keeps: served when (millisecond precision, as cursors carry it), items in rank order. */
interface KeptRecord {
  payload: Served;
  servedAt: string;
  items: { rank: number; articleId: string; score: number; origin: string | null }[];
}

const pastRetention = counter(
  'monitoring_audit_records_past_retention_total',
  'Served responses older than the audit retention when they arrived, not stored',
);

/**
 * Writes served responses into the "why shown" trail: a row per response (for a reader's
 * impressions) and a row per item (for an article's exposures), each in the partition of the day
 * it was served. `prepare` creates the days' partitions before the caller's transaction; `record`
 * writes in it, and a response written before (a redelivery) is left as it is.
 */
@Injectable()
export class AuditTrail {
  constructor(
    private readonly partitions: AuditPartitions,
    @Inject(SERVICE_CONFIG) private readonly config: MonitoringConfig,
  ) {}

  /** Creates the partitions the records need; call it before the transaction that records them. */
  async prepare(records: readonly ServedRecord[], now = Date.now()): Promise<void> {
    await this.partitions.ensure(this.split(records, now).kept.map((r) => dayOf(Date.parse(r.servedAt))));
  }

  /** Stores the records within retention in the caller's transaction. */
  async record(manager: EntityManager, records: readonly ServedRecord[], now = Date.now()): Promise<void> {
    const { kept, expired } = this.split(records, now);
    if (expired > 0) pastRetention.inc(expired);
    if (kept.length === 0) return;
    try {
      await this.insert(manager, kept);
    } catch (error) {
      // A day's partition dropped since it was known (by another replica's retention, or by hand):
      // the retry's prepare looks in the catalog again.
      if ((error as { code?: string }).code === NO_PARTITION_FOR_ROW) this.partitions.forget();
      throw error;
    }
  }

  private async insert(manager: EntityManager, kept: readonly KeptRecord[]): Promise<void> {
    const s = quotedSchema(manager.connection);
    await manager.query(
      `INSERT INTO ${s}.audit_responses (user_id, served_at, request_id, model_version, source, region,
         generated_at, dataset_id, feature_schema_version, items, filtered)
       SELECT "userId", "servedAt", "requestId", "modelVersion", source, region, "generatedAt", "datasetId",
              "featureSchemaVersion", items, filtered
       FROM json_to_recordset($1::json) AS r("userId" text, "servedAt" timestamptz, "requestId" text,
         "modelVersion" text, source text, region text, "generatedAt" timestamptz, "datasetId" text,
         "featureSchemaVersion" int, items jsonb, filtered jsonb)
       ON CONFLICT DO NOTHING`,
      [
        JSON.stringify(
          kept.map(({ payload: p, servedAt, items }) => ({
            userId: p.userId,
            servedAt,
            requestId: p.requestId,
            modelVersion: p.modelVersion,
            source: p.source,
            region: p.region ?? null,
            generatedAt: p.generatedAt ?? null,
            datasetId: p.datasetId ?? null,
            featureSchemaVersion: p.featureSchemaVersion ?? null,
            items,
            filtered: p.filtered ?? [],
          })),
        ),
      ],
    );
    const exposures = kept.flatMap(({ payload, servedAt, items }) =>
      items.map((item) => ({ ...item, servedAt, requestId: payload.requestId, userId: payload.userId })),
    );
    await manager.query(
      `INSERT INTO ${s}.audit_exposures (article_id, served_at, request_id, user_id, rank, score, origin)
       SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::int[], $6::float8[], $7::text[])
       ON CONFLICT DO NOTHING`,
      [
        exposures.map((e) => e.articleId),
        exposures.map((e) => e.servedAt),
        exposures.map((e) => e.requestId),
        exposures.map((e) => e.userId),
        exposures.map((e) => e.rank),
        exposures.map((e) => e.score),
        exposures.map((e) => e.origin),
      ],
    );
  }

  /** The records within retention, and how many are past it. */
  private split(records: readonly ServedRecord[], now: number): { kept: KeptRecord[]; expired: number } {
    const firstKept = firstKeptDay(now, this.config.MONITORING_AUDIT_RETENTION_DAYS);
    const kept = records
      .map(({ payload, occurredAt }) => ({
        payload,
        servedAt: new Date(Date.parse(payload.servedAt ?? occurredAt)).toISOString(),
        items: [...payload.items]
          .sort((a, b) => a.rank - b.rank)
          .map((i) => ({ rank: i.rank, articleId: i.articleId, score: i.score, origin: i.origin ?? null })),
      }))
      .filter((r) => dayOf(Date.parse(r.servedAt)) >= firstKept);
    return { kept, expired: records.length - kept.length };
  }
}

import { Injectable } from '@nestjs/common';
import { Interaction, derivedEventId, newEvent, topics } from '@newsroom/contracts';
import { Outbox, quotedSchema } from '@newsroom/persistence';
import { EntityManager } from 'typeorm';
import { IngestionMetrics, Source, StoreResult } from '../quality/ingestion-metrics';

interface StoredRow {
  event_id: string;
  ingested_at: Date;
}

/**
 * Appends interactions to the warehouse, idempotent by eventId, with one multi-row statement per
 * batch; each newly stored row gets exactly one `interactions.ingested` event through the outbox,
 * in the same transaction. A duplicate eventId (earlier or within the batch) stores and emits nothing.
 */
@Injectable()
export class InteractionsService {
  constructor(
    private readonly outbox: Outbox,
    private readonly metrics: IngestionMetrics,
  ) {}

  async store(manager: EntityManager, items: Interaction[], source: Source): Promise<StoreResult> {
    if (items.length === 0) return { accepted: 0, duplicates: 0 };
    const table = `${quotedSchema(manager.connection)}.interactions`;
    // The batch goes as one JSON parameter: serialising it is native and fast, unlike escaping
    // one PostgreSQL array literal per column.
    const stored: StoredRow[] = await manager.query(
      `INSERT INTO ${table} (event_id, user_id, article_id, type, dwell_seconds, occurred_at, session_id, region)
       SELECT "eventId", "userId", "articleId", type, "dwellSeconds", "occurredAt", "sessionId", region
       FROM json_to_recordset($1::json) AS t("eventId" text, "userId" text, "articleId" text, type text,
         "dwellSeconds" real, "occurredAt" timestamptz, "sessionId" text, region text)
       ON CONFLICT (event_id) DO NOTHING
       RETURNING event_id, ingested_at`,
      [JSON.stringify(items)],
    );
    const ingestedAt = new Map(stored.map((row) => [row.event_id, row.ingested_at.toISOString()]));
    const fresh: (Interaction & { ingestedAt: string })[] = [];
    for (const item of items) {
      const at = ingestedAt.get(item.eventId);
      if (at === undefined) continue;
      ingestedAt.delete(item.eventId); // within a batch, the first occurrence of an eventId is the one stored
      fresh.push({ ...item, ingestedAt: at });
    }
    await this.outbox.enqueue(
      manager,
      topics.interactionsIngested,
      fresh.map((item) => ({
        key: item.userId,
        value: newEvent(topics.interactionsIngested.name, item, 'ingestion', {
          eventId: derivedEventId(`interactions.ingested:${item.eventId}`),
        }),
      })),
      // Every event here is built the same way from interactions validated at the edge.
      { validate: 'first' },
    );
    this.metrics.stored('interaction', source, fresh.length, items.length - fresh.length);
    this.metrics.timeliness(
      'interaction',
      fresh.map((i) => i.occurredAt),
    );
    return { accepted: fresh.length, duplicates: items.length - fresh.length };
  }
}

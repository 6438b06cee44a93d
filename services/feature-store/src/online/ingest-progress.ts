import { Injectable } from '@nestjs/common';
import { quotedSchema } from '@newsroom/persistence';
import { Subject } from 'rxjs';
import { EntityManager } from 'typeorm';

export interface AppliedBatch {
  topic: string;
  partition: number;
  /** Offset of the batch's last record. */
  lastOffset: string;
  newInteractions: number;
  newArticles: number;
}

/**
 * How far the feature store has read its inputs: the next offset per topic-partition (named in
 * dataset manifests) and the new interactions and articles since the last snapshot (the push
 * policy's counters). Written in the transaction that applies the batch, so they never disagree
 * with the features.
 */
@Injectable()
export class IngestProgress {
  /** Emits after each committed batch that brought something new. */
  readonly advanced = new Subject<void>();

  async record(manager: EntityManager, batch: AppliedBatch): Promise<void> {
    const s = quotedSchema(manager.connection);
    await manager.query(
      `INSERT INTO ${s}.source_offsets (topic, partition, "offset") VALUES ($1, $2, $3::bigint + 1)
       ON CONFLICT (topic, partition) DO UPDATE SET "offset" = greatest(source_offsets."offset", excluded."offset")`,
      [batch.topic, batch.partition, batch.lastOffset],
    );
    if (batch.newInteractions > 0 || batch.newArticles > 0) {
      await manager.query(
        `UPDATE ${s}.snapshot_policy SET interactions_since = interactions_since + $1, articles_since = articles_since + $2`,
        [batch.newInteractions, batch.newArticles],
      );
    }
  }

  async offsets(manager: EntityManager): Promise<Record<string, Record<string, string>>> {
    const rows: { topic: string; partition: number; offset: string }[] = await manager.query(
      `SELECT topic, partition, "offset" FROM ${quotedSchema(manager.connection)}.source_offsets ORDER BY topic, partition`,
    );
    const offsets: Record<string, Record<string, string>> = {};
    for (const row of rows) (offsets[row.topic] ??= {})[String(row.partition)] = String(row.offset);
    return offsets;
  }
}

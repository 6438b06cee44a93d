import { Injectable } from '@nestjs/common';
import { InboundMessage, MessageBatch } from '@newsroom/messaging';
import { quotedSchema } from '@newsroom/persistence';
import { DataSource, EntityManager } from 'typeorm';
import { ConsumedOffsets } from './consumed-offsets';
import { ObservationFold } from './observation-fold';

/** Events dated this far ahead of the clock do not move a stream's watermark. */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Folds fetched batches into the hourly counters: in one transaction, the records not folded
 * before, their sums upserted (in key order, so concurrent partitions never deadlock), the
 * watermarks and the partition's position.
 */
@Injectable()
export class ObservationStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly offsets: ConsumedOffsets,
  ) {}

  /** Folds the batch's new records as `build` sums them; returns how many were new. */
  async fold<V>(
    batch: MessageBatch<V>,
    build: (manager: EntityManager, fresh: InboundMessage<V>[]) => Promise<ObservationFold>,
  ): Promise<number> {
    if (batch.messages.length === 0) return 0;
    return this.dataSource.transaction(async (manager) => {
      const fresh = await this.offsets.unfolded(manager, batch);
      if (fresh.length === 0) return 0;
      const fold = await build(manager, fresh);
      await this.write(manager, fold, batch.partition);
      await this.offsets.advance(manager, batch, fresh[fresh.length - 1].offset);
      return fresh.length;
    });
  }

  private async write(manager: EntityManager, fold: ObservationFold, partition: number): Promise<void> {
    const s = quotedSchema(manager.connection);
    const counts = [...fold.counts.values()].sort(
      (a, b) => compare(a.metric, b.metric) || a.hour - b.hour || compare(a.key, b.key),
    );
    if (counts.length > 0)
      await manager.query(
        `INSERT INTO ${s}.hourly_counts AS c (hour, metric, key, value)
         SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::float8[])
         ON CONFLICT (metric, hour, key) DO UPDATE SET value = c.value + EXCLUDED.value`,
        [
          counts.map((c) => new Date(c.hour).toISOString()),
          counts.map((c) => c.metric),
          counts.map((c) => c.key),
          counts.map((c) => c.value),
        ],
      );
    const readers = [...fold.readerHours.values()].sort(
      (a, b) => a.hour - b.hour || compare(a.userId, b.userId),
    );
    if (readers.length > 0)
      await manager.query(
        `INSERT INTO ${s}.reader_hours AS r (hour, user_id, reads)
         SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::int[])
         ON CONFLICT (hour, user_id) DO UPDATE SET reads = r.reads + EXCLUDED.reads`,
        [
          readers.map((r) => new Date(r.hour).toISOString()),
          readers.map((r) => r.userId),
          readers.map((r) => r.reads),
        ],
      );
    const now = Date.now();
    const watermarks = [...fold.latest.entries()]
      .map(([stream, at]) => ({ stream, at: Math.min(at, now + CLOCK_SKEW_MS) }))
      .sort((a, b) => compare(a.stream, b.stream));
    if (watermarks.length > 0)
      await manager.query(
        `INSERT INTO ${s}.watermarks AS w (stream, partition, at, folded_at)
         SELECT stream, $3, at, now() FROM unnest($1::text[], $2::timestamptz[]) AS u(stream, at)
         ON CONFLICT (stream, partition) DO UPDATE SET at = GREATEST(w.at, EXCLUDED.at), folded_at = now()`,
        [watermarks.map((w) => w.stream), watermarks.map((w) => new Date(w.at).toISOString()), partition],
      );
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

import { Injectable } from '@nestjs/common';
import { TopicName } from '@newsroom/contracts';
import { quotedSchema } from '@newsroom/persistence';
import { DataSource } from 'typeorm';
import { BrokerAdmin } from './broker-admin';

export type Stream = 'reads' | 'articles';
/** The topic each stream is folded from (names checked against the catalog by their type). */
const topicOf: Record<Stream, TopicName> = {
  reads: 'interactions.ingested',
  articles: 'articles.ingested',
};

/**
 * The event time up to which a stream is complete. Each partition arrives in order, at its own
 * pace: the stream is complete up to the earliest of its partitions' latest folded events, and not
 * at all while a partition holding records has had none folded. A partition folded to its end
 * still holds the watermark back: its next records may be on their way (a caught-up monitor must
 * not run ahead of the producers). A partition that stays idle therefore holds it too; the silence
 * check tells of a producer that stopped.
 */
@Injectable()
export class StreamWatermarks {
  constructor(
    private readonly dataSource: DataSource,
    private readonly broker: BrokerAdmin,
  ) {}

  async watermark(stream: Stream): Promise<Date | null> {
    const topic = topicOf[stream];
    const s = quotedSchema(this.dataSource);
    const rows: { partition: number; at: Date | null; next_offset: string | null }[] =
      await this.dataSource.query(
        `SELECT coalesce(w.partition, o.partition) AS partition, w.at, o.next_offset
       FROM (SELECT partition, at FROM ${s}.watermarks WHERE stream = $1) w
       FULL JOIN (SELECT partition, next_offset FROM ${s}.consumed_offsets WHERE topic = $2) o USING (partition)`,
        [stream, topic],
      );
    const ends = await (await this.broker.connected()).fetchTopicOffsets(this.broker.physical(topic));
    let watermark: number | null = null;
    for (const end of ends) {
      if (Number(end.high) <= Number(end.low)) continue;
      const row = rows.find((r) => r.partition === end.partition);
      const at = row?.at ? row.at.getTime() : null;
      if (at === null) {
        // Records and no event folded from them yet: nothing is known of this partition.
        if (Number(row?.next_offset ?? end.low) < Number(end.high)) return null;
        continue;
      }
      watermark = Math.min(watermark ?? at, at);
    }
    return watermark === null ? null : new Date(watermark);
  }

  /** When monitoring last folded a new event of the stream (wall clock), or null. */
  async lastFoldedAt(stream: Stream): Promise<Date | null> {
    const [row]: { at: Date | null }[] = await this.dataSource.query(
      `SELECT max(folded_at) AS at FROM ${quotedSchema(this.dataSource)}.watermarks WHERE stream = $1`,
      [stream],
    );
    return row?.at ?? null;
  }
}

import { Injectable } from '@nestjs/common';
import { quotedSchema } from '@newsroom/persistence';
import { DataSource } from 'typeorm';

/** A span of event time, [from, to). */
export interface TimeWindow {
  from: Date;
  to: Date;
}

/** Reads of the hourly counters monitoring folds: sums over windows, never over raw events. */
@Injectable()
export class HourlyCounts {
  constructor(private readonly dataSource: DataSource) {}

  private get schema(): string {
    return quotedSchema(this.dataSource);
  }

  /** The metric's counts per key over the window. */
  async byKey(metric: string, window: TimeWindow): Promise<Map<string, number>> {
    const rows: { key: string; value: number }[] = await this.dataSource.query(
      `SELECT key, sum(value)::float8 AS value FROM ${this.schema}.hourly_counts
       WHERE metric = $1 AND hour >= $2 AND hour < $3 GROUP BY key`,
      [metric, window.from, window.to],
    );
    return new Map(rows.map((r) => [r.key, r.value]));
  }

  /** The metric's total over each window (one query). */
  async totals(metric: string, windows: readonly TimeWindow[]): Promise<number[]> {
    if (windows.length === 0) return [];
    const rows: { i: number; value: number }[] = await this.dataSource.query(
      `SELECT w.i, coalesce(sum(c.value), 0)::float8 AS value
       FROM unnest($2::timestamptz[], $3::timestamptz[]) WITH ORDINALITY AS w(from_, to_, i)
       LEFT JOIN ${this.schema}.hourly_counts c ON c.metric = $1 AND c.hour >= w.from_ AND c.hour < w.to_
       GROUP BY w.i ORDER BY w.i`,
      [metric, windows.map((w) => w.from), windows.map((w) => w.to)],
    );
    return rows.map((r) => r.value);
  }

  /** The first hour the metric has any count for, or null. */
  async firstHour(metric: string): Promise<Date | null> {
    const [row]: { hour: Date | null }[] = await this.dataSource.query(
      `SELECT min(hour) AS hour FROM ${this.schema}.hourly_counts WHERE metric = $1`,
      [metric],
    );
    return row?.hour ?? null;
  }

  /**
   * How many reader-days had each number of reads, the days being the window's 24-hour periods from
   * its start (not calendar days, which a window starting mid-day would cut short). Readers without
   * reads in a period are not counted.
   */
  async readsPerReader(window: TimeWindow): Promise<Map<number, number>> {
    const rows: { reads: number; readers: number }[] = await this.dataSource.query(
      `SELECT reads::int AS reads, count(*)::int AS readers FROM (
         SELECT sum(reads) AS reads FROM ${this.schema}.reader_hours
         WHERE hour >= $1 AND hour < $2 GROUP BY user_id, floor(extract(epoch FROM hour - $1::timestamptz) / 86400)
       ) per_reader GROUP BY reads`,
      [window.from, window.to],
    );
    return new Map(rows.map((r) => [r.reads, r.readers]));
  }
}

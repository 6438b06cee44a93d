import { quotedSchema } from '@newsroom/persistence';
import { DataSource } from 'typeorm';

/** Writes committing later than they started are caught by reading this far behind the last change seen. */
const overlapMs = 10_000;

/**
 * A table's rows changed since the last read, by its `changed_at` column (set with
 * clock_timestamp() on every write): what an in-memory copy of the table needs to stay current.
 */
export class ChangedRows<R extends { changed_at: Date }> {
  private lastChange?: Date;

  /** `columns` of `table` in the service's schema; `changed_at` is added to them. */
  constructor(
    private readonly dataSource: DataSource,
    private readonly table: string,
    private readonly columns: string,
  ) {}

  /** The next read returns every row again. */
  reset(): void {
    this.lastChange = undefined;
  }

  async next(): Promise<R[]> {
    const since = this.lastChange ? new Date(this.lastChange.getTime() - overlapMs) : new Date(0);
    const rows: R[] = await this.dataSource.query(
      `SELECT ${this.columns}, changed_at FROM ${quotedSchema(this.dataSource)}.${this.table} WHERE changed_at > $1`,
      [since],
    );
    for (const row of rows)
      if (!this.lastChange || row.changed_at > this.lastChange) this.lastChange = row.changed_at;
    return rows;
  }
}

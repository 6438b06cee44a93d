import { Injectable } from '@nestjs/common';
import { advisoryXactLock, quotedSchema, schemaOf } from '@newsroom/persistence';
import { DataSource, EntityManager } from 'typeorm';
import { DAY_MS, auditTables, partitionDay, partitionName } from './audit-days';

/**
 * The audit trail's day partitions: created when a day needs them (ahead of time, or on demand for a
 * late record) and dropped whole past retention. DDL runs in its own short transaction under one
 * lock per schema — never inside a transaction that writes the trail, which would deadlock with
 * another writer creating the same day — and each day is checked in the catalog once per process.
 */
@Injectable()
export class AuditPartitions {
  private readonly existing = new Set<number>();

  constructor(private readonly dataSource: DataSource) {}

  private get s(): string {
    return quotedSchema(this.dataSource);
  }

  /** Creates the partitions of these days (UTC midnights) that do not exist yet. */
  async ensure(days: Iterable<number>): Promise<void> {
    const missing = [...new Set(days)].filter((day) => !this.existing.has(day)).sort((a, b) => a - b);
    if (missing.length === 0) return;
    await this.dataSource.transaction(async (manager) => {
      await this.lock(manager);
      for (const day of missing)
        for (const table of auditTables) {
          const name = partitionName(table, day);
          const [{ found }] = await manager.query(`SELECT to_regclass($1) IS NOT NULL AS found`, [
            `${this.s}.${name}`,
          ]);
          if (found) continue;
          await manager.query(
            `CREATE TABLE ${this.s}.${name} PARTITION OF ${this.s}.${table}
             FOR VALUES FROM ('${new Date(day).toISOString()}') TO ('${new Date(day + DAY_MS).toISOString()}')`,
          );
        }
    });
    for (const day of missing) this.existing.add(day);
  }

  /** Forgets which days have partitions: the next `ensure` looks in the catalog again. */
  forget(): void {
    this.existing.clear();
  }

  /** Drops the partitions of the days before `firstKept`; returns the days dropped. */
  async dropBefore(firstKept: number): Promise<number[]> {
    const dropped = new Set<number>();
    await this.dataSource.transaction(async (manager) => {
      await this.lock(manager);
      for (const { name, day } of await this.list(manager)) {
        if (day >= firstKept) continue;
        await manager.query(`DROP TABLE ${this.s}.${name}`);
        dropped.add(day);
        this.existing.delete(day);
      }
    });
    return [...dropped].sort((a, b) => a - b);
  }

  /** The days that have partitions, oldest first. */
  async days(): Promise<number[]> {
    const days = new Set((await this.list(this.dataSource.manager)).map((p) => p.day));
    return [...days].sort((a, b) => a - b);
  }

  private async list(manager: EntityManager): Promise<{ table: string; name: string; day: number }[]> {
    const rows: { parent: string; name: string }[] = await manager.query(
      `SELECT parent.relname AS parent, child.relname AS name
       FROM pg_inherits i
       JOIN pg_class parent ON parent.oid = i.inhparent
       JOIN pg_class child ON child.oid = i.inhrelid
       JOIN pg_namespace n ON n.oid = parent.relnamespace
       WHERE n.nspname = $1 AND parent.relname = ANY($2)`,
      [schemaOf(this.dataSource), auditTables],
    );
    return auditTables.flatMap((table) =>
      rows.flatMap(({ parent, name }) => {
        const day = parent === table ? partitionDay(table, name) : undefined;
        return day === undefined ? [] : [{ table, name, day }];
      }),
    );
  }

  private lock(manager: EntityManager): Promise<void> {
    return advisoryXactLock(manager, `audit-partitions:${schemaOf(this.dataSource)}`);
  }
}

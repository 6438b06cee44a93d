/** The audit trail is partitioned by UTC day of the served time. */
export const DAY_MS = 86_400_000;

/** The tables partitioned by day: each day has one partition of each. */
export const auditTables = ['audit_responses', 'audit_exposures'] as const;
export type AuditTable = (typeof auditTables)[number];

/** The start (UTC midnight, ms) of the day an instant falls in. */
export function dayOf(at: number): number {
  return Math.floor(at / DAY_MS) * DAY_MS;
}

/**
 * The first day the trail keeps: the day `retentionDays` before now. Days before it are dropped
 * whole, so a record is kept between `retentionDays` and one day more.
 */
export function firstKeptDay(now: number, retentionDays: number): number {
  return dayOf(now - retentionDays * DAY_MS);
}

/** The partition of `table` holding a day, e.g. `audit_exposures_p20261204`. */
export function partitionName(table: AuditTable, day: number): string {
  return `${table}_p${new Date(day).toISOString().slice(0, 10).replace(/-/g, '')}`;
}

/** The day a partition of `table` holds, from its name; undefined for a name not of that form. */
export function partitionDay(table: AuditTable, name: string): number | undefined {
  const match = new RegExp(`^${table}_p(\\d{4})(\\d{2})(\\d{2})$`).exec(name);
  if (!match) return undefined;
  const day = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return partitionName(table, day) === name ? day : undefined;
}

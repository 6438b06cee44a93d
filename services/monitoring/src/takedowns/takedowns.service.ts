import { Injectable, NotFoundException } from '@nestjs/common';
import { TopicPayload, topics } from '@newsroom/contracts';
import { histogram } from '@newsroom/observability';
import { advisoryXactLocks, quotedSchema } from '@newsroom/persistence';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { VitalsService } from '../vitals/vitals.service';
import { Takedown, TakedownConfirmation, TakedownReceipt, holderStates } from './takedown-receipt';

type Flagged = TopicPayload<typeof topics.articlesFlagged>;
type Confirmed = TopicPayload<typeof topics.takedownConfirmed>;

/** A moderation decision as consumed: its payload and when it was taken (the envelope's time). */
export interface ModerationDecision {
  payload: Flagged;
  occurredAt: string;
}

const completionSeconds = histogram(
  'monitoring_takedown_completion_seconds',
  'Time from a flag until monitoring had the confirmation of its last expected holder (the receipt complete)',
  [],
  [0.25, 0.5, 1, 2, 3, 5, 10, 30, 60, 300],
);

interface TakedownRow {
  takedown_id: string;
  article_id: string;
  reason: string;
  actor: string;
  flagged_at: Date;
  expected_serving: string[];
  lifted_at: Date | null;
  completed_at: Date | null;
}

/**
 * Takedown receipts: each flag with a takedown id is recorded with the serving replicas live at
 * flag time (from the vitals), each holder's first confirmation is kept (also one that arrives
 * before its flag: they come on different topics), and a takedown is marked complete — once — when
 * its last expected holder has confirmed. Both writers lock the takedowns they touch, so a flag and
 * its last confirmation handled at the same moment cannot both miss the completion.
 */
@Injectable()
export class TakedownsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly vitals: VitalsService,
    private readonly audit: AuditService,
  ) {}

  private get s(): string {
    return quotedSchema(this.dataSource);
  }

  async decided(decisions: readonly ModerationDecision[]): Promise<void> {
    if (decisions.length === 0) return;
    const flags: Takedown[] = [];
    for (const { payload, occurredAt } of decisions)
      if (payload.flagged && payload.takedownId)
        flags.push({
          takedownId: payload.takedownId,
          articleId: payload.articleId,
          reason: payload.reason,
          actor: payload.actor,
          flaggedAt: occurredAt,
          expectedServing: await this.vitals.liveInstances('serving', Date.parse(occurredAt)),
        });
    const completed = await this.dataSource.transaction(async (manager) => {
      await advisoryXactLocks(
        manager,
        'takedown',
        flags.map((f) => f.takedownId),
      );
      // In order: an unflag lifts the takedowns of its article flagged before it.
      for (const { payload, occurredAt } of decisions) {
        if (payload.flagged) {
          const flag = flags.find((f) => f.takedownId === payload.takedownId);
          if (flag) await this.insert(manager, flag);
        } else
          await manager.query(
            `UPDATE ${this.s}.takedowns SET lifted_at = $2
             WHERE article_id = $1 AND flagged_at <= $2 AND lifted_at IS NULL`,
            [payload.articleId, occurredAt],
          );
      }
      return this.complete(
        manager,
        flags.map((f) => f.takedownId),
      );
    });
    completed.forEach((seconds) => completionSeconds.observe(seconds));
  }

  async confirmed(confirmations: readonly Confirmed[]): Promise<void> {
    if (confirmations.length === 0) return;
    const ids = confirmations.map((c) => c.takedownId);
    const completed = await this.dataSource.transaction(async (manager) => {
      await advisoryXactLocks(manager, 'takedown', ids);
      await manager.query(
        `INSERT INTO ${this.s}.takedown_confirmations (takedown_id, holder, instance, article_id, confirmed_at)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
         ON CONFLICT DO NOTHING`,
        [
          ids,
          confirmations.map((c) => c.holder),
          confirmations.map((c) => c.instance),
          confirmations.map((c) => c.articleId),
          confirmations.map((c) => c.confirmedAt),
        ],
      );
      return this.complete(manager, ids);
    });
    completed.forEach((seconds) => completionSeconds.observe(seconds));
  }

  async receipt(takedownId: string): Promise<TakedownReceipt> {
    const [row]: TakedownRow[] = await this.dataSource.query(
      `SELECT * FROM ${this.s}.takedowns WHERE takedown_id = $1`,
      [takedownId],
    );
    if (!row) throw new NotFoundException(`no takedown "${takedownId}"`);
    return (await this.receipts([row]))[0];
  }

  /** Takedowns, newest first: of one article, or of all. */
  async list(articleId: string | undefined, limit: number): Promise<TakedownReceipt[]> {
    const rows: TakedownRow[] = await this.dataSource.query(
      `SELECT * FROM ${this.s}.takedowns WHERE $1::text IS NULL OR article_id = $1
       ORDER BY flagged_at DESC, takedown_id LIMIT $2`,
      [articleId ?? null, limit],
    );
    return this.receipts(rows);
  }

  private async insert(manager: EntityManager, flag: Takedown): Promise<void> {
    await manager.query(
      `INSERT INTO ${this.s}.takedowns (takedown_id, article_id, reason, actor, flagged_at, expected_serving)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
      [flag.takedownId, flag.articleId, flag.reason, flag.actor, flag.flaggedAt, flag.expectedServing],
    );
  }

  /** Marks the takedowns among `ids` that are complete now; the seconds each took from its flag. */
  private async complete(manager: EntityManager, ids: readonly string[]): Promise<number[]> {
    const open: TakedownRow[] = await manager.query(
      `SELECT * FROM ${this.s}.takedowns WHERE takedown_id = ANY($1::uuid[]) AND completed_at IS NULL`,
      [[...new Set(ids)]],
    );
    const confirmations = await this.confirmationsOf(
      manager,
      open.map((t) => t.takedown_id),
    );
    const seconds: number[] = [];
    for (const takedown of open) {
      const { completedAt } = holderStates(
        { expectedServing: takedown.expected_serving },
        confirmations.get(takedown.takedown_id) ?? [],
      );
      if (completedAt === null) continue;
      await manager.query(`UPDATE ${this.s}.takedowns SET completed_at = $2 WHERE takedown_id = $1`, [
        takedown.takedown_id,
        completedAt,
      ]);
      // Timed on arrival, not from the holders' stated times: a holder states its time inside the
      // transaction that removed the article, before its commit (batch scoring's can be seconds
      // before, while it writes the rewritten lists' announcements).
      seconds.push((Date.now() - takedown.flagged_at.getTime()) / 1000);
    }
    return seconds;
  }

  private async receipts(rows: TakedownRow[]): Promise<TakedownReceipt[]> {
    const confirmations = await this.confirmationsOf(
      this.dataSource.manager,
      rows.map((r) => r.takedown_id),
    );
    return Promise.all(
      rows.map(async (row) => {
        const { complete, completedAt, holders } = holderStates(
          { expectedServing: row.expected_serving },
          confirmations.get(row.takedown_id) ?? [],
        );
        return {
          takedownId: row.takedown_id,
          articleId: row.article_id,
          reason: row.reason,
          actor: row.actor,
          flaggedAt: row.flagged_at.toISOString(),
          complete,
          completedAt,
          holders,
          impressionsAfterFlag: await this.audit.exposuresBetween(
            row.article_id,
            row.flagged_at,
            row.lifted_at,
          ),
        };
      }),
    );
  }

  private async confirmationsOf(
    manager: EntityManager,
    ids: readonly string[],
  ): Promise<Map<string, TakedownConfirmation[]>> {
    const byTakedown = new Map<string, TakedownConfirmation[]>();
    if (ids.length === 0) return byTakedown;
    const rows: { takedown_id: string; holder: string; instance: string; confirmed_at: Date }[] =
      await manager.query(
        `SELECT takedown_id, holder, instance, confirmed_at FROM ${this.s}.takedown_confirmations
         WHERE takedown_id = ANY($1::uuid[])`,
        [ids],
      );
    for (const r of rows)
      byTakedown.set(r.takedown_id, [
        ...(byTakedown.get(r.takedown_id) ?? []),
        { holder: r.holder, instance: r.instance, confirmedAt: r.confirmed_at.toISOString() },
      ]);
    return byTakedown;
  }
}

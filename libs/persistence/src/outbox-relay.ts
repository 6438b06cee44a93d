import { Logger } from '@nestjs/common';
import { counter } from '@newsroom/observability';
import { EventPublisher, SerializedMessage } from '@newsroom/messaging';
import { DataSource } from 'typeorm';
import { quoteIdent, schemaOf } from './data-source';

export interface OutboxRelayOptions {
  pollIntervalMs: number;
  batchSize: number;
  /** Published rows are kept this long for audit, then deleted. */
  keepPublishedMs?: number;
}

interface OutboxRow {
  id: string;
  topic: string;
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

const relayed = counter('outbox_messages_relayed_total', 'Outbox rows published to Kafka', ['topic']);

/**
 * Publishes outbox rows in id order and marks them published, in one transaction per batch that
 * holds row locks with SKIP LOCKED: several replicas share the work without publishing a row
 * twice in the normal case. If the process dies between publishing and committing, the rows are
 * published again by the next relay (at least once); consumers de-duplicate by eventId.
 */
export class OutboxRelay {
  private readonly logger = new Logger(OutboxRelay.name);
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;

  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: EventPublisher,
    private readonly options: OutboxRelayOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Finishes the batch in flight, then stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** Publish now instead of at the next poll (call after committing outbox rows). */
  notify(): void {
    this.wake?.();
  }

  /** Publishes one batch; returns how many rows it published. */
  async relayBatch(): Promise<number> {
    const table = `${quoteIdent(schemaOf(this.dataSource))}.outbox`;
    return this.dataSource.transaction(async (manager) => {
      const rows: OutboxRow[] = await manager.query(
        `SELECT id, topic, key, value, headers FROM ${table}
         WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.options.batchSize],
      );
      if (rows.length === 0) return 0;
      // Consecutive rows of one topic go in one request; order across topics is kept.
      for (const run of consecutiveRuns(rows)) {
        await this.publisher.publishSerialized(
          run[0].topic,
          run.map((r): SerializedMessage => ({ key: r.key, value: r.value, headers: r.headers })),
        );
        relayed.inc({ topic: run[0].topic }, run.length);
      }
      await manager.query(`UPDATE ${table} SET published_at = now() WHERE id = ANY($1::bigint[])`, [
        rows.map((r) => r.id),
      ]);
      return rows.length;
    });
  }

  private async run(): Promise<void> {
    let lastCleanup = 0;
    while (this.running) {
      try {
        const published = await this.relayBatch();
        if (Date.now() - lastCleanup > 60_000) {
          lastCleanup = Date.now();
          await this.deletePublished();
        }
        if (published === this.options.batchSize) continue;
      } catch (error) {
        this.logger.error(`outbox relay failed, retrying: ${(error as Error).message}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pollIntervalMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  private async deletePublished(): Promise<void> {
    const keepMs = this.options.keepPublishedMs ?? 24 * 3600 * 1000;
    await this.dataSource.query(
      `DELETE FROM ${quoteIdent(schemaOf(this.dataSource))}.outbox
       WHERE published_at < now() - ($1::double precision * interval '1 millisecond')`,
      [keepMs],
    );
  }
}

function consecutiveRuns(rows: OutboxRow[]): OutboxRow[][] {
  const runs: OutboxRow[][] = [];
  for (const row of rows) {
    const last = runs[runs.length - 1];
    if (last && last[0].topic === row.topic) last.push(row);
    else runs.push([row]);
  }
  return runs;
}

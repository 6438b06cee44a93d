import { Logger } from '@nestjs/common';
import { EventPublisher, SerializedMessage, messageBytes, splitIntoRequests } from '@newsroom/messaging';
import { counter, gauge } from '@newsroom/observability';
import { DataSource } from 'typeorm';
import { tryAdvisoryXactLock } from './advisory-locks';
import { quotedSchema, schemaOf } from './data-source';

export interface OutboxRelayOptions {
  pollIntervalMs: number;
  batchSize: number;
}

/** Where the relay reports what it did; by default this process's Prometheus metrics. */
export interface OutboxRelayReport {
  relayed(topic: string, count: number): void;
  failed(): void;
  backlog(pending: number, oldestSeconds: number): void;
}

interface OutboxRow {
  id: string;
  topic: string;
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

export const prometheusRelayReport = (): OutboxRelayReport => {
  const relayed = counter('outbox_messages_relayed_total', 'Outbox rows published to Kafka', ['topic']);
  const failures = counter('outbox_relay_failures_total', 'Relay batches that failed and will be retried');
  const pending = gauge('outbox_pending_messages', 'Outbox rows not yet published');
  const oldest = gauge('outbox_oldest_pending_seconds', 'Age of the oldest unpublished outbox row');
  return {
    relayed: (topic, count) => relayed.inc({ topic }, count),
    failed: () => failures.inc(),
    backlog: (rows, seconds) => {
      pending.set(rows);
      oldest.set(seconds);
    },
  };
};

/**
 * Publishes outbox rows in id order and marks them published, one transaction per batch. Only one
 * relay per schema publishes at a time (a transaction-scoped advisory lock; other replicas skip
 * their turn), so events of one key keep their order even with several replicas. If the process
 * dies between publishing and committing, the rows are published again by the next relay (at
 * least once); consumers de-duplicate by eventId. Errors are retried with backoff up to 5 s.
 */
export class OutboxRelay {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly table: string;
  private readonly lockName: string;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;

  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: EventPublisher,
    private readonly options: OutboxRelayOptions,
    private readonly report: OutboxRelayReport = prometheusRelayReport(),
  ) {
    this.table = `${quotedSchema(dataSource)}.outbox`;
    this.lockName = `outbox:${schemaOf(dataSource)}`;
  }

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

  /**
   * Publishes one batch; returns how many rows it published (0 also when another relay holds the
   * turn). Rows go out in requests of at most ~800 KB, in id order; if a request fails, the rows of
   * the requests before it are still marked published, so a transient broker error never makes the
   * relay send again what already went out.
   */
  async relayBatch(): Promise<number> {
    const { published, failure } = await this.dataSource.transaction(async (manager) => {
      if (!(await tryAdvisoryXactLock(manager, this.lockName))) return { published: 0, failure: undefined };
      const rows: OutboxRow[] = await manager.query(
        `SELECT id, topic, key, value, headers FROM ${this.table}
         WHERE published_at IS NULL ORDER BY id LIMIT $1`,
        [this.options.batchSize],
      );
      const sent: OutboxRow[] = [];
      let error: unknown;
      try {
        // Consecutive rows of one topic share requests; order across topics is kept.
        for (const run of consecutiveRuns(rows)) {
          for (const request of splitIntoRequests(run, (r) => messageBytes(r))) {
            await this.publisher.publishSerialized(
              request[0].topic,
              request.map((r): SerializedMessage => ({ key: r.key, value: r.value, headers: r.headers })),
            );
            sent.push(...request);
            this.report.relayed(request[0].topic, request.length);
          }
        }
      } catch (e) {
        error = e;
      }
      if (sent.length > 0) {
        await manager.query(`UPDATE ${this.table} SET published_at = now() WHERE id = ANY($1::bigint[])`, [
          sent.map((r) => r.id),
        ]);
      }
      return { published: sent.length, failure: error };
    });
    if (failure) throw failure;
    return published;
  }

  /** Unpublished rows and the age of the oldest, for /metrics. */
  async backlog(): Promise<{ pending: number; oldestSeconds: number }> {
    const [row] = await this.dataSource.query(
      `SELECT count(*)::int AS pending, coalesce(extract(epoch FROM now() - min(created_at)), 0)::float AS oldest
       FROM ${this.table} WHERE published_at IS NULL`,
    );
    this.report.backlog(row.pending, row.oldest);
    return { pending: row.pending, oldestSeconds: row.oldest };
  }

  private async run(): Promise<void> {
    let failuresInARow = 0;
    let lastBacklogCheck = 0;
    while (this.running) {
      let delay = this.options.pollIntervalMs;
      try {
        const published = await this.relayBatch();
        failuresInARow = 0;
        if (Date.now() - lastBacklogCheck > 10_000) {
          lastBacklogCheck = Date.now();
          await this.backlog();
        }
        if (published === this.options.batchSize) continue;
      } catch (error) {
        this.report.failed();
        failuresInARow++;
        delay = Math.min(this.options.pollIntervalMs * 2 ** failuresInARow, 5_000);
        this.logger.error(
          `outbox relay failed (${failuresInARow} in a row), retrying in ${delay} ms: ${(error as Error).message}`,
        );
      }
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
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

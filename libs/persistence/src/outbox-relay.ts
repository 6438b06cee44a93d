import { Logger } from '@nestjs/common';
import {
  EventPublisher,
  LastingFailureLog,
  SerializedMessage,
  isDependencyOutage,
  messageBytes,
  splitIntoRequests,
} from '@newsroom/messaging';
import { counter, gauge } from '@newsroom/observability';
import { DataSource } from 'typeorm';
import { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { tryAdvisoryXactLock } from './advisory-locks';
import { quotedSchema, schemaOf } from './data-source';
import { OutboxSignal, outboxChannel } from './outbox-signal';

export interface OutboxRelayOptions {
  /** Pause between batches while rows keep coming. */
  pollIntervalMs: number;
  /** Longest wait for a commit's notification before looking anyway (idle). */
  idlePollMs: number;
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

/** The gauges the relay's backlog is reported on, read back by the service's vitals. */
export const outboxBacklogMetrics = {
  pending: 'outbox_pending_messages',
  oldestSeconds: 'outbox_oldest_pending_seconds',
} as const;

export const prometheusRelayReport = (): OutboxRelayReport => {
  const relayed = counter('outbox_messages_relayed_total', 'Outbox rows published to Kafka', ['topic']);
  const failures = counter('outbox_relay_failures_total', 'Relay batches that failed and will be retried');
  const pending = gauge(outboxBacklogMetrics.pending, 'Outbox rows not yet published');
  const oldest = gauge(outboxBacklogMetrics.oldestSeconds, 'Age of the oldest unpublished outbox row');
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
 * least once); consumers de-duplicate by eventId. Errors are retried with backoff up to 5 s, for
 * as long as they last. An idle relay sleeps until a commit notifies its schema's channel
 * (OutboxSignal), checking at least every `idlePollMs`.
 */
export class OutboxRelay {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly table: string;
  private readonly lockName: string;
  private running = false;
  private loop?: Promise<void>;
  private readonly signal: OutboxSignal;

  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: EventPublisher,
    private readonly options: OutboxRelayOptions,
    private readonly report: OutboxRelayReport = prometheusRelayReport(),
  ) {
    this.table = `${quotedSchema(dataSource)}.outbox`;
    this.lockName = `outbox:${schemaOf(dataSource)}`;
    const { url } = dataSource.options as PostgresConnectionOptions;
    if (!url) throw new Error('the outbox relay needs a DataSource configured with a url');
    this.signal = new OutboxSignal(url, outboxChannel(schemaOf(dataSource)));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.signal.start();
    this.loop = this.run();
  }

  /** Finishes the batch in flight, then stops. */
  async stop(): Promise<void> {
    this.running = false;
    await this.signal.stop();
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
              { continueTrace: true },
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
    const failureLog = new LastingFailureLog();
    let lastBacklogCheck = 0;
    while (this.running) {
      let delay: number;
      try {
        this.signal.reset();
        const published = await this.relayBatch();
        const failedSeconds = failureLog.over();
        if (failedSeconds !== undefined)
          this.logger.log(`outbox relay publishing again after ${failedSeconds} s`);
        failuresInARow = 0;
        if (Date.now() - lastBacklogCheck > 10_000) {
          lastBacklogCheck = Date.now();
          await this.backlog();
        }
        if (published === this.options.batchSize) continue;
        // Rows still coming: batch them up for a moment. Idle: sleep until a commit notifies.
        delay =
          published > 0 || !this.signal.listening ? this.options.pollIntervalMs : this.options.idlePollMs;
      } catch (error) {
        this.report.failed();
        failuresInARow++;
        // A relay that keeps failing while the database answers (a topic missing, a record too
        // large) is what the backlog's age is watched for: measure it on failures too.
        if (Date.now() - lastBacklogCheck > 10_000) {
          lastBacklogCheck = Date.now();
          await this.backlog().catch(() => undefined);
        }
        delay = Math.min(this.options.pollIntervalMs * 2 ** failuresInARow, 5_000);
        if (failureLog.failing()) {
          const message = `outbox relay failed (${failuresInARow} in a row), retrying every ${delay} ms until it works: ${(error as Error).message}`;
          // An outage of the database or the broker is expected to pass; anything else is a defect.
          if (isDependencyOutage(error)) this.logger.warn(message);
          else this.logger.error(message);
        }
      }
      if (!this.running) break;
      // After a failure, the backoff holds however many commits notify meanwhile.
      await (failuresInARow > 0 ? this.signal.sleep(delay) : this.signal.wait(delay));
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

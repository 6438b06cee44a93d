import { Client } from 'pg';
import { waitFor } from '@newsroom/testing';
import { Pipeline, metricOf, startPipeline } from '../src/pipeline';

/** The pipeline's session timeout (src/pipeline.ts): a member silent this long is evicted. */
const SESSION_TIMEOUT_MS = 10_000;

/**
 * Scenarios 5 and 7: what a consumer group does to records in flight. Scaling out and back in under
 * load moves partitions between members mid-stream (the rebalances); a handler that takes longer
 * than twice the session timeout must keep its membership (it heartbeats while it works) rather
 * than be evicted and have its batch handled twice.
 */
describe('fault: consumer groups under load', () => {
  let pipeline: Pipeline;

  beforeAll(async () => {
    pipeline = await startPipeline();
  }, 240_000);
  afterAll(() => pipeline?.tearDown(), 60_000);

  it('loses and duplicates nothing while ingestion and the feature store scale 1 → 3 → 1', async () => {
    const reads = 12_000;
    try {
      const stream = pipeline.stream({ id: 'rebalance', reads, perSend: 20, everyMs: 100 });
      await stream.reached(reads / 10);
      const scaledOut = await Promise.all(
        (['ingestion', 'feature-store'] as const).flatMap((name) => [
          pipeline.addReplica(name),
          pipeline.addReplica(name),
        ]),
      );
      const outAt = stream.sent;
      // Scaled in only once each new replica has taken its share: each handled records of its own.
      await waitFor(
        'every added replica handling records',
        async () =>
          (await Promise.all(scaledOut.map((r) => metricOf(r, 'kafka_messages_consumed_total')))).every(
            (n) => n > 0,
          ),
        { timeoutMs: 60_000, intervalMs: 250 },
      );
      const inAt = stream.sent;
      await Promise.all(scaledOut.map((replica) => pipeline.stopReplica(replica, 'SIGTERM')));
      // Both rebalances happened while reads were still coming in.
      expect(inAt).toBeLessThan(reads);
      await stream.done;
      const ledger = await pipeline.settle(180_000);
      const joins = {
        ingestion: await pipeline.metric('ingestion', 'kafka_consumer_group_joins_total'),
        featureStore: await pipeline.metric('feature-store', 'kafka_consumer_group_joins_total'),
      };
      process.stdout.write(
        `scaling: ${reads} reads; 2 more replicas of ingestion and the feature store at ${outAt} sent, stopped at ${inAt}; ` +
          `group joins of the first replicas: ${JSON.stringify(joins)}; ledger ${JSON.stringify(ledger)}\n`,
      );
      // The first replicas saw the group change: the scenario did rebalance.
      expect(joins.ingestion).toBeGreaterThan(1);
      expect(joins.featureStore).toBeGreaterThan(1);
      expect(ledger).toEqual({
        sent: reads,
        warehouse: { stored: reads, lost: 0, duplicated: 0 },
        featureLog: { stored: reads, lost: 0, duplicated: 0 },
        featureReadsCounted: reads,
        scoringBehind: 0,
        servingBehind: 0,
        deadLetters: 0,
        rejected: 0,
      });
    } catch (error) {
      process.stdout.write(pipeline.output());
      throw error;
    }
  }, 420_000);

  it('keeps a handler slower than twice the session timeout in its group, and applies its batch once', async () => {
    const reads = 2_000;
    const before = await pipeline.ledger();
    const joinsBefore = await pipeline.metric('feature-store', 'kafka_consumer_group_joins_total');
    // The feature store's reads wait for this lock: its handler is stuck in PostgreSQL, alive, for
    // 2.5 session timeouts (a slow query, a long lock), and then goes on.
    const blocker = new Client({ connectionString: pipeline.postgres.url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE features.user_features IN EXCLUSIVE MODE');
      const stream = pipeline.stream({ id: 'slow-handler', reads, perSend: 50, everyMs: 100 });
      await stream.done;
      const heldFrom = Date.now();
      // Sure to be mid-batch: the store has none of this stream's reads applied yet.
      const during = await pipeline.ledger();
      expect(during.featureReadsCounted).toBe(before.featureReadsCounted);
      await new Promise((resolve) => setTimeout(resolve, SESSION_TIMEOUT_MS * 2.5)); // the slow handler under test
      await blocker.query('COMMIT');
      const heldMs = Date.now() - heldFrom;
      const ledger = await pipeline.settle(120_000);
      const joins = await pipeline.metric('feature-store', 'kafka_consumer_group_joins_total');
      process.stdout.write(
        `slow handler: ${reads} reads held back ${(heldMs / 1000).toFixed(1)} s (session timeout ${SESSION_TIMEOUT_MS / 1000} s); ` +
          `feature-store group joins ${joinsBefore} → ${joins}; ledger ${JSON.stringify(ledger)}\n`,
      );
      expect(joins).toBe(joinsBefore);
      const total = before.sent + reads;
      expect(ledger).toEqual({
        sent: total,
        warehouse: { stored: total, lost: 0, duplicated: 0 },
        featureLog: { stored: total, lost: 0, duplicated: 0 },
        featureReadsCounted: total,
        scoringBehind: 0,
        servingBehind: 0,
        deadLetters: 0,
        rejected: 0,
      });
    } catch (error) {
      process.stdout.write(pipeline.output());
      throw error;
    } finally {
      await blocker.end();
    }
  }, 300_000);
});

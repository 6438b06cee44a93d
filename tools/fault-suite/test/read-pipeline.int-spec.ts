import { topicExamples, topics } from '@newsroom/contracts';
import { serviceMetric, waitFor } from '@newsroom/testing';
import { Client } from 'pg';
import { loadThroughRestart, send } from '../src/http-load';
import { ARTICLES, Pipeline, READERS, everyReadOnce, pipelineServices, startPipeline } from '../src/pipeline';

const PRODUCER_KEY = 'fault-suite-producer-key-0123';
/** The pipeline's session timeout (src/pipeline.ts): a member silent this long is evicted. */
const SESSION_TIMEOUT_MS = 10_000;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Scenarios 1, 3, 4, 5 and 7 of the fault suite, one after the other on one read pipeline of their
 * own (src/pipeline.ts: its own broker and database, ingestion → feature store → batch scoring →
 * serving as processes). Each scenario streams reads of its own and ends with the ledger of every
 * read sent so far: in every store once, every consumer group caught up, without a restart the test
 * did not make. Training, evaluation, registry and monitoring are killed in model-life-crashes.
 */
describe('fault: the read pipeline under crashes, shutdowns and rebalances', () => {
  let pipeline: Pipeline;
  /** Runs a scenario; on failure, the services' own account of it goes to the output. */
  const withOutput = async (scenario: () => Promise<void>) => {
    try {
      await scenario();
    } catch (error) {
      process.stdout.write(pipeline.output());
      throw error;
    }
  };

  beforeAll(async () => {
    pipeline = await startPipeline({ env: { INGESTION_API_KEYS: `producer:${PRODUCER_KEY}` } });
  }, 240_000);
  afterAll(() => pipeline?.tearDown(), 60_000);

  it(
    '1. the broker SIGKILLed and started again, twice, mid-stream: every acknowledged read once everywhere',
    () =>
      withOutput(async () => {
        const reads = 4_000;
        const before = await pipeline.ledger();
        const stream = pipeline.stream({ id: 'broker-crash', reads, perSend: 50, everyMs: 100 });
        const kills: string[] = [];
        for (const at of [reads / 4, reads / 2]) {
          await stream.reached(at);
          const killedAt = Date.now();
          await pipeline.kafka.kill();
          await pipeline.kafka.start();
          kills.push(`at ${stream.sent} sent, back in ${seconds(Date.now() - killedAt)}`);
        }
        await stream.done;
        const ledger = await pipeline.settle(180_000);
        const redelivered = await pipeline.metric(
          'ingestion',
          'ingestion_events_total',
          'outcome="duplicate"',
        );
        // Consumer clients that gave up retrying during an outage crash and restart (not exit).
        const crashes: Record<string, number> = {};
        for (const name of pipelineServices)
          crashes[name] = await pipeline.metric(
            name,
            'kafka_consumer_crashes_total',
            'cause="broker-unreachable"',
          );
        process.stdout.write(
          `1. broker crash: ${reads} reads, broker killed ${kills.join('; ')}; ${stream.resends} sends repeated by the ` +
            `producer, ${redelivered} raw records handled again by ingestion; consumer clients restarted after ` +
            `crashing on the outage ${JSON.stringify(crashes)}; ledger ${JSON.stringify(ledger)}\n`,
        );
        expect(ledger).toEqual(everyReadOnce(before.sent + reads));
        // Nothing died: each service caught up on its own.
        for (const [name, service] of Object.entries(pipeline.services))
          expect({ name, exit: service.process.exitCode ?? service.process.signalCode }).toEqual({
            name,
            exit: null,
          });
      }),
    420_000,
  );

  it(
    '3. each service SIGKILLed in turn mid-stream and started again: the work of each completes once',
    () =>
      withOutput(async () => {
        const reads = 6_000;
        const before = await pipeline.ledger();
        const stream = pipeline.stream({ id: 'service-crash', reads, perSend: 20, everyMs: 100 });
        const kills: string[] = [];
        for (const [i, name] of pipelineServices.entries()) {
          await stream.reached(((i + 1) * reads) / (pipelineServices.length + 1));
          const at = await pipeline.ledger();
          const killedAt = Date.now();
          await pipeline.restart(name, 'SIGKILL');
          kills.push(
            `${name} at ${stream.sent} sent (${at.warehouse.stored - before.sent} stored, ` +
              `${at.featureLog.stored - before.sent} applied), back in ${seconds(Date.now() - killedAt)}`,
          );
        }
        await stream.done;
        const ledger = await pipeline.settle(180_000);
        process.stdout.write(
          `3. service crashes: ${reads} reads; killed ${kills.join('; ')}; ledger ${JSON.stringify(ledger)}\n`,
        );
        expect(ledger).toEqual(everyReadOnce(before.sent + reads));
      }),
    420_000,
  );

  it(
    '4. SIGTERM under HTTP load on ingestion: every accepted request answered, every accepted read stored once',
    () =>
      withOutput(async () => {
        const total = 1_000;
        const before = await pipeline.ledger();
        const id = (i: number) => `sigterm-ingestion-${i}`;
        const result = await loadThroughRestart(pipeline, 'ingestion', { total, stopAfter: 300 }, (url, i) =>
          send(`${url}/v1/interactions`, {
            method: 'POST',
            apiKey: PRODUCER_KEY,
            body: {
              ...topicExamples.interactionsRaw.value,
              eventId: id(i),
              userId: `reader-${i % READERS}`,
              articleId: `article-${i % ARTICLES}`,
              occurredAt: new Date(Date.now() - 60_000).toISOString(),
            },
          }),
        );
        pipeline.recordSent(result.accepted.map(id));
        const ledger = await pipeline.settle(120_000);
        const unansweredStored = await pipeline.query(
          'SELECT event_id FROM warehouse.interactions WHERE event_id = ANY($1)',
          [result.unanswered.map((u) => id(u.i))],
        );
        process.stdout.write(
          `4. SIGTERM ingestion: ${total} POSTs by 8 clients, stopped after 300 accepted: answers ${JSON.stringify(result.statuses)}, ` +
            `${result.refused} refused while no instance listened, ${result.unanswered.length} reset unanswered ` +
            `(${unansweredStored.length} of them stored); ledger ${JSON.stringify(ledger)}\n`,
        );
        expect(result.unexpected).toEqual([]);
        expect(result.accepted.length + result.unanswered.length).toBe(total);
        // A request reset unanswered (the listener closed under it) had not been taken in: it wrote nothing.
        expect(unansweredStored).toEqual([]);
        expect(ledger).toEqual(everyReadOnce(before.sent + result.accepted.length));
      }),
    300_000,
  );

  it(
    '4. SIGTERM under HTTP load on serving: every accepted request answered, every list served in the audit log',
    () =>
      withOutput(async () => {
        const total = 2_000;
        const audited = () => pipeline.topicSize(topics.recommendationsServed.name);
        const before = await audited();
        const result = await loadThroughRestart(pipeline, 'serving', { total, stopAfter: 600 }, (url, i) =>
          send(`${url}/v1/users/reader-${i % READERS}/recommendations`),
        );
        const served = result.accepted.length;
        // The audit log is written after the answer: wait for every served list to be in it.
        let logged = 0;
        await waitFor(
          'every served list in the audit log',
          async () => (logged = (await audited()) - before) >= served,
          {
            timeoutMs: 30_000,
            intervalMs: 250,
          },
        ).catch(() => undefined);
        process.stdout.write(
          `4. SIGTERM serving: ${total} GETs by 8 clients, stopped after 600 answered: answers ${JSON.stringify(result.statuses)}, ` +
            `${result.refused} refused while no instance listened, ${result.unanswered.length} reset unanswered; ` +
            `${logged} served lists in the audit log\n`,
        );
        expect(result.unexpected).toEqual([]);
        expect(result.accepted.length + result.unanswered.length).toBe(total);
        // Every list served was logged, once, and nothing that was not served.
        expect(logged).toBe(served);
      }),
    300_000,
  );

  it(
    '5. ingestion and the feature store scaled 1 → 3 → 1 under load: nothing lost or duplicated',
    () =>
      withOutput(async () => {
        const before = await pipeline.ledger();
        const joins = async () => ({
          ingestion: await pipeline.metric('ingestion', 'kafka_consumer_group_joins_total'),
          featureStore: await pipeline.metric('feature-store', 'kafka_consumer_group_joins_total'),
        });
        const joinsBefore = await joins();
        // Open-ended: it stops once the group is back to one member and a few more reads went in.
        const stream = pipeline.stream({ id: 'rebalance', reads: 100_000, perSend: 20, everyMs: 100 });
        await stream.reached(1_000);
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
            (
              await Promise.all(scaledOut.map((r) => serviceMetric(r, 'kafka_messages_consumed_total')))
            ).every((n) => n > 0),
          { timeoutMs: 90_000, intervalMs: 250 },
        );
        const inAt = stream.sent;
        await Promise.all(scaledOut.map((replica) => pipeline.stopReplica(replica, 'SIGTERM')));
        await stream.reached(stream.sent + 1_000);
        stream.stop();
        await stream.done;
        const ledger = await pipeline.settle(180_000);
        const joinsAfter = await joins();
        process.stdout.write(
          `5. scaling: ${stream.sent} reads; 2 more replicas of ingestion and the feature store at ${outAt} sent, stopped at ` +
            `${inAt}; group joins of the first replicas ${JSON.stringify(joinsBefore)} → ${JSON.stringify(joinsAfter)}; ` +
            `ledger ${JSON.stringify(ledger)}\n`,
        );
        // The first replicas saw the group change twice: the scenario did rebalance.
        expect(joinsAfter.ingestion - joinsBefore.ingestion).toBeGreaterThanOrEqual(2);
        expect(joinsAfter.featureStore - joinsBefore.featureStore).toBeGreaterThanOrEqual(2);
        expect(ledger).toEqual(everyReadOnce(before.sent + stream.sent));
      }),
    420_000,
  );

  it(
    '7. a handler slower than twice the session timeout keeps its group membership and applies its batch once',
    () =>
      withOutput(async () => {
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
          await waitFor(
            "the feature store's handler waiting for the lock",
            async () =>
              (
                await pipeline.query<{ n: number }>(
                  `SELECT count(*)::int AS n FROM pg_stat_activity
                  WHERE application_name = 'feature-store' AND wait_event_type = 'Lock'`,
                )
              )[0].n > 0,
            { timeoutMs: 60_000, intervalMs: 100 },
          );
          const heldFrom = Date.now();
          await new Promise((resolve) => setTimeout(resolve, SESSION_TIMEOUT_MS * 2.5)); // the slow handler under test
          await blocker.query('COMMIT');
          const heldMs = Date.now() - heldFrom;
          await stream.done;
          const ledger = await pipeline.settle(120_000);
          const joins = await pipeline.metric('feature-store', 'kafka_consumer_group_joins_total');
          process.stdout.write(
            `7. slow handler: the feature store's handler held ${seconds(heldMs)} (session timeout ${seconds(SESSION_TIMEOUT_MS)}); ` +
              `its group joins ${joinsBefore} → ${joins}; ledger ${JSON.stringify(ledger)}\n`,
          );
          expect(joins).toBe(joinsBefore);
          expect(ledger).toEqual(everyReadOnce(before.sent + reads));
        } finally {
          await blocker.end();
        }
      }),
    300_000,
  );
});

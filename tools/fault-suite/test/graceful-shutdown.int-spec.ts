import { topicExamples, topics } from '@newsroom/contracts';
import { topicSize } from '@newsroom/messaging/testing';
import { waitFor } from '@newsroom/testing';
import { request } from 'node:http';
import { Pipeline, PipelineService, READERS, startPipeline } from '../src/pipeline';

const PRODUCER_KEY = 'fault-suite-producer-key-0123';
const CLIENTS = 8;

type Outcome = 'answered' | 'refused' | 'unanswered';

/**
 * One HTTP request on a connection of its own (no keep-alive: a pooled connection the server closes
 * as idle would blur "refused" and "accepted but unanswered"). `refused`: the connection was never
 * accepted (nothing listens); `unanswered`: the request went out and no response came back.
 */
function send(
  url: string,
  method: 'GET' | 'POST',
  body?: unknown,
): Promise<{ outcome: Outcome; status?: number; error?: string }> {
  return new Promise((resolve) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      url,
      {
        method,
        agent: false,
        headers: {
          connection: 'close',
          'x-api-key': PRODUCER_KEY,
          ...(payload
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {}),
        },
        timeout: 15_000,
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve({ outcome: 'answered', status: response.statusCode }));
      },
    );
    let connected = false;
    req.on('socket', (socket) => socket.on('connect', () => (connected = true)));
    req.on('timeout', () => req.destroy(new Error('no answer within 15 s')));
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ outcome: connected ? 'unanswered' : 'refused', error: error.code ?? error.message }),
    );
    req.end(payload);
  });
}

/**
 * Scenario 4: SIGTERM (a rolling update, a scale-down) while clients keep ingestion and serving
 * busy over HTTP. The service stops taking connections, answers every request it accepted, and
 * writes what it answered for: every accepted read is stored once, every list served is in the
 * audit log. Clients whose connection is refused try the next instance, as behind a Service.
 */
describe('fault: SIGTERM under HTTP load', () => {
  let pipeline: Pipeline;

  beforeAll(async () => {
    pipeline = await startPipeline({ env: { INGESTION_API_KEYS: `producer:${PRODUCER_KEY}` } });
  }, 240_000);
  afterAll(() => pipeline?.tearDown(), 60_000);

  /**
   * CLIENTS loops send `total` requests between them while the service is stopped with SIGTERM
   * (after `stopAfter` accepted) and started again. Like a producer behind a Service, a client sends
   * a refused request, or one answered 429 or 503, again (to whichever instance is up). A request
   * whose connection was reset before any answer is recorded and not sent again, so that the test
   * can tell whether the service did anything with it.
   */
  async function underLoad(
    name: PipelineService,
    total: number,
    stopAfter: number,
    call: (url: string, i: number) => ReturnType<typeof send>,
  ) {
    const statuses: Record<number, number> = {};
    const accepted: number[] = [];
    const unanswered: { i: number; error?: string }[] = [];
    let refused = 0;
    let next = 0;
    let restarting: Promise<unknown> | undefined;
    const clients = Array.from({ length: CLIENTS }, async () => {
      while (next < total) {
        const i = next++;
        const deadline = Date.now() + 60_000;
        for (;;) {
          const result = await call(pipeline.services[name].url, i);
          if (result.outcome === 'unanswered') {
            unanswered.push({ i, error: result.error });
            break;
          }
          if (result.outcome === 'answered') {
            statuses[result.status!] = (statuses[result.status!] ?? 0) + 1;
            if (result.status! < 300) {
              accepted.push(i);
              if (accepted.length === stopAfter) restarting = pipeline.restart(name, 'SIGTERM');
              break;
            }
            if (result.status !== 429 && result.status !== 503) break;
          } else refused++;
          if (Date.now() > deadline) throw new Error(`request ${i} not accepted within 60 s`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    });
    await Promise.all(clients);
    await restarting;
    const unexpected = Object.keys(statuses).filter(
      (status) => ![200, 202, 429, 503].includes(Number(status)),
    );
    return { statuses, accepted, unanswered, refused, unexpected };
  }

  it('ingestion answers every request it accepted and stores every accepted read once', async () => {
    try {
      const total = 1_500;
      const result = await underLoad('ingestion', total, 500, (url, i) =>
        send(`${url}/v1/interactions`, 'POST', {
          ...topicExamples.interactionsRaw.value,
          eventId: `sigterm-ingestion-${i}`,
          userId: `reader-${i % READERS}`,
          articleId: `article-${i % 40}`,
          occurredAt: new Date(Date.now() - 60_000).toISOString(),
        }),
      );
      pipeline.recordSent(result.accepted.map((i) => `sigterm-ingestion-${i}`));
      const ledger = await pipeline.settle(120_000);
      const unansweredStored = await pipeline.query(
        'SELECT event_id FROM warehouse.interactions WHERE event_id = ANY($1)',
        [result.unanswered.map((u) => `sigterm-ingestion-${u.i}`)],
      );
      process.stdout.write(
        `SIGTERM ingestion: ${total} POSTs by ${CLIENTS} clients, stopped after 500 accepted: answers ${JSON.stringify(result.statuses)}, ` +
          `${result.refused} refused while no instance listened, ${result.unanswered.length} reset unanswered ` +
          `(${unansweredStored.length} of them stored); ledger ${JSON.stringify(ledger)}\n`,
      );
      expect(result.unexpected).toEqual([]);
      expect(result.accepted.length + result.unanswered.length).toBe(total);
      // Whatever was reset unanswered had not been taken in: it wrote nothing (its producer sends it again).
      expect(unansweredStored).toEqual([]);
      // Every accepted read stored once, and only those.
      expect(ledger).toMatchObject({
        sent: result.accepted.length,
        warehouse: { stored: result.accepted.length, lost: 0, duplicated: 0 },
        featureLog: { stored: result.accepted.length, lost: 0, duplicated: 0 },
        deadLetters: 0,
      });
    } catch (error) {
      process.stdout.write(pipeline.output());
      throw error;
    }
  }, 300_000);

  it('serving answers every request it accepted and logs every list it served', async () => {
    try {
      const before = await topicSize(
        pipeline.kafka.client('fault-suite-audit'),
        topics.recommendationsServed.name,
      );
      const total = 3_000;
      const result = await underLoad('serving', total, 1_000, (url, i) =>
        send(`${url}/v1/users/reader-${i % READERS}/recommendations`, 'GET'),
      );
      const served = result.accepted.length;
      // The audit log is written after the answer: wait for every served list to be in it.
      const kafka = pipeline.kafka.client('fault-suite-audit');
      let logged = 0;
      await waitFor(
        'every served list in the audit log',
        async () => (logged = (await topicSize(kafka, topics.recommendationsServed.name)) - before) >= served,
        { timeoutMs: 30_000, intervalMs: 250 },
      ).catch(() => undefined);
      process.stdout.write(
        `SIGTERM serving: ${total} GETs by ${CLIENTS} clients, stopped after 1,000 answered: answers ${JSON.stringify(result.statuses)}, ` +
          `${result.refused} refused while no instance listened, ${result.unanswered.length} reset unanswered; ` +
          `${logged} served lists in the audit log\n`,
      );
      expect(result.unexpected).toEqual([]);
      expect(result.accepted.length + result.unanswered.length).toBe(total);
      // Every list served was logged, once, and nothing that was not served.
      expect(logged).toBe(served);
    } catch (error) {
      process.stdout.write(pipeline.output());
      throw error;
    }
  }, 300_000);
});

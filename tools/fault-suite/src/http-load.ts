import { request } from 'node:http';
import { Pipeline, PipelineService } from './pipeline';

export type Outcome = 'answered' | 'refused' | 'unanswered';
export interface SendResult {
  outcome: Outcome;
  status?: number;
  error?: string;
}

/**
 * One HTTP request on a connection of its own (no keep-alive: a pooled connection the server closes
 * as idle would blur "refused" and "accepted but unanswered"). `refused`: the connection was never
 * accepted (nothing listens); `unanswered`: the request went out and no response came back.
 */
export function send(
  url: string,
  { method = 'GET', body, apiKey }: { method?: 'GET' | 'POST'; body?: unknown; apiKey?: string } = {},
): Promise<SendResult> {
  return new Promise((resolve) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      url,
      {
        method,
        agent: false,
        headers: {
          connection: 'close',
          ...(apiKey ? { 'x-api-key': apiKey } : {}),
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

export interface LoadResult {
  /** Answers by status, over every attempt. */
  statuses: Record<number, number>;
  /** Requests (by index) answered 2xx. */
  accepted: number[];
  /** Requests whose connection was reset before any answer. */
  unanswered: { i: number; error?: string }[];
  /** Attempts refused while no instance listened. */
  refused: number;
  /** Statuses other than success, 429 and 503. */
  unexpected: string[];
}

/**
 * `clients` loops send `total` requests between them while the service is stopped with SIGTERM
 * (after `stopAfter` accepted) and started again. Like a producer behind a Service, a client sends
 * a refused request, or one answered 429 or 503, again (to whichever instance is up). A request
 * whose connection was reset before any answer is recorded and not sent again, so that the test
 * can tell whether the service did anything with it.
 */
export async function loadThroughRestart(
  pipeline: Pipeline,
  name: PipelineService,
  { total, stopAfter, clients = 8 }: { total: number; stopAfter: number; clients?: number },
  call: (url: string, i: number) => Promise<SendResult>,
): Promise<LoadResult> {
  const result: LoadResult = { statuses: {}, accepted: [], unanswered: [], refused: 0, unexpected: [] };
  let next = 0;
  let restarting: Promise<unknown> | undefined;
  const loops = Array.from({ length: clients }, async () => {
    while (next < total) {
      const i = next++;
      const deadline = Date.now() + 60_000;
      for (;;) {
        const answer = await call(pipeline.services[name].url, i);
        if (answer.outcome === 'unanswered') {
          result.unanswered.push({ i, error: answer.error });
          break;
        }
        if (answer.outcome === 'answered') {
          const status = answer.status ?? 0;
          result.statuses[status] = (result.statuses[status] ?? 0) + 1;
          if (status < 300) {
            result.accepted.push(i);
            if (result.accepted.length === stopAfter) restarting = pipeline.restart(name, 'SIGTERM');
            break;
          }
          if (status !== 429 && status !== 503) break;
        } else result.refused++;
        if (Date.now() > deadline) throw new Error(`request ${i} not accepted within 60 s`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  });
  // The restart is awaited whatever the clients did, so that it never runs on unobserved.
  const settled = await Promise.allSettled(loops);
  await restarting;
  for (const loop of settled) if (loop.status === 'rejected') throw loop.reason;
  result.unexpected = Object.keys(result.statuses).filter((s) => ![200, 202, 429, 503].includes(Number(s)));
  return result;
}

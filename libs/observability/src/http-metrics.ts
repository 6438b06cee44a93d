import type { FastifyInstance, FastifyRequest } from 'fastify';
import { counter, histogram, metricsRegistry } from './metrics';

/**
 * What became of a request, as the availability SLO counts it: `rejected` (4xx) is the client's
 * doing and not an availability failure; `timed-out` was answered by the request timeout.
 */
export type RequestOutcome = 'succeeded' | 'rejected' | 'failed' | 'timed-out';

const timedOut = new WeakSet<FastifyRequest>();

/** Marks a request as answered by the request timeout (its outcome is `timed-out`). */
export function markTimedOut(request: FastifyRequest): void {
  timedOut.add(request);
}

export function requestOutcome(statusCode: number, answeredByTimeout: boolean): RequestOutcome {
  if (answeredByTimeout) return 'timed-out';
  if (statusCode >= 500) return 'failed';
  if (statusCode >= 400) return 'rejected';
  return 'succeeded';
}

const requestsTotal = 'http_server_requests_total';

/** Routes of the platform itself (probes, scrapes, API docs): not the service's API, not in its SLA. */
const operationalRoute = /^\/(health|metrics|docs)(\/|$)/;

/** Requests to the service's API answered by this process so far, by outcome (operational routes left out). */
export async function apiRequestCounts(): Promise<Record<RequestOutcome, number>> {
  const counts: Record<RequestOutcome, number> = { succeeded: 0, rejected: 0, failed: 0, 'timed-out': 0 };
  const metric = metricsRegistry.getSingleMetric(requestsTotal);
  if (!metric) return counts;
  for (const { labels, value } of (await metric.get()).values) {
    if (operationalRoute.test(String(labels['route']))) continue;
    counts[labels['outcome'] as RequestOutcome] += value;
  }
  return counts;
}

/**
 * Request duration by method, route template and status, and requests by outcome, recorded from
 * Fastify's own hooks.
 */
export function instrumentHttp(fastify: FastifyInstance): void {
  const duration = histogram('http_server_request_duration_seconds', 'HTTP request duration', [
    'method',
    'route',
    'status_code',
  ]);
  const requests = counter(
    requestsTotal,
    'HTTP requests by outcome: succeeded, rejected (4xx), failed (5xx) or timed-out (answered by the request timeout)',
    ['method', 'route', 'outcome'],
  );
  // A callback hook, not an async one: no promise per request on the hot routes.
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    duration.observe(
      { method: request.method, route, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    requests.inc({
      method: request.method,
      route,
      outcome: requestOutcome(reply.statusCode, timedOut.has(request)),
    });
    done();
  });
}

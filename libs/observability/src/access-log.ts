import type { FastifyInstance } from 'fastify';
import type pino from 'pino';
import { isProbeOrScrape } from './probe-paths';

/**
 * One line per answered request — request id, method, URL, status and milliseconds taken — from
 * Fastify's `onResponse` hook; 5xx at error level. Headers are not logged (API keys stay out).
 * `quietPaths`: URL path prefixes answered without a line, hot routes whose every response is
 * recorded elsewhere (serving's lists are on recommendations.served, with their request ids).
 */
export function logRequests(
  fastify: FastifyInstance,
  logger: pino.Logger,
  quietPaths: readonly string[] = [],
): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const url = request.url;
    if (isProbeOrScrape(url) || quietPaths.some((path) => url.startsWith(path))) return done();
    const statusCode = reply.statusCode;
    logger[statusCode >= 500 ? 'error' : 'info'](
      {
        req: { id: request.id, method: request.method, url },
        res: { statusCode },
        responseTime: Math.round(reply.elapsedTime),
      },
      'request completed',
    );
    done();
  });
}

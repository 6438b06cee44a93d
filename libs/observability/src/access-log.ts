import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { loggerOptions } from './logging';

/** Probes and scrapes are frequent and uninteresting. */
const probe = /^\/(health|metrics)(\/|\?|$)/;

export interface AccessLogOptions {
  serviceName: string;
  level: string;
  /**
   * URL path prefixes answered without an access-log line: hot routes whose every response is
   * recorded elsewhere (serving's lists are on recommendations.served, with their request ids).
   */
  quietPaths?: readonly string[];
  /** Where lines go (standard output by default). */
  destination?: pino.DestinationStream;
}

/**
 * One line per answered request — request id, method, URL, status and milliseconds taken — from
 * Fastify's `onResponse` hook; 5xx at error level. Headers are not logged (API keys stay out).
 */
export function logRequests(
  fastify: FastifyInstance,
  { serviceName, level, quietPaths = [], destination }: AccessLogOptions,
): void {
  const logger = destination
    ? pino(loggerOptions(serviceName, level), destination)
    : pino(loggerOptions(serviceName, level));
  fastify.addHook('onResponse', (request, reply, done) => {
    const url = request.url;
    if (probe.test(url) || quietPaths.some((path) => url.startsWith(path))) return done();
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

import { markTimedOut } from '@newsroom/observability';
import type { FastifyInstance } from 'fastify';

/**
 * Probes and scrapes are left alone: they have their own deadlines (the readiness checks' 2 s, the
 * kubelet's and Prometheus's timeouts), and readiness must report its checks, not a timeout.
 */
const exempt = /^\/(health|metrics)(\/|\?|$)/;

/**
 * Answers a request its handler has not answered within `timeoutMs` with 503 and Retry-After, and
 * marks it `timed-out` for the SLA's request counts: a client waiting on a stuck dependency gets a
 * clear answer it can retry, instead of a connection held open until its own timeout. The handler
 * is not cancelled; what it sends later is dropped (Fastify logs it). A response already under
 * way (headers sent, a stream still flowing) is not a stuck request and is left to finish.
 */
export function enforceRequestTimeout(fastify: FastifyInstance, timeoutMs: number): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    if (exempt.test(request.url)) return done();
    const timer = setTimeout(() => {
      if (reply.sent || reply.raw.headersSent) return;
      markTimedOut(request);
      try {
        void reply
          .code(503)
          .header('retry-after', '1')
          .send({
            statusCode: 503,
            error: 'Service Unavailable',
            message: `no answer within ${timeoutMs} ms (HTTP_REQUEST_TIMEOUT_MS): the request was abandoned, though its work may still complete`,
          });
      } catch (error) {
        // Thrown in a timer it would end the process: the request is lost either way.
        request.log.warn({ err: error }, 'could not answer a timed-out request');
      }
    }, timeoutMs);
    reply.raw.once('close', () => clearTimeout(timer));
    done();
  });
}

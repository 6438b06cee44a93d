import { isProbeOrScrape, markTimedOut } from '@newsroom/observability';
import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * Answers a request its handler has not answered within `timeoutMs` with 503 and Retry-After, and
 * marks it `timed-out` for the SLA's request counts: a client waiting on a stuck dependency gets a
 * clear answer it can retry, instead of a connection held open until its own timeout. The handler
 * is not cancelled; what it sends later is dropped (Fastify logs it). A response already under
 * way (headers sent, a stream still flowing) is not a stuck request and is left to finish.
 * Probes and scrapes are left alone: they have their own deadlines (the readiness checks' 2 s),
 * and readiness must report its checks, not a timeout.
 *
 * Requests in flight are checked by one sweep every tenth of the timeout (at most 250 ms), not by
 * a timer and a close listener each: those cost a hot in-memory route a tenth of its throughput.
 * A stuck request is answered between `timeoutMs` and `timeoutMs` plus one sweep.
 */
export function enforceRequestTimeout(fastify: FastifyInstance, timeoutMs: number): void {
  const inFlight = new Set<FastifyReply>();
  const sweepMs = Math.max(1, Math.min(250, Math.floor(timeoutMs / 10)));
  let sweeper: NodeJS.Timeout | undefined;
  const sweep = () => {
    for (const reply of inFlight) {
      if (reply.sent || reply.raw.headersSent || reply.raw.destroyed) inFlight.delete(reply);
      else if (reply.elapsedTime >= timeoutMs) {
        inFlight.delete(reply);
        answerTimedOut(reply, timeoutMs);
      }
    }
    if (inFlight.size === 0) {
      clearInterval(sweeper);
      sweeper = undefined;
    }
  };
  fastify.addHook('onRequest', (request, reply, done) => {
    if (isProbeOrScrape(request.url)) return done();
    inFlight.add(reply);
    sweeper ??= setInterval(sweep, sweepMs).unref();
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    inFlight.delete(reply);
    done();
  });
  fastify.addHook('onClose', (instance, done) => {
    clearInterval(sweeper);
    sweeper = undefined;
    inFlight.clear();
    done();
  });
}

function answerTimedOut(reply: FastifyReply, timeoutMs: number): void {
  markTimedOut(reply.request);
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
    reply.request.log.warn({ err: error }, 'could not answer a timed-out request');
  }
}

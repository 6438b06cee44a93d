import { trace } from '@opentelemetry/api';
import type { Params } from 'nestjs-pino';
import pino from 'pino';

/** Adds the active trace and span ids to every log line, so a log leads to its trace in Jaeger. */
function traceIds(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

export function loggerOptions(serviceName: string, level: string): pino.LoggerOptions {
  return {
    level,
    base: { service: serviceName },
    mixin: traceIds,
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: ['req.headers["x-api-key"]', 'req.headers.authorization'],
  };
}

/** The service's one logger: Nest's logger (nestjs-pino) and the access log write through it. */
export function serviceLogger(serviceName: string, level: string): pino.Logger {
  return pino(loggerOptions(serviceName, level));
}

/**
 * nestjs-pino gives the services' Nest logger, over `logger`; it applies no HTTP middleware (no
 * routes): Nest runs middleware through @fastify/middie on every request, which cost a hot route
 * more than its own work. Access-log lines come from `logRequests`, a Fastify hook, instead.
 */
export function nestLoggerParams(logger: pino.Logger): Params {
  return { forRoutes: [], pinoHttp: { logger } };
}

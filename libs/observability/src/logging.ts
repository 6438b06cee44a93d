import { RequestMethod } from '@nestjs/common';
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

/**
 * `quietRoutes` (Nest route paths, e.g. `v1/users/*path`) get no access-log line and no
 * per-request child logger: hot routes whose every response is audited elsewhere.
 */
export function nestLoggerParams(serviceName: string, level: string, quietRoutes: string[] = []): Params {
  return {
    ...(quietRoutes.length > 0
      ? { exclude: quietRoutes.map((path) => ({ path, method: RequestMethod.ALL })) }
      : {}),
    pinoHttp: {
      ...loggerOptions(serviceName, level),
      // Probes and scrapes are frequent and uninteresting; everything else is logged once per request.
      autoLogging: { ignore: (req) => /^\/(health|metrics)/.test(req.url ?? '') },
    },
  };
}

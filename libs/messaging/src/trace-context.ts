import {
  Context,
  ROOT_CONTEXT,
  Span,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
} from '@opentelemetry/api';

/**
 * W3C trace context across Kafka: the publisher writes `traceparent`/`tracestate` into message
 * headers and the consumer continues the trace from them, so one trace follows an event from the
 * HTTP request that caused it through every service that handles it.
 */
const tracer = trace.getTracer('@newsroom/messaging');

export function injectTraceHeaders(headers: Record<string, string>, ctx: Context = context.active()): void {
  propagation.inject(ctx, headers);
}

/**
 * Publishes in a span of its own. Messages that already carry a trace (outbox rows, written in the
 * transaction of the request that caused them; dead letters) decide where it sits: all in one
 * trace, the span continues it (`continued`: the caller then gives the messages this span as
 * their parent, so the consumer's span follows the publish); in several, the span links to each
 * (up to MAX_LINKS) and every message keeps its own. Otherwise it is a child of the active span.
 */
export function withProducerSpan<T>(
  topic: string,
  count: number,
  fn: (ctx: Context, continued: boolean) => Promise<T>,
  carriedHeaders: readonly (Record<string, string> | undefined)[] = [],
): Promise<T> {
  const carried = carriedHeaders.map((h) => (h?.['traceparent'] ? h : undefined));
  const first = carried[0];
  const continued = first !== undefined && carried.every((h) => h?.['traceparent'] === first['traceparent']);
  const distinct = continued
    ? []
    : [...new Map(carried.flatMap((h) => (h ? [[h['traceparent'], h] as const] : []))).values()];
  const links = distinct.slice(0, MAX_LINKS).flatMap((headers) => {
    const spanContext = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, headers));
    return spanContext ? [{ context: spanContext }] : [];
  });
  const parent = continued ? propagation.extract(ROOT_CONTEXT, first) : context.active();
  return tracer.startActiveSpan(
    `publish ${topic}`,
    {
      kind: SpanKind.PRODUCER,
      links,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.destination.name': topic,
        'messaging.batch.message_count': count,
      },
    },
    parent,
    (span) => endSpan(span, () => fn(context.active(), continued)),
  );
}

/**
 * Handles one record in the trace it came with; a batch gets its own span linked to the trace of
 * each of its records (up to MAX_LINKS), so every event's trace still leads to its handling.
 */
export function withConsumerSpan<T>(
  topic: string,
  recordHeaders: Record<string, string>[],
  attributes: Record<string, string | number>,
  fn: () => Promise<T>,
): Promise<T> {
  const single = recordHeaders.length === 1;
  const parent = single ? propagation.extract(ROOT_CONTEXT, recordHeaders[0]) : ROOT_CONTEXT;
  const links = single
    ? []
    : recordHeaders.slice(0, MAX_LINKS).flatMap((headers) => {
        const spanContext = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, headers));
        return spanContext ? [{ context: spanContext }] : [];
      });
  return tracer.startActiveSpan(
    `process ${topic}`,
    {
      kind: SpanKind.CONSUMER,
      links,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.destination.name': topic,
        'messaging.batch.message_count': recordHeaders.length,
        ...attributes,
      },
    },
    parent,
    (span) => endSpan(span, fn),
  );
}

const MAX_LINKS = 128;

async function endSpan<T>(span: Span, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    throw error;
  } finally {
    span.end();
  }
}

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

export function withProducerSpan<T>(
  topic: string,
  count: number,
  fn: (ctx: Context) => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(
    `publish ${topic}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.destination.name': topic,
        'messaging.batch.message_count': count,
      },
    },
    (span) => endSpan(span, () => fn(context.active())),
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

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

export function withConsumerSpan<T>(
  topic: string,
  headers: Record<string, string>,
  attributes: Record<string, string | number>,
  fn: () => Promise<T>,
): Promise<T> {
  const parent = propagation.extract(ROOT_CONTEXT, headers);
  return tracer.startActiveSpan(
    `process ${topic}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': topic, ...attributes },
    },
    parent,
    (span) => endSpan(span, fn),
  );
}

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

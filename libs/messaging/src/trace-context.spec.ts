import { ROOT_CONTEXT, SpanKind, context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { injectTraceHeaders, withProducerSpan } from './trace-context';

const exporter = new InMemorySpanExporter();
beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
  );
});
afterEach(() => exporter.reset());

/** The trace headers of a span started now, as an outbox row keeps them. */
function headersOfNewTrace(): Record<string, string> {
  const span = trace.getTracer('test').startSpan('request', { kind: SpanKind.SERVER });
  const headers: Record<string, string> = {};
  propagation.inject(trace.setSpan(ROOT_CONTEXT, span), headers);
  span.end();
  return headers;
}
const spanContextOf = (headers: Record<string, string>) =>
  trace.getSpanContext(propagation.extract(ROOT_CONTEXT, headers));

describe('withProducerSpan', () => {
  it('continues the trace its messages all carry, and gives them the publish as their parent', async () => {
    const carried = headersOfNewTrace();
    const sent = await withProducerSpan(
      't',
      2,
      async (ctx, continued) => {
        const headers = { ...carried };
        if (continued) injectTraceHeaders(headers, ctx);
        return { continued, headers };
      },
      [carried, carried],
    );
    const [publish] = exporter.getFinishedSpans().filter((s) => s.name === 'publish t');
    expect(sent.continued).toBe(true);
    expect(publish.spanContext().traceId).toBe(spanContextOf(carried)?.traceId);
    expect(publish.parentSpanContext?.spanId).toBe(spanContextOf(carried)?.spanId);
    expect(spanContextOf(sent.headers)?.spanId).toBe(publish.spanContext().spanId);
  });

  it('links to each trace of a batch from several, which keep their own', async () => {
    const [a, b] = [headersOfNewTrace(), headersOfNewTrace()];
    const continued = await withProducerSpan('t', 3, async (_ctx, c) => c, [a, b, a]);
    const [publish] = exporter.getFinishedSpans().filter((s) => s.name === 'publish t');
    expect(continued).toBe(false);
    expect(publish.links.map((l) => l.context.traceId)).toEqual([
      spanContextOf(a)?.traceId,
      spanContextOf(b)?.traceId,
    ]);
    expect(publish.spanContext().traceId).not.toBe(spanContextOf(a)?.traceId);
  });

  it('is a child of the active span when its messages carry no trace', async () => {
    const request = trace.getTracer('test').startSpan('request');
    await context.with(trace.setSpan(context.active(), request), () =>
      withProducerSpan('t', 1, async () => undefined, [undefined]),
    );
    request.end();
    const [publish] = exporter.getFinishedSpans().filter((s) => s.name === 'publish t');
    expect(publish.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
  });
});

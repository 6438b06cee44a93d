import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { decodeTraceExport, startOtlpReceiver } from './otlp-receiver';

/** Spans made by the SDK the services use, serialised by the OTLP exporter they use. */
function exportedSpans() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'ingestion' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('test');
  const request = tracer.startSpan('POST /v1/interactions', { kind: SpanKind.SERVER });
  const publish = tracer.startSpan(
    'publish interactions.raw',
    { kind: SpanKind.PRODUCER, links: [{ context: request.spanContext() }] },
    trace.setSpan(context.active(), request),
  );
  publish.end();
  request.end();
  return { spans: exporter.getFinishedSpans(), request, publish };
}

describe('the OTLP receiver', () => {
  it('reads back what the OTLP protobuf exporter sends: ids, parent, name, kind, links, service', () => {
    const { spans, request, publish } = exportedSpans();
    const body = ProtobufTraceSerializer.serializeRequest(spans);
    const decoded = decodeTraceExport(body!);
    const { traceId, spanId } = request.spanContext();
    expect(decoded).toEqual([
      {
        service: 'ingestion',
        traceId,
        spanId: publish.spanContext().spanId,
        parentSpanId: spanId,
        name: 'publish interactions.raw',
        kind: 4,
        links: [{ traceId, spanId }],
      },
      {
        service: 'ingestion',
        traceId,
        spanId,
        parentSpanId: '',
        name: 'POST /v1/interactions',
        kind: 2,
        links: [],
      },
    ]);
  });

  it('collects the spans posted to /v1/traces', async () => {
    const receiver = await startOtlpReceiver();
    try {
      const body = ProtobufTraceSerializer.serializeRequest(exportedSpans().spans)!;
      const response = await fetch(`${receiver.url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
        body,
      });
      expect(response.status).toBe(200);
      expect(receiver.spans.map((s) => s.name)).toEqual([
        'publish interactions.raw',
        'POST /v1/interactions',
      ]);
    } finally {
      await receiver.close();
    }
  });
});

import { topicExamples } from '@newsroom/contracts';
import { ServiceHandle, ServiceWorld, serviceWorld } from '@newsroom/platform/testing';
import { OtlpReceiver, ReceivedSpan, startOtlpReceiver, waitFor } from '@newsroom/testing';

const PRODUCER_KEY = 'trace-producer-key-0123456789';

/**
 * One interaction posted over HTTP is one trace, from ingestion's request through its outbox relay
 * and the Kafka hop to the feature store's handling — exported over OTLP/HTTP, as to Jaeger, to a
 * receiver of the test's own. The outbox row keeps the request's trace context, and the relay's
 * publish continues it; the feature store's batch of one record continues the publish's (a batch
 * of several would get a span of its own linked to each record's trace: one span cannot have
 * several parents).
 */
describe('ingestion: a trace from the request to the feature store', () => {
  let world: ServiceWorld;
  let receiver: OtlpReceiver;
  let ingestion: ServiceHandle;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    world = await serviceWorld(1);
    const tracing = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '200' };
    ingestion = await world.start('ingestion', {
      ...tracing,
      INGESTION_API_KEYS: `producer:${PRODUCER_KEY}`,
    });
    await world.start('feature-store', tracing);
  }, 120_000);

  afterAll(async () => {
    await world?.tearDown();
    await receiver?.close();
  }, 60_000);

  it('spans the request, the outbox relay, the Kafka hop and the feature store, parent to child', async () => {
    const response = await fetch(`http://127.0.0.1:${ingestion.process.port}/v1/interactions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': PRODUCER_KEY },
      body: JSON.stringify({ items: [{ ...topicExamples.interactionsRaw.value, eventId: 'traced-1' }] }),
    });
    expect(response.status).toBe(202);
    const request = await waitFor('the request span', () =>
      receiver.spans.find((s) => s.service === 'ingestion' && s.kind === 2 && s.name.startsWith('POST')),
    );
    const inTrace = (s: ReceivedSpan) => s.traceId === request.traceId;
    const handled = await waitFor(
      "the feature store's handling in the request's trace",
      () =>
        receiver.spans.find(
          (s) => inTrace(s) && s.service === 'feature-store' && s.name.endsWith('interactions.ingested'),
        ),
      { timeoutMs: 60_000 },
    );
    // Each process exports on its own schedule: the publish may arrive after the handling.
    const publish = await waitFor('the span the handling continues', () =>
      receiver.spans.find((s) => s.spanId === handled.parentSpanId),
    );
    expect(publish).toMatchObject({ service: 'ingestion', kind: 4, traceId: request.traceId });
    expect(publish.name).toMatch(/^publish .*interactions\.ingested$/);
    // The relay's publish continues the request's trace: its parent is the request or a span under it.
    const chain: ReceivedSpan[] = [handled];
    for (
      let s: ReceivedSpan | undefined = publish;
      s;
      s = receiver.spans.find((p) => p.spanId === s?.parentSpanId)
    )
      chain.push(s);
    expect(chain.at(-1)).toBe(request);
    expect(handled.kind).toBe(5);
    process.stdout.write(
      `trace ${request.traceId}: ${chain
        .reverse()
        .map((s) => `${s.service} "${s.name}"`)
        .join(' → ')}\n`,
    );
  }, 120_000);
});

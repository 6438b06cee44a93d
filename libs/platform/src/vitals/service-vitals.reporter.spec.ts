import { topics } from '@newsroom/contracts';
import { EventPublisher } from '@newsroom/messaging';
import { counter, gauge } from '@newsroom/observability';
import { outboxBacklogMetrics } from '@newsroom/persistence';
import { ServiceConfig } from '../service-config';
import { ServiceVitalsReporter } from './service-vitals.reporter';

const config = { VITALS_INTERVAL_MS: 60_000, SLO_AVAILABILITY_TARGET: 0.99 } as ServiceConfig;

/** A publisher that keeps what it is given, or never answers (a broker that is gone). */
function fakePublisher(answers = true) {
  const published: { topic: string; key: string; value: unknown }[] = [];
  const publisher = {
    publish: (topic: { name: string }, messages: { key: string; value: unknown }[]) => {
      published.push(...messages.map((m) => ({ topic: topic.name, ...m })));
      return answers ? Promise.resolve() : new Promise<void>(() => undefined);
    },
  } as unknown as EventPublisher;
  return { publisher, published };
}

describe('ServiceVitalsReporter', () => {
  it("reports the API's requests by outcome, the objective and the outbox backlog, as the contract has them", async () => {
    counter('http_server_requests_total', 'requests', ['method', 'route', 'outcome']).inc(
      { method: 'GET', route: '/v1/items', outcome: 'timed-out' },
      3,
    );
    gauge(outboxBacklogMetrics.pending, 'pending').set(4);
    gauge(outboxBacklogMetrics.oldestSeconds, 'oldest').set(12.5);
    const reporter = new ServiceVitalsReporter('serving', config, fakePublisher().publisher);
    const vitals = await reporter.vitals(false);
    expect(vitals).toMatchObject({
      service: 'serving',
      instance: expect.stringMatching(new RegExp(`^serving@.+:${process.pid}:`)),
      intervalMs: 60_000,
      stopping: false,
      sloAvailabilityTarget: 0.99,
      requests: { timedOut: 3 },
      outbox: { pending: 4, oldestSeconds: 12.5 },
    });
    expect(topics.serviceVitals.value.shape.payload.safeParse(vitals).success).toBe(true);
  });

  it('says goodbye as the application shuts down, under the instance as key', async () => {
    const { publisher, published } = fakePublisher();
    const reporter = new ServiceVitalsReporter('ingestion', config, publisher);
    reporter.onApplicationBootstrap();
    await reporter.beforeApplicationShutdown();
    expect(published).toEqual([
      {
        topic: 'service.vitals',
        key: expect.stringMatching(/^ingestion@/),
        value: expect.objectContaining({
          type: 'service.vitals',
          payload: expect.objectContaining({ stopping: true }),
        }),
      },
    ]);
  });

  it('does not hold a shutdown up when the broker does not answer', async () => {
    const reporter = new ServiceVitalsReporter('ingestion', config, fakePublisher(false).publisher);
    await expect(reporter.beforeApplicationShutdown()).resolves.toBeUndefined();
  });

  it('does not wait for a periodic report stuck in flight either', async () => {
    const { publisher, published } = fakePublisher(false);
    const reporter = new ServiceVitalsReporter('ingestion', { ...config, VITALS_INTERVAL_MS: 10 }, publisher);
    reporter.onApplicationBootstrap();
    // A periodic report is sent, and never answered.
    while (published.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    // Returns within the last report's limit (2 s): waiting for the stuck report would never end.
    await reporter.beforeApplicationShutdown();
    expect(
      published.every((m) => (m.value as { payload: { stopping: boolean } }).payload.stopping === false),
    ).toBe(true);
  }, 10_000);
});

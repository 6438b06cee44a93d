import { newEvent, topics } from '@newsroom/contracts';
import { Json, ServiceHandle, ServiceWorld, serviceWorld } from '@newsroom/platform/testing';
import { waitFor } from '@newsroom/testing';

/**
 * The services' vitals (real Kafka, PostgreSQL, ingestion and monitoring processes): every
 * instance's API requests by outcome reach monitoring; an instance that dies raises a pipeline
 * alert that its successor ends, one that stops cleanly raises none; a service below its
 * availability objective raises a serving alert, an outbox holding events too long a pipeline one.
 */
describe('monitoring: the services’ SLA and vitals', () => {
  let world: ServiceWorld;
  let monitoring: ServiceHandle;
  const vitalsEnv = { VITALS_INTERVAL_MS: '300' };

  const health = async (service: string): Promise<Json> =>
    (await monitoring.get('/v1/services')).body.items.find((s: Json) => s.service === service);
  const alert = async (dedupKey: string, state: 'firing' | 'resolved'): Promise<Json> =>
    (await monitoring.get(`/v1/alerts?state=${state}`)).body.items.find((a: Json) => a.dedupKey === dedupKey);
  const startIngestion = () => world.start('ingestion', vitalsEnv);

  beforeAll(async () => {
    world = await serviceWorld(1);
    monitoring = await world.start('monitoring', {
      ...vitalsEnv,
      MONITORING_CHECK_INTERVAL_MS: '250',
      MONITORING_ALERT_CLEAR_CHECKS: '2',
    });
  }, 120_000);

  afterAll(() => world?.tearDown(), 60_000);

  it("counts an instance's API requests by outcome, not its probes; a death raises an alert its successor ends", async () => {
    let ingestion = await startIngestion();
    for (let i = 0; i < 25; i++)
      expect((await fetch(`${ingestion.process.url}/v1/nowhere`)).status).toBe(404);
    const seen = await waitFor('the requests in the vitals', async () => {
      const h = await health('ingestion');
      return h && h.window.rejected >= 25 ? h : undefined;
    });
    // The harness polled /health/ready meanwhile: probes are not the API.
    expect(seen).toMatchObject({
      liveInstances: 1,
      down: false,
      window: { requests: 25, rejected: 25, succeeded: 0, failed: 0, timedOut: 0 },
      availability: 1,
      sloTarget: 0.95,
      outbox: { pending: 0 },
    });
    expect((await health('monitoring')).liveInstances).toBe(1);

    await ingestion.process.stop('SIGKILL');
    const down = await waitFor('the down alert', () => alert('pipeline:down:ingestion', 'firing'));
    expect(down).toMatchObject({
      type: 'pipeline',
      severity: 'critical',
      details: { silentInstances: [expect.anything()] },
    });

    ingestion = await startIngestion();
    await waitFor('the down alert resolved', () => alert('pipeline:down:ingestion', 'resolved'));
    expect(await health('ingestion')).toMatchObject({
      liveInstances: 1,
      silentInstances: [expect.anything()],
    });

    await ingestion.process.stop('SIGTERM');
    const stopped = await waitFor('the goodbye', async () => {
      const h = await health('ingestion');
      return h.liveInstances === 0 ? h : undefined;
    });
    expect(stopped.down).toBe(false);
    expect(await alert('pipeline:down:ingestion', 'firing')).toBeUndefined();
  }, 120_000);

  it('raises a serving alert below the availability objective and a pipeline alert on a held outbox, both ended', async () => {
    const startedAt = new Date(Date.now() - 60_000).toISOString();
    const report = (
      succeeded: number,
      failed: number,
      outbox: { pending: number; oldestSeconds: number },
    ) => {
      const instance = 'serving@elsewhere:1:' + startedAt;
      const vitals = {
        service: 'serving',
        instance,
        startedAt,
        intervalMs: 60_000,
        stopping: false,
        sloAvailabilityTarget: 0.95,
        requests: { succeeded, rejected: 0, failed, timedOut: 0 },
        outbox,
      };
      return world.publish(topics.serviceVitals, [
        { key: instance, value: newEvent(topics.serviceVitals.name, vitals, 'tests') },
      ]);
    };

    await report(900, 100, { pending: 12, oldestSeconds: 900 });
    const sla = await waitFor('the SLA alert', () => alert('serving:sla:serving', 'firing'));
    expect(sla).toMatchObject({
      type: 'serving',
      severity: 'critical',
      details: { requests: 1_000, failed: 100 },
    });
    expect(sla.message).toContain('90.0% of 1000 requests');
    const outbox = await waitFor('the outbox alert', () => alert('pipeline:outbox:serving', 'firing'));
    expect(outbox).toMatchObject({ severity: 'warning', details: { pending: 12, oldestSeconds: 900 } });

    await report(2_900, 100, { pending: 0, oldestSeconds: 0 });
    await waitFor('the SLA alert resolved', () => alert('serving:sla:serving', 'resolved'));
    await waitFor('the outbox alert resolved', () => alert('pipeline:outbox:serving', 'resolved'));
    expect((await health('serving')).availability).toBeCloseTo(2_900 / 3_000, 10);
  }, 60_000);
});

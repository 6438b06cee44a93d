import { watchLiveness, watchReadiness } from '@newsroom/testing';
import { Pipeline, everyReadOnce, pipelineServices, startPipeline } from '../src/pipeline';

/** 100 reads a second for 90 s: both outages fall inside the stream. */
const READS = 9_000;
const OUTAGES_AT = [READS / 9, (READS * 5) / 9];
const OUTAGE_MS = 30_000;
/**
 * Liveness must answer 200 whatever the database does, within the timeout our Kubernetes probes
 * give it (timeoutSeconds: 3): in CI other projects' tests share the 2 cores, and the catch-up
 * after an outage has been seen to answer in 1.1–1.3 s there.
 */
const LIVE_WITHIN_MS = 3_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Scenario 2: PostgreSQL stopped (immediate, as in a crash) for 30 s, twice, while reads stream
 * through the whole read pipeline. A dependency's outage is not the records' fault: they wait and
 * are retried, nothing is dead-lettered, readiness goes false while the database is away and comes
 * back by itself, and liveness answers throughout (no restart by Kubernetes).
 */
describe('fault: PostgreSQL stopped for 30 s, twice, mid-stream', () => {
  let pipeline: Pipeline;

  beforeAll(async () => {
    pipeline = await startPipeline();
  }, 240_000);
  afterAll(() => pipeline?.tearDown(), 60_000);

  it('stores every read once in every service, dead-letters nothing, and is unready only while the database is away', async () => {
    const services = pipelineServices.map((name) => ({ name, service: pipeline.services[name] }));
    const liveness = watchLiveness(
      services.map((s) => s.service.url),
      { intervalMs: 250, limitMs: LIVE_WITHIN_MS },
    );
    const readiness = services.map((s) => watchReadiness(s.service));
    try {
      const stream = pipeline.stream({ id: 'database-outage', reads: READS, perSend: 10, everyMs: 100 });
      const outages: { stoppedAt: number; restartedAt: number; sent: number }[] = [];
      for (const at of OUTAGES_AT) {
        await stream.reached(at);
        const stoppedAt = Date.now();
        await pipeline.postgres.stopImmediate();
        await sleep(OUTAGE_MS); // the outage under test
        await pipeline.postgres.start();
        outages.push({ stoppedAt, restartedAt: Date.now(), sent: stream.sent });
      }
      await stream.done;
      const ledger = await pipeline.settle(180_000);
      await Promise.all(readiness.map((r) => r.stop()));
      const live = await liveness.stop();

      const retries = await Promise.all(
        pipelineServices.map(
          async (name) => `${name} ${await pipeline.metric(name, 'kafka_handler_dependency_retries_total')}`,
        ),
      );
      process.stdout.write(
        `database outage: ${READS} reads; PostgreSQL stopped twice for ${OUTAGE_MS / 1000} s ` +
          `(with ${outages.map((o) => o.sent).join(' and ')} reads sent); handler retries: ${retries.join(', ')}; ` +
          `slowest liveness answer ${Math.max(...live.map((l) => l.maxMs)).toFixed(0)} ms; ledger ${JSON.stringify(ledger)}\n`,
      );
      expect(ledger).toEqual(everyReadOnce(READS));
      services.forEach(({ name, service }, i) => {
        // Alive throughout: the process never exited and liveness answered 200 within the probe's timeout.
        expect({
          name,
          exit: service.process.exitCode ?? service.process.signalCode,
          late: live[i].late,
        }).toEqual({
          name,
          exit: null,
          late: [],
        });
        // Ready before the first outage, not ready during each, ready again at the end.
        const samples = readiness[i].samples;
        const during = (o: (typeof outages)[number]) =>
          samples.some((s) => !s.ready && s.at >= o.stoppedAt && s.at < o.restartedAt);
        expect({
          name,
          downBefore: samples.filter((s) => !s.ready && s.answeredAt < outages[0].stoppedAt),
          downDuring: outages.map(during),
          readyAtTheEnd: samples[samples.length - 1].ready,
        }).toEqual({ name, downBefore: [], downDuring: [true, true], readyAtTheEnd: true });
      });
    } catch (error) {
      await Promise.all(readiness.map((r) => r.stop()));
      await liveness.stop();
      process.stdout.write(pipeline.output());
      throw error;
    }
  }, 480_000);
});

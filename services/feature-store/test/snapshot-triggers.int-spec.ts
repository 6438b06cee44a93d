import { startService, waitFor } from '@newsroom/testing';
import { FeatureStoreWorld, HOUR, featureStoreWorld, inputs } from './feature-inputs';

const MINUTE = 60_000;

describe('automatic snapshot triggers (real Kafka, PostgreSQL and service processes)', () => {
  it('push: a snapshot after every N new interactions, the counter then restarting', async () => {
    const world: FeatureStoreWorld = await featureStoreWorld({
      DATASET_GATE_MIN_READS: '1',
      DATASET_PUSH_EVERY_INTERACTIONS: '20',
    });
    try {
      const now = Date.now();
      await world.sendArticles([inputs.article('a1', 'sports', now - 2 * HOUR)]);
      await world.sendInteractions(
        Array.from({ length: 19 }, (_, i) => inputs.read(`r${i}`, 'a1', now - HOUR + i * MINUTE, 20)),
      );
      await waitFor(
        '19 interactions applied',
        async () => (await world.count(`SELECT count(*) AS n FROM $schema.interaction_log`)) === 19,
      );
      // Below the threshold: nothing happens.
      expect(await world.count(`SELECT count(*) AS n FROM $schema.snapshot_runs`)).toBe(0);

      await world.sendInteractions([inputs.read('r19', 'a1', now - 10 * MINUTE, 20)]);
      await waitFor(
        'a push snapshot',
        async () =>
          (await world.count(
            `SELECT count(*) AS n FROM $schema.snapshot_runs WHERE trigger = 'push' AND status = 'succeeded'`,
          )) === 1,
        { timeoutMs: 30_000 },
      );
      const [manifest] = (await world.get('/v1/datasets')).body;
      // All 20 reads fall in the default validation slice, the last 24 hours.
      expect(manifest).toMatchObject({ trigger: 'push', rows: { train: 0, validation: 20 } });
      expect(await world.count(`SELECT interactions_since AS n FROM $schema.snapshot_policy`)).toBe(0);
    } finally {
      await world.tearDown();
    }
  });

  it('schedule: every cron slot snapshots once, on one replica of two', async () => {
    const world = await featureStoreWorld({
      DATASET_GATE_MIN_READS: '1',
      DATASET_SCHEDULE_CRON: '*/2 * * * * *',
    });
    const second = await startService('feature-store', world.env);
    try {
      const now = Date.now();
      await world.sendArticles([inputs.article('a1', 'sports', now - 2 * HOUR)]);
      await world.sendInteractions([inputs.read('r1', 'a1', now - HOUR, 20)]);
      await waitFor(
        'three scheduled slots run',
        async () => (await world.count(`SELECT count(*) AS n FROM $schema.schedule_slots`)) >= 3,
        { timeoutMs: 30_000 },
      );
      await second.stop();
      await world.service.stop();
      const slots = await world.count(`SELECT count(*) AS n FROM $schema.schedule_slots`);
      expect(
        await world.count(`SELECT count(*) AS n FROM $schema.snapshot_runs WHERE trigger = 'schedule'`),
      ).toBe(slots);
      expect(
        await world.count(`SELECT count(*) AS n FROM $schema.snapshot_runs WHERE status = 'failed'`),
      ).toBe(0);
    } finally {
      await second.stop();
      await world.tearDown();
    }
  });
});

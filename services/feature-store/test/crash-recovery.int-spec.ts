import { topics } from '@newsroom/contracts';
import { startService, waitFor } from '@newsroom/testing';
import { FeatureStoreWorld, HOUR, featureStoreWorld, inputs } from './feature-inputs';

const types = ['impression', 'click', 'read'] as const;

describe('feature store killed mid-stream (real Kafka, PostgreSQL and service processes)', () => {
  let world: FeatureStoreWorld;
  beforeAll(async () => {
    // A killed member leaves the group only when its session expires: keep that short here.
    world = await featureStoreWorld({ KAFKA_SESSION_TIMEOUT_MS: '6000', KAFKA_HEARTBEAT_INTERVAL_MS: '500' });
  });
  afterAll(() => world?.tearDown());

  it('applies every interaction exactly once across two SIGKILLs, and the compacted topics converge', async () => {
    const now = Date.now();
    const articleIds = Array.from({ length: 40 }, (_, i) => `a${i}`);
    await world.sendArticles(
      articleIds.map((id, i) => inputs.article(id, `category-${i % 5}`, now - 6 * HOUR)),
    );
    await waitFor(
      'articles stored',
      async () =>
        (await world.count(`SELECT count(*) AS n FROM $schema.article_features`)) === articleIds.length,
    );

    const expected = new Map<string, { impressions: number; clicks: number; reads: number; dwell: number }>();
    const events = Array.from({ length: 20_000 }, (_, i) => {
      const userId = `u${(i * 7) % 300}`;
      const type = types[i % 3];
      const dwell = type === 'read' ? (i % 97) + 0.25 : undefined;
      const e = expected.get(userId) ?? { impressions: 0, clicks: 0, reads: 0, dwell: 0 };
      if (type === 'read') {
        e.reads += 1;
        e.dwell += dwell!;
      } else if (type === 'click') e.clicks += 1;
      else e.impressions += 1;
      expected.set(userId, e);
      return inputs.interaction(
        type,
        userId,
        articleIds[i % articleIds.length],
        now - 5 * HOUR + i * 500,
        dwell,
      );
    });
    // Sent in three parts while the service is killed twice, each time just after it has
    // committed something: the kills land between, or inside, the transactions of a stream.
    const parts = [events.slice(0, 6_000), events.slice(6_000, 12_000), events.slice(12_000)];

    const applied = () => world.count(`SELECT count(*) AS n FROM $schema.interaction_log`);
    let service = world.service;
    const killedAt: number[] = [];
    try {
      for (const part of parts.slice(0, 2)) {
        const before = await applied();
        await world.sendInteractions(part);
        await waitFor('something new applied before the kill', async () => (await applied()) > before, {
          timeoutMs: 60_000,
          intervalMs: 5,
        });
        await service.stop('SIGKILL');
        killedAt.push(await applied());
        service = await startService('feature-store', world.env);
      }
      await world.sendInteractions(parts[2]);
      // Both kills landed mid-stream, not after everything was applied.
      expect(killedAt[0]).toBeLessThan(killedAt[1]);
      expect(killedAt[1]).toBeLessThan(events.length);
      process.stdout.write(`killed with ${killedAt.join(' and ')} of ${events.length} applied\n`);
      await waitFor('every interaction applied', async () => (await applied()) === events.length, {
        timeoutMs: 90_000,
        intervalMs: 200,
      });

      const rows: { user_id: string; impressions: number; clicks: number; reads: number; dwell: number }[] =
        await world.db.query(
          `SELECT user_id, impressions, clicks, reads, total_dwell_seconds AS dwell FROM "${world.schema}".user_features`,
        );
      expect(rows).toHaveLength(expected.size);
      for (const row of rows) {
        const e = expected.get(row.user_id)!;
        expect({ ...row, dwell: Math.round(row.dwell * 100) / 100 }).toEqual({
          user_id: row.user_id,
          impressions: e.impressions,
          clicks: e.clicks,
          reads: e.reads,
          dwell: Math.round(e.dwell * 100) / 100,
        });
      }
      // The articles' windows are summed a moment after their reads (StaleWindowsJob): wait for it.
      const reads = events.filter((e) => e.payload.type === 'read').length;
      const sum7d = () => world.count(`SELECT sum(reads_7d) AS n FROM $schema.article_features`);
      await waitFor("every read in the articles' windows", async () => (await sum7d()) === reads, {
        timeoutMs: 30_000,
        intervalMs: 100,
      }).catch(() => undefined);
      expect(await sum7d()).toBe(reads);

      await waitFor('the compacted topics to catch up', async () => (await world.unpublished()) === 0, {
        timeoutMs: 30_000,
        intervalMs: 200,
      });
      const latest = await world.latestPerKey(topics.featuresUsers.name);
      expect(latest.size).toBe(expected.size);
      for (const [userId, features] of latest) expect(features.reads).toBe(expected.get(userId)!.reads);
    } finally {
      await service.stop();
    }
  });
});

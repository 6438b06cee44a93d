import { articleTokenHashes, topics } from '@newsroom/contracts';
import { waitFor } from '@newsroom/testing';
import { randomUUID } from 'node:crypto';

import { FeatureStoreWorld, HOUR, adminKey, featureStoreWorld, inputs } from './feature-inputs';

const MINUTE = 60_000;

describe('online features (real Kafka, PostgreSQL and service process)', () => {
  let world: FeatureStoreWorld;
  beforeAll(async () => {
    world = await featureStoreWorld();
  });
  afterAll(() => world?.tearDown());

  it('folds ingested events into reader and article features, once each, and publishes them on the compacted topics', async () => {
    const now = Date.now();
    await world.sendArticles([
      inputs.article('a-sports', 'sports', now - 3 * HOUR, 'Derby ends in a draw'),
      inputs.article('a-politics-1', 'politics', now - 2 * HOUR),
      inputs.article('a-politics-2', 'politics', now - 2 * HOUR),
    ]);
    await waitFor(
      'articles stored',
      async () => (await world.get('/v1/features/articles/a-politics-2')).status === 200,
    );
    const interactions = [
      inputs.interaction('impression', 'u1', 'a-sports', now - 100 * MINUTE),
      inputs.read('u1', 'a-sports', now - 90 * MINUTE, 60),
      inputs.read('u1', 'a-politics-1', now - 30 * MINUTE, 30),
      inputs.interaction('click', 'u1', 'a-politics-2', now - 20 * MINUTE),
      inputs.read('u2', 'a-politics-1', now - 10 * MINUTE, 10),
    ];
    // Every event delivered twice: the second delivery must change nothing.
    await world.sendInteractions(interactions);
    await world.sendInteractions(interactions);
    await world.sendFlags([inputs.flag('a-politics-2', true, now - 5 * MINUTE)]);

    await waitFor(
      'every interaction applied and the flag seen',
      async () => {
        const [u1, u2, flagged, read] = await Promise.all([
          world.get('/v1/features/users/u1'),
          world.get('/v1/features/users/u2'),
          world.get('/v1/features/articles/a-politics-2'),
          world.get('/v1/features/articles/a-politics-1'),
        ]);
        // An article's windows are summed a moment after its reads (StaleWindowsJob).
        return (
          u1.body.reads === 2 &&
          u1.body.clicks === 1 &&
          u2.body.reads === 1 &&
          flagged.body.flagged === true &&
          read.body.reads['7d'] === 2
        );
      },
      // A busy CI machine once took longer than 30 s (the consumer's first group join included).
      { timeoutMs: 90_000, intervalMs: 200 },
    );
    const u1 = (await world.get('/v1/features/users/u1')).body;
    expect(u1).toMatchObject({
      userId: 'u1',
      region: 'africa',
      impressions: 1,
      clicks: 1,
      reads: 2,
      totalDwellSeconds: 90,
      categoryMix: { politics: 0.333333, sports: 0.666667 },
      lastSeenAt: new Date(now - 20 * MINUTE).toISOString(),
    });
    expect(u1.recentReads).toEqual([
      { articleId: 'a-politics-1', dwellSeconds: 30, at: new Date(now - 30 * MINUTE).toISOString() },
      { articleId: 'a-sports', dwellSeconds: 60, at: new Date(now - 90 * MINUTE).toISOString() },
    ]);
    const politics = (await world.get('/v1/features/articles/a-politics-1')).body;
    expect(politics).toMatchObject({
      category: 'politics',
      publisher: 'daily-planet',
      reads: { '1h': 2, '24h': 2, '7d': 2 },
      dwellSeconds: { '1h': 40, '24h': 40, '7d': 40 },
      flagged: false,
    });
    const sports = (await world.get('/v1/features/articles/a-sports')).body;
    expect(sports.reads).toEqual({ '1h': 0, '24h': 1, '7d': 1 });
    expect(sports.tokenHashes).toEqual(articleTokenHashes('Derby ends in a draw', 'More about sports.'));
    expect(await world.count(`SELECT count(*) AS n FROM $schema.interaction_log`)).toBe(interactions.length);
    expect((await world.get('/v1/features/users/nobody')).status).toBe(404);
    // A reader's features are personal data: a reader or admin key, never none.
    expect((await world.get('/v1/features/users/u1', {})).status).toBe(401);
    expect((await world.get('/v1/features/users/u1', { 'x-api-key': 'not-a-key-0123456789' })).status).toBe(
      401,
    );
    expect((await world.get('/v1/features/users/u1', { 'x-api-key': adminKey })).body).toEqual(u1);
    expect((await world.get('/v1/features/articles/a-sports', {})).status).toBe(200);

    // The compacted topics alone give back exactly the service's state.
    await waitFor('the compacted topics to catch up', async () => (await world.unpublished()) === 0, {
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    const users = await world.latestPerKey(topics.featuresUsers.name);
    const articles = await world.latestPerKey(topics.featuresArticles.name);
    expect([...users.keys()].sort()).toEqual(['u1', 'u2']);
    expect([...articles.keys()].sort()).toEqual(['a-politics-1', 'a-politics-2', 'a-sports']);
    for (const [userId, features] of users) {
      expect(features).toEqual((await world.get(`/v1/features/users/${userId}`)).body);
    }
    for (const [articleId, features] of articles) {
      expect(features).toEqual((await world.get(`/v1/features/articles/${articleId}`)).body);
    }
  });

  it("applies a flag that arrives before its article from the flag's time on, not from publication", async () => {
    const published = Date.now() - 3 * HOUR;
    const flaggedAt = Date.now() - HOUR;
    await world.sendFlags([inputs.flag('a-early-flag', true, flaggedAt)]);
    await waitFor(
      'the decision recorded',
      async () =>
        (await world.count(
          `SELECT count(*) AS n FROM $schema.article_moderation WHERE article_id = 'a-early-flag'`,
        )) === 1,
    );
    await world.sendArticles([inputs.article('a-early-flag', 'science', published)]);
    await waitFor(
      'the article stored',
      async () => (await world.get('/v1/features/articles/a-early-flag')).status === 200,
    );
    expect((await world.get('/v1/features/articles/a-early-flag')).body.flagged).toBe(true);
    const versions = await world.db.query(
      `SELECT flagged, valid_from, valid_to FROM "${world.schema}".article_versions WHERE article_id = 'a-early-flag' ORDER BY valid_from`,
    );
    expect(versions).toEqual([
      { flagged: false, valid_from: new Date(published), valid_to: new Date(flaggedAt) },
      { flagged: true, valid_from: new Date(flaggedAt), valid_to: null },
    ]);
  });

  it('confirms each takedown once, redelivered or not, whether it holds the article yet or not', async () => {
    await world.sendArticles([inputs.article('a-takedown', 'politics', Date.now() - HOUR)]);
    await waitFor(
      'the article stored',
      async () => (await world.get('/v1/features/articles/a-takedown')).status === 200,
    );
    const [held, notYet, later] = [randomUUID(), randomUUID(), randomUUID()];
    const flag = inputs.flag('a-takedown', true, Date.now(), held);
    // The same event twice (a redelivery), a flag of an article not here, an unflag (nothing to
    // confirm) and a later flag behind them all in the article's partition.
    await world.sendFlags([flag, inputs.flag('a-not-yet', true, Date.now(), notYet)]);
    await world.sendFlags([flag]);
    await world.sendFlags([inputs.flag('a-takedown', false, Date.now() + 1)]);
    await world.sendFlags([inputs.flag('a-takedown', true, Date.now() + 2, later)]);
    // Confirmations of different articles may land on different partitions: wait for all three.
    const confirmations = await waitFor('every takedown confirmed', async () => {
      const all = (await world.readAll(topics.takedownConfirmed.name)).map(
        (m) => JSON.parse(m.value?.toString() ?? 'null').payload,
      );
      return [held, notYet, later].every((id) => all.some((c) => c.takedownId === id)) ? all : undefined;
    });
    expect(confirmations.map((c) => c.takedownId).sort()).toEqual([held, notYet, later].sort());
    for (const confirmation of confirmations) {
      expect(confirmation).toEqual({
        takedownId: expect.any(String),
        articleId: confirmation.takedownId === notYet ? 'a-not-yet' : 'a-takedown',
        holder: 'feature-store',
        instance: expect.stringMatching(/^feature-store@.+:\d+:/),
        confirmedAt: expect.any(String),
      });
    }
    expect((await world.get('/v1/features/articles/a-takedown')).body.flagged).toBe(true);
  });
});

import { topics } from '@newsroom/contracts';
import { waitFor } from '@newsroom/testing';
import { FeatureStoreWorld, HOUR, featureStoreWorld, inputs } from './feature-inputs';

const REPUBLISH_AFTER_MS = 1_500;

/**
 * A busy reader or article is published again at most once per republish interval (the first
 * time at once), so that a bulk load is not one compacted-topic message per event; the last state
 * always goes out.
 */
describe('features publication pace (real Kafka, PostgreSQL and service process)', () => {
  let world: FeatureStoreWorld;
  beforeAll(async () => {
    world = await featureStoreWorld({
      FEATURES_REPUBLISH_USERS_AFTER_MS: String(REPUBLISH_AFTER_MS),
      FEATURES_REPUBLISH_ARTICLES_AFTER_MS: String(REPUBLISH_AFTER_MS),
    });
  });
  afterAll(() => world?.tearDown());

  it('publishes a reader read ten times in four and a half seconds once at first and then once per interval', async () => {
    const now = Date.now();
    await world.sendArticles([inputs.article('a-busy', 'sports', now - HOUR)]);
    await waitFor(
      'the article',
      async () => (await world.get('/v1/features/articles/a-busy')).status === 200,
    );
    const started = Date.now();
    for (let i = 0; i < 10; i++) {
      await world.sendInteractions([inputs.read('u-busy', 'a-busy', now - 30_000 + i * 1_000, 20 + i)]);
      // Reads arriving over several intervals: the pace is what is under test.
      await new Promise((resolve) => setTimeout(resolve, 450));
    }
    await waitFor(
      'ten reads folded',
      async () => (await world.get('/v1/features/users/u-busy')).body.reads === 10,
    );
    await waitFor('the last state published', async () => (await world.unpublished()) === 0, {
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    const elapsed = Date.now() - started;
    const messages = (await world.readAll(topics.featuresUsers.name)).filter((m) => m.key === 'u-busy');
    // One at once, then one per interval that passed while reads kept coming.
    expect(messages.length).toBeGreaterThanOrEqual(2);
    expect(messages.length).toBeLessThanOrEqual(1 + Math.ceil(elapsed / REPUBLISH_AFTER_MS));
    expect(messages.length).toBeLessThan(10);
    const latest = (await world.latestPerKey(topics.featuresUsers.name)).get('u-busy');
    expect(latest).toEqual((await world.get('/v1/features/users/u-busy')).body);
  });
});

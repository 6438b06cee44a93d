import { topics } from '@newsroom/contracts';
import { Json, ServiceHandle, ServiceWorld, serviceWorld } from '@newsroom/platform/testing';
import { uniqueName, waitFor } from '@newsroom/testing';
import { randomUUID } from 'node:crypto';
import { flagEvent, listEvent, listItem } from './serving-events';

/**
 * Takedown receipts from serving: two replicas of one deployment (one schema, each its own
 * consumer group and index), each confirming on `articles.takedown-confirmed` for itself once its
 * index holds the flag.
 */
describe('serving: takedown confirmations per replica', () => {
  let world: ServiceWorld;
  let replicas: ServiceHandle[];
  const served = async (replica: ServiceHandle, userId: string) =>
    (await replica.get(`/v1/users/${userId}/recommendations`)).body.items.map((i: Json) => i.articleId);
  const confirmations = async (takedownId: string) =>
    (await world.readAll(topics.takedownConfirmed.name)).filter((e) => e.payload.takedownId === takedownId);

  beforeAll(async () => {
    world = await serviceWorld();
    const schema = uniqueName('serving');
    replicas = await Promise.all(
      ['serving-a', 'serving-b'].map((group) =>
        world.start('serving', { KAFKA_GROUP_ID: `${world.kafkaTopics.prefix}${group}` }, schema),
      ),
    );
    await world.publish(topics.recommendationsGenerated, [
      listEvent({
        userId: 'reader',
        modelVersion: 'v1',
        items: ['x1', 'x2', 'x3'].map((id, i) => listItem(id, 0.9 - i / 10)),
      }),
    ]);
    for (const replica of replicas)
      await waitFor(
        `${replica.process.url} holding the list`,
        async () => (await served(replica, 'reader')).length === 3,
      );
  }, 180_000);

  afterAll(() => world?.tearDown(), 60_000);

  it('confirms a flag once per replica, signed with its instance name, after its index holds it', async () => {
    const takedownId = randomUUID();
    const flaggedAt = Date.now();
    await world.publish(topics.articlesFlagged, [flagEvent('x2', { takedownId })]);
    const confirmed = await waitFor(
      'both replicas confirming',
      async () => {
        const events = await confirmations(takedownId);
        return events.length >= 2 ? events : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 50 },
    );
    process.stdout.write(
      `flag → serving confirmations: ${confirmed.map((e) => Date.parse(e.payload.confirmedAt) - flaggedAt).join(' ms, ')} ms\n`,
    );
    expect(confirmed).toHaveLength(2);
    for (const event of confirmed)
      expect(event).toMatchObject({
        producer: 'serving',
        payload: { takedownId, articleId: 'x2', holder: 'serving', confirmedAt: expect.any(String) },
      });
    // Each replica's instance name (`serving@<host>:<pid>:<start>`, as its vitals report): one each.
    const instances = confirmed.map((e) => e.payload.instance).sort();
    const expected = replicas.map((r) => `:${r.process.process.pid}:`);
    expect(
      expected.map((pid) => instances.filter((i: string) => i.startsWith('serving@') && i.includes(pid))),
    ).toEqual(expected.map(() => [expect.any(String)]));
    // A confirmation says the article is gone from that replica.
    for (const replica of replicas) expect(await served(replica, 'reader')).toEqual(['x1', 'x3']);
  });

  it('confirms a redelivered flag again under the same event ids (the receipt keeps the first)', async () => {
    const takedownId = randomUUID();
    const flag = flagEvent('x3', { takedownId });
    await world.publish(topics.articlesFlagged, [flag]);
    const first = await waitFor('the first confirmations', async () => {
      const events = await confirmations(takedownId);
      return events.length === 2 ? events : undefined;
    });
    await world.publish(topics.articlesFlagged, [flag]);
    const again = await waitFor('the confirmations of the redelivered flag', async () => {
      const events = await confirmations(takedownId);
      return events.length === 4 ? events : undefined;
    });
    expect(new Set(again.map((e) => e.eventId))).toEqual(new Set(first.map((e) => e.eventId)));
    for (const replica of replicas) expect(await served(replica, 'reader')).toEqual(['x1']);
  });

  it('confirms a flag of an article it never held, and nothing for an unflag or a flag without a takedown id', async () => {
    const takedownId = randomUUID();
    // One article, so one partition: handled in this order by each replica.
    await world.publish(topics.articlesFlagged, [
      flagEvent('never-listed', { takedownId: null }),
      flagEvent('never-listed', { takedownId: null, flagged: false }),
      flagEvent('never-listed', { takedownId }),
    ]);
    await waitFor('both confirmations', async () => (await confirmations(takedownId)).length === 2);
    const all = await world.readAll(topics.takedownConfirmed.name);
    expect(
      all.filter((e) => e.payload.articleId === 'never-listed').map((e) => e.payload.takedownId),
    ).toEqual([takedownId, takedownId]);
  });
});

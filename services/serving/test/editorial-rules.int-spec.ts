import { topics } from '@newsroom/contracts';
import { Json, ServiceHandle, ServiceWorld, serviceWorld, testAdminKey } from '@newsroom/platform/testing';
import { uniqueName, waitFor } from '@newsroom/testing';
import { fallbackEvent, flagEvent, listEvent, listItem } from './serving-events';

const reloadMs = 1_000;
const caps = {
  publisher: { default: 2, overrides: { tabloid: 1 } },
  category: { overrides: { politics: 1 } },
};

/**
 * Editorial rules at serve time, through HTTP on two replicas of one deployment (one schema, each
 * its own consumer group and memory): caps per publisher and category, and editors' pins — taken
 * by one replica, applied by the other within SERVING_PINS_RELOAD_MS.
 */
describe('serving: editorial rules', () => {
  let world: ServiceWorld;
  let replicas: ServiceHandle[];
  const recommend = (replica: ServiceHandle, userId: string, query = '') =>
    replica.get(`/v1/users/${userId}/recommendations${query}`);
  const ids = async (replica: ServiceHandle, userId: string, query = '') =>
    (await recommend(replica, userId, query)).body.items.map((i: Json) => i.articleId) as string[];
  const pins = async (method: string, path = '', body?: unknown, key: string | null = testAdminKey) => {
    const response = await fetch(`${replicas[0].process.url}/v1/pins${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(key ? { 'x-api-key': key } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return {
      status: response.status,
      body: (response.status === 204 ? undefined : await response.json()) as Json,
    };
  };
  const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

  beforeAll(async () => {
    world = await serviceWorld();
    const schema = uniqueName('serving');
    const env = (group: string) => ({
      KAFKA_GROUP_ID: `${world.kafkaTopics.prefix}${group}`,
      SERVING_MODERATOR_API_KEYS: `desk:${testAdminKey}`,
      SERVING_EDITORIAL_CAPS: JSON.stringify(caps),
      SERVING_PINS_RELOAD_MS: String(reloadMs),
    });
    replicas = [
      await world.start('serving', env('serving-a'), schema),
      await world.start('serving', env('serving-b'), schema),
    ];
    await world.publish(topics.recommendationsFallback, [
      fallbackEvent([
        listItem('t9', 50, { publisher: 'tabloid', category: 'sport' }),
        listItem('f1', 40, { publisher: 'weekly', category: 'science' }),
        listItem('f2', 30, { publisher: 'weekly', category: 'science' }),
        listItem('f3', 20, { publisher: 'monthly', category: 'culture' }),
      ]),
    ]);
    await world.publish(topics.recommendationsGenerated, [
      listEvent({
        userId: 'capped',
        modelVersion: 'v1',
        items: [
          listItem('t1', 0.9, { publisher: 'tabloid', category: 'sport' }),
          listItem('t2', 0.8, { publisher: 'tabloid', category: 'sport' }),
          listItem('d1', 0.7, { publisher: 'daily', category: 'politics' }),
          listItem('d2', 0.6, { publisher: 'daily', category: 'politics' }),
          listItem('d3', 0.5, { publisher: 'daily', category: 'science' }),
          listItem('d4', 0.4, { publisher: 'daily', category: 'science' }),
        ],
      }),
      listEvent({
        userId: 'pinned',
        modelVersion: 'v1',
        items: Array.from({ length: 8 }, (_, i) => listItem(`p${i + 1}`, 0.9 - i * 0.1)),
      }),
    ]);
    for (const replica of replicas)
      await waitFor(`${replica.process.url} holding the lists and the fallback`, async () => {
        const [capped, pinned] = [await ids(replica, 'capped'), await ids(replica, 'pinned')];
        return capped.includes('f3') && pinned[7] === 'p8';
      });
  }, 180_000);

  afterAll(() => world?.tearDown(), 60_000);

  it('caps publishers and categories in a response: capped items are skipped, the next move up, the top-up too', async () => {
    for (const replica of replicas) {
      const { body } = await recommend(replica, 'capped', '?limit=5');
      // t2: tabloid's cap of 1; d2: politics' 1; d4: daily's default 2; t9 in the top-up: tabloid's.
      expect(body.items.map((i: Json) => [i.articleId, i.rank, i.origin])).toEqual([
        ['t1', 1, 'list'],
        ['d1', 2, 'list'],
        ['d3', 3, 'list'],
        ['f1', 4, 'top-up'],
        ['f2', 5, 'top-up'],
      ]);
    }
    const served = await waitFor('the capped response on recommendations.served', async () =>
      (await world.readAll(topics.recommendationsServed.name))
        .map((e) => e.payload)
        .find((p) => p.userId === 'capped' && p.items.length === 5),
    );
    expect(served.filtered).toEqual([
      { articleId: 't2', reason: 'editorial-cap', rule: 'publisher:tabloid' },
      { articleId: 'd2', reason: 'editorial-cap', rule: 'category:politics' },
      { articleId: 'd4', reason: 'editorial-cap', rule: 'publisher:daily' },
      { articleId: 't9', reason: 'editorial-cap', rule: 'publisher:tabloid' },
    ]);
  });

  it('takes pins only from editors, and answers 400 naming the field', async () => {
    const valid = { articleId: 'breaking', rank: 1, expiresAt: inAnHour() };
    expect((await pins('POST', '', valid, null)).status).toBe(401);
    expect((await pins('POST', '', valid, 'not-a-known-key-0123456789')).status).toBe(401);
    expect((await pins('GET', '', undefined, null)).status).toBe(401);
    for (const [field, body] of [
      ['rank', { ...valid, rank: 0 }],
      ['rank', { ...valid, rank: 51 }],
      ['region', { ...valid, region: 'mars' }],
      ['expiresAt', { ...valid, expiresAt: new Date(Date.now() - 1_000).toISOString() }],
      ['articleId', { ...valid, articleId: '' }],
      ['colour', { ...valid, colour: 'red' }],
    ] as const) {
      const { status, body: answer } = await pins('POST', '', body);
      expect([field, status]).toEqual([field, 400]);
      expect(JSON.stringify(answer)).toContain(field);
    }
    expect((await pins('DELETE', '/not-a-uuid')).status).toBe(400);
    expect((await pins('DELETE', '/0b7a3c1e-6f51-4a8e-9d3c-2f4b5a6c7d8e')).status).toBe(404);
  });

  it('places a pin at its rank on the replica that took it at once, on the other within the reload interval', async () => {
    const created = await pins('POST', '', {
      articleId: 'breaking',
      rank: 2,
      region: 'africa',
      expiresAt: inAnHour(),
      note: 'election night',
    });
    const tookIt = Date.now();
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      articleId: 'breaking',
      rank: 2,
      region: 'africa',
      createdBy: 'desk',
    });
    expect(await ids(replicas[0], 'pinned', '?region=africa&limit=4')).toEqual([
      'p1',
      'breaking',
      'p2',
      'p3',
    ]);
    const seen = await waitFor(
      'the pin on the other replica',
      async () =>
        (await ids(replicas[1], 'pinned', '?region=africa&limit=4'))[1] === 'breaking' && Date.now(),
      { timeoutMs: reloadMs * 5, intervalMs: 20 },
    );
    process.stdout.write(
      `a pin taken by one replica applied by the other ${seen - tookIt} ms later (reload every ${reloadMs} ms)\n`,
    );
    // Another region's readers, and a request naming none, are not given it.
    expect(await ids(replicas[1], 'pinned', '?region=north-america&limit=4')).toEqual([
      'p1',
      'p2',
      'p3',
      'p4',
    ]);
    expect(await ids(replicas[1], 'pinned', '?limit=4')).toEqual(['p1', 'p2', 'p3', 'p4']);
    const served = (await recommend(replicas[1], 'pinned', '?region=africa&limit=3')).body.items;
    expect(served[1]).toEqual({ articleId: 'breaking', rank: 2, score: 0, origin: 'pinned' });
    expect((await pins('GET')).body).toEqual([created.body]);
  });

  it("moves a pinned article in the reader's list to the pin's rank, and forgets a deleted pin", async () => {
    const created = await pins('POST', '', { articleId: 'p6', rank: 1, expiresAt: inAnHour() });
    expect(created.status).toBe(201);
    expect(await ids(replicas[0], 'pinned', '?limit=4')).toEqual(['p6', 'p1', 'p2', 'p3']);
    const item = (await recommend(replicas[0], 'pinned', '?limit=1')).body.items[0];
    expect(item).toMatchObject({ articleId: 'p6', origin: 'pinned', score: expect.closeTo(0.4, 12) });
    expect(await pins('DELETE', `/${created.body.pinId}`)).toEqual({ status: 204, body: undefined });
    expect((await pins('DELETE', `/${created.body.pinId}`)).status).toBe(404);
    expect((await pins('GET')).body.map((p: Json) => p.pinId)).not.toContain(created.body.pinId);
    expect(await ids(replicas[0], 'pinned', '?limit=4')).toEqual(['p1', 'p2', 'p3', 'p4']);
    await waitFor('the deleted pin gone from the other replica', async () =>
      (await ids(replicas[1], 'pinned', '?limit=1')).includes('p1'),
    );
  });

  it('ignores a pin from its expiry on', async () => {
    // Long enough for the pin to be created and served first on a busy machine.
    const expiresAt = new Date(Date.now() + 10_000).toISOString();
    expect((await pins('POST', '', { articleId: 'short-lived', rank: 1, expiresAt })).status).toBe(201);
    expect(await ids(replicas[0], 'pinned', '?limit=2')).toEqual(['short-lived', 'p1']);
    await waitFor('the pin expired', async () => Date.now() > Date.parse(expiresAt));
    expect(await ids(replicas[0], 'pinned', '?limit=2')).toEqual(['p1', 'p2']);
    expect((await pins('GET')).body.map((p: Json) => p.articleId)).not.toContain('short-lived');
  });

  it('documents pins and explanations in its OpenAPI document', async () => {
    const document = (await (await fetch(`${replicas[0].process.url}/docs/openapi.json`)).json()) as Json;
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/v1/pins', '/v1/pins/{pinId}', '/v1/users/{userId}/recommendations']),
    );
    expect(Object.keys(document.paths['/v1/pins'])).toEqual(expect.arrayContaining(['get', 'post']));
    expect(document.paths['/v1/pins/{pinId}'].delete.security).toEqual([{ 'api-key': [] }]);
    const recommendations = document.paths['/v1/users/{userId}/recommendations'].get;
    expect(recommendations.parameters.map((p: Json) => p.name)).toContain('explain');
    const item = recommendations.responses['200'].content['application/json'].schema.properties.items.items;
    expect(Object.keys(item.properties)).toEqual(
      expect.arrayContaining(['origin', 'attributions', 'baselineScore']),
    );
  });

  it('never serves a flagged pinned article', async () => {
    await pins('POST', '', { articleId: 'doubtful', rank: 1, expiresAt: inAnHour() });
    for (const replica of replicas)
      await waitFor(
        'the pin on each replica',
        async () => (await ids(replica, 'pinned', '?limit=1'))[0] === 'doubtful',
      );
    await world.publish(topics.articlesFlagged, [flagEvent('doubtful')]);
    for (const replica of replicas)
      await waitFor(
        `the flagged pin gone from ${replica.process.url}`,
        async () => (await ids(replica, 'pinned', '?limit=1'))[0] === 'p1',
        { timeoutMs: 10_000, intervalMs: 50 },
      );
    const served = await waitFor('a response passing over the flagged pin', async () =>
      (await world.readAll(topics.recommendationsServed.name))
        .map((e) => e.payload)
        .find((p) => p.userId === 'pinned' && p.filtered.some((f: Json) => f.articleId === 'doubtful')),
    );
    expect(served.filtered).toContainEqual({ articleId: 'doubtful', reason: 'flagged' });
  });
});

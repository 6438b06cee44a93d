import { topics } from '@newsroom/contracts';
import { Json, ServiceHandle, ServiceWorld, serviceWorld, testAdminKey } from '@newsroom/platform/testing';
import { waitFor } from '@newsroom/testing';
import { attributionsFor, fallbackEvent, flagEvent, listEvent, listItem } from './serving-events';

const datasetId = 'ab'.repeat(32);
const baseline = 0.1;

/**
 * `?explain=true`, item origins and the served record's "why shown" fields, on one serving process
 * fed lists, a fallback and a flag through Kafka as batch scoring and ingestion publish them.
 */
describe('serving: explanations and the served trail', () => {
  let world: ServiceWorld;
  let serving: ServiceHandle;
  const recommend = (userId: string, query = '') =>
    serving.get(`/v1/users/${userId}/recommendations${query}`);

  /** e1…e8, scores 0.9 down; e2 placed between runs; each with attributions from the baseline. */
  const explainedItems = (scoreOffset = 0) =>
    Array.from({ length: 8 }, (_, i) => {
      const score = 0.9 - i * 0.05 + scoreOffset;
      return listItem(
        `e${i + 1}`,
        score,
        {},
        { origin: i === 1 ? 'fresh' : 'model', attributions: attributionsFor(score, baseline) },
      );
    });

  beforeAll(async () => {
    world = await serviceWorld();
    serving = await world.start('serving', {
      SERVING_AUDIT_FLUSH_MS: '50',
      // Plain lists open (no reader keys); explained ones need a key, here the tests' admin key.
      SERVING_ADMIN_API_KEYS: `tests:${testAdminKey}`,
    });
    await world.publish(topics.articlesFlagged, [flagEvent('e4'), flagEvent('s1')]);
    await world.publish(topics.recommendationsFallback, [
      fallbackEvent([listItem('f1', 40), listItem('e1', 30), listItem('f2', 20), listItem('f3', 10)]),
    ]);
    await world.publish(topics.recommendationsGenerated, [
      listEvent({
        userId: 'explained',
        modelVersion: 'v1',
        items: explainedItems(),
        datasetId,
        featureSchemaVersion: 1,
        attributionBaseline: baseline,
      }),
      // A list scored before attributions and lineage were published.
      listEvent({ userId: 'legacy', modelVersion: 'v0', items: [{ articleId: 'l1', score: 0.5 }] }),
      listEvent({
        userId: 'short',
        modelVersion: 'v1',
        items: [
          listItem('s1', 0.8),
          listItem('e1', 0.7, {}, { attributions: attributionsFor(0.7, baseline) }),
        ],
        datasetId,
        featureSchemaVersion: 1,
        attributionBaseline: baseline,
      }),
    ]);
    await waitFor('the lists, the fallback and the flags in serving', async () => {
      const [explained, short] = [await recommend('explained'), await recommend('short', '?limit=4')];
      return (
        explained.body.source === 'personalized' &&
        !explained.body.items.some((i: Json) => i.articleId === 'e4') &&
        short.body.items.length === 4
      );
    });
  }, 120_000);

  afterAll(() => world?.tearDown(), 60_000);

  it("answers each item's origin, and explains model-ranked items on request: values add up to score − baseline", async () => {
    const plain = (await recommend('explained', '?limit=4')).body;
    expect(plain.items.map((i: Json) => [i.articleId, i.origin])).toEqual([
      ['e1', 'list'],
      ['e2', 'fresh'],
      ['e3', 'list'],
      ['e5', 'list'],
    ]);
    expect(plain.items.some((i: Json) => 'attributions' in i || 'baselineScore' in i)).toBe(false);

    const { status, body } = await recommend('explained', '?limit=4&explain=true');
    expect(status).toBe(200);
    // Explanations name what the reader read: a key even where plain lists are open.
    const path = '/v1/users/explained/recommendations?limit=4';
    expect((await serving.get(`${path}&explain=true`, {})).status).toBe(401);
    expect((await serving.get(path, {})).status).toBe(200);
    expect(body.items.map((i: Json) => i.articleId)).toEqual(['e1', 'e2', 'e3', 'e5']);
    for (const item of body.items) {
      expect(item.baselineScore).toBe(baseline);
      expect(item.attributions).toEqual(attributionsFor(item.score, baseline));
      const sum = Object.values(item.attributions as Record<string, number>).reduce((a, b) => a + b, 0);
      expect(Math.abs(sum - (item.score - item.baselineScore))).toBeLessThan(1e-9);
    }
  });

  it('explains nothing it has no attributions for: a list scored before them, fallback items', async () => {
    const legacy = (await recommend('legacy', '?explain=true&limit=1')).body;
    expect(legacy.items).toEqual([{ articleId: 'l1', rank: 1, score: 0.5, origin: 'list' }]);

    const short = (await recommend('short', '?limit=4&explain=true')).body;
    expect(short.items.map((i: Json) => [i.articleId, i.origin, 'attributions' in i])).toEqual([
      ['e1', 'list', true],
      ['f1', 'top-up', false],
      ['f2', 'top-up', false],
      ['f3', 'top-up', false],
    ]);
    const stranger = (await recommend('stranger', '?explain=true')).body;
    expect(stranger.source).toBe('fallback');
    expect(stranger.items.every((i: Json) => i.origin === 'fallback' && !('attributions' in i))).toBe(true);
  });

  it("explains the reader's current list once a new revision arrives", async () => {
    await world.publish(topics.recommendationsGenerated, [
      listEvent({
        userId: 'explained',
        modelVersion: 'v2',
        revision: 2,
        items: explainedItems(-0.01),
        datasetId,
        featureSchemaVersion: 1,
        attributionBaseline: baseline,
      }),
    ]);
    const body = await waitFor('revision 2 served', async () => {
      const answer = (await recommend('explained', '?explain=true&limit=2')).body;
      return answer.modelVersion === 'v2' ? answer : undefined;
    });
    for (const item of body.items) expect(item.attributions).toEqual(attributionsFor(item.score, baseline));
    expect(body.items[0].score).toBeCloseTo(0.89, 12);
  });

  it('answers 400 naming explain when it is neither true nor false', async () => {
    const { status, body } = await recommend('explained', '?explain=yes');
    expect(status).toBe(400);
    expect(JSON.stringify(body)).toContain('explain');
  });

  it("records each response's why-shown fields on recommendations.served, without the explanations", async () => {
    await recommend('short', '?limit=4&explain=true');
    const before = Date.now();
    await recommend('explained', '?limit=3');
    const served = await waitFor('the served records', async () => {
      const events = (await world.readAll(topics.recommendationsServed.name)).map((e) => e.payload);
      const short = events.filter((p) => p.userId === 'short' && p.items.length === 4).at(-1);
      const explained = events.filter((p) => p.userId === 'explained' && p.items.length === 3).at(-1);
      return short && explained && Date.parse(explained.servedAt) >= before - 1_000
        ? { short, explained }
        : undefined;
    });
    expect(served.explained).toMatchObject({
      requestId: expect.any(String),
      source: 'personalized',
      modelVersion: 'v2',
      generatedAt: expect.any(String),
      datasetId,
      featureSchemaVersion: 1,
      items: [
        { articleId: 'e1', rank: 1, origin: 'list' },
        { articleId: 'e2', rank: 2, origin: 'fresh' },
        { articleId: 'e3', rank: 3, origin: 'list' },
      ],
      filtered: [],
    });
    expect(Date.parse(served.explained.servedAt)).toBeGreaterThanOrEqual(before - 1_000);
    // Only the items looked at while filling the response: e4 (flagged) comes after e3.
    expect(served.short.filtered).toEqual([
      { articleId: 's1', reason: 'flagged' },
      { articleId: 'e1', reason: 'duplicate' },
    ]);
    expect(served.short.items.map((i: Json) => i.origin)).toEqual(['list', 'top-up', 'top-up', 'top-up']);
    expect(served.short.items.some((i: Json) => 'attributions' in i)).toBe(false);
  });
});

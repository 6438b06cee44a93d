import { newEvent, topics } from '@newsroom/contracts';
import { Json, ServiceHandle, ServiceWorld, serviceWorld } from '@newsroom/platform/testing';
import { waitFor } from '@newsroom/testing';

const HOUR_MS = 3_600_000;

/**
 * Online model quality from ground truth (real Kafka, PostgreSQL and monitoring process; the test
 * plays serving and ingestion): served lists joined with the reads that follow them within the
 * horizon give exactly the hit rate, MRR and dwell the test computes from what it sent, per version,
 * source and region; a version that does not beat the fallback raises a model alert.
 */
describe('monitoring: model quality online', () => {
  let world: ServiceWorld;
  let monitoring: ServiceHandle;
  const servedAt = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 40 * HOUR_MS;
  const regions = ['africa', 'latin-america'];

  type List = { requestId: string; userId: string; version: string | null; region: string; items: string[] };
  type Read = { userId: string; articleId: string; at: number; dwell: number };
  const lists: List[] = [];
  const reads: Read[] = [];
  const list = (kind: string, i: number, version: string | null): List => ({
    requestId: `${kind}-${i}`,
    userId: `${kind}-reader-${i}`,
    version,
    region: regions[i % 2],
    items: Array.from({ length: 10 }, (_, k) => `${kind}-article-${(i + k) % 50}`),
  });
  // v1: 300 lists, every other reader reads rank (i % 5) + 1 an hour later, every tenth also rank 10.
  for (let i = 0; i < 300; i++) {
    const l = list('v1', i, 'v1');
    lists.push(l);
    if (i % 2 === 0)
      reads.push({ userId: l.userId, articleId: l.items[i % 5], at: servedAt + HOUR_MS, dwell: 60 });
    if (i % 10 === 0)
      reads.push({ userId: l.userId, articleId: l.items[9], at: servedAt + 2 * HOUR_MS, dwell: 30 });
    // Read before it was served, after the horizon, or not in the list: none of them counts.
    if (i % 3 === 0) {
      reads.push({ userId: l.userId, articleId: l.items[0], at: servedAt - HOUR_MS, dwell: 10 });
      reads.push({ userId: l.userId, articleId: l.items[1], at: servedAt + 25 * HOUR_MS, dwell: 10 });
      reads.push({ userId: l.userId, articleId: 'elsewhere', at: servedAt + HOUR_MS, dwell: 10 });
    }
  }
  // The fallback: 200 lists, a fifth read at rank 1. v2: 200 lists, never read.
  for (let i = 0; i < 200; i++) {
    const l = list('fallback', i, null);
    lists.push(l);
    if (i % 5 === 0)
      reads.push({ userId: l.userId, articleId: l.items[0], at: servedAt + HOUR_MS, dwell: 90 });
    lists.push(list('v2', i, 'v2'));
  }
  // A later read moves the reads' watermark past the horizon of every list above.
  reads.push({ userId: 'someone', articleId: 'x', at: servedAt + 27 * HOUR_MS, dwell: 5 });
  // Published in the order they happened, as producers do: each partition's latest read then
  // says how far that partition is complete (the watermark).
  reads.sort((a, b) => a.at - b.at);

  /** What the join must find, computed from what was sent. */
  function expected(version: string | null, region?: string) {
    const group = lists.filter((l) => l.version === version && (!region || l.region === region));
    let hits = 0;
    let reciprocal = 0;
    let dwell = 0;
    for (const l of group) {
      const counted = reads.filter(
        (r) =>
          r.userId === l.userId &&
          r.at >= servedAt &&
          r.at < servedAt + 24 * HOUR_MS &&
          l.items.includes(r.articleId),
      );
      if (counted.length > 0) {
        hits++;
        reciprocal += 1 / (Math.min(...counted.map((r) => l.items.indexOf(r.articleId))) + 1);
      }
      dwell += counted.reduce((sum, r) => sum + r.dwell, 0);
    }
    return {
      lists: group.length,
      hitRateAt10: hits / group.length,
      mrr: reciprocal / group.length,
      dwell: dwell / group.length,
    };
  }

  beforeAll(async () => {
    world = await serviceWorld();
    monitoring = await world.start('monitoring', {
      MONITORING_CHECK_INTERVAL_MS: '1000',
      MONITORING_QUALITY_MIN_LISTS: '100',
      MONITORING_ALERT_CLEAR_CHECKS: '2',
    });
  }, 120_000);

  afterAll(() => world?.tearDown(), 60_000);

  it('joins served lists with later reads into hit rate, MRR and dwell per version, source and region', async () => {
    await world.publish(
      topics.recommendationsServed,
      lists.map((l) => ({
        key: l.userId,
        value: newEvent(
          topics.recommendationsServed.name,
          {
            requestId: l.requestId,
            userId: l.userId,
            modelVersion: l.version,
            source: l.version ? ('personalized' as const) : ('fallback' as const),
            region: l.region,
            items: l.items.map((articleId, k) => ({ articleId, rank: k + 1, score: 1 - k / 10 })),
          },
          'tests',
          { occurredAt: new Date(servedAt).toISOString() },
        ),
      })),
    );
    await waitFor('every list stored', async () => {
      const [{ n }] = await world.query(monitoring, 'SELECT count(*)::int AS n FROM $schema.served_lists');
      return n === lists.length;
    });
    const at = (ms: number) => new Date(ms).toISOString();
    await world.publish(
      topics.interactionsIngested,
      reads.map((r, i) => ({
        key: r.userId,
        value: newEvent(
          topics.interactionsIngested.name,
          {
            eventId: `read-${i}`,
            userId: r.userId,
            articleId: r.articleId,
            type: 'read' as const,
            dwellSeconds: r.dwell,
            occurredAt: at(r.at),
            ingestedAt: at(r.at + 1_000),
          },
          'tests',
        ),
      })),
    );
    const report = await waitFor(
      'the report over the lists',
      async () => {
        const response = await monitoring.get('/v1/model-quality');
        return response.status === 200 && response.body.groups.length > 0 ? response.body : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(Date.parse(report.window.from)).toBeLessThanOrEqual(servedAt);
    expect(Date.parse(report.window.to)).toBeGreaterThan(servedAt);
    const group = (version: string | null, region: string | null) =>
      report.groups.find((g: Json) => g.modelVersion === version && g.region === region);
    for (const version of ['v1', 'v2', null]) {
      for (const region of [undefined, ...regions]) {
        const want = expected(version, region);
        const got = group(version, region ?? null);
        expect(got).toMatchObject({ source: version ? 'personalized' : 'fallback', lists: want.lists });
        expect(got.hitRateAt10).toBeCloseTo(want.hitRateAt10, 4);
        expect(got.mrr).toBeCloseTo(want.mrr, 4);
        expect(got.dwellSecondsPerList).toBeCloseTo(want.dwell, 4);
      }
    }
    // The figures the test expects are not trivial: v1 beats the fallback, v2 does not.
    expect(expected('v1').hitRateAt10).toBe(0.5);
    expect(expected(null).hitRateAt10).toBe(0.2);
    const v1 = report.versions.find((v: Json) => v.modelVersion === 'v1');
    expect(v1).toMatchObject({
      liftOverFallback: 2.5,
      baseline: { hitRateAt10: 0.5, lists: 300 },
      hitRateChange: 0,
    });
  }, 120_000);

  it('raises a model alert for the version that does not beat the fallback, and for it only', async () => {
    const alerts = await waitFor('the model alert', async () => {
      const items = (await monitoring.get('/v1/alerts?type=model')).body.items;
      return items.length > 0 ? items : undefined;
    });
    expect(alerts).toEqual([
      expect.objectContaining({
        dedupKey: 'model:fallback:v2',
        state: 'firing',
        severity: 'critical',
        subject: 'v2',
      }),
    ]);
    expect(alerts[0].message).toMatch(/^v2 does not beat the fallback online: hit rate@10 0 against 0.2/);
  }, 60_000);
});

import { newEvent, topics } from '@newsroom/contracts';
import { DAY_MS, Rng, World, WorldEvent, simulate, startEndingNow, worldConfig } from '@newsroom/datagen';
import { Json, ServiceHandle, ServiceWorld, serviceWorld } from '@newsroom/platform/testing';
import { waitFor } from '@newsroom/testing';

const HOUR_MS = 3_600_000;
const HORIZON_MS = 24 * HOUR_MS;
/** Other realisations of the world (behaviour seeds) the truth's expectation is estimated from. */
const REALISATIONS = 8;
/** Measured and expected may differ by this many standard deviations of a realisation's figure. */
const TOLERANCE_SDS = 4;

type Served = { requestId: string; userId: string; version: 'oracle' | 'random'; items: string[] };

/**
 * Online quality against the world's truth (real Kafka, PostgreSQL and monitoring process; the
 * test plays serving and ingestion): every reader of a synthetic world is served, at the start of
 * its second day, the oracle's top 10 of that day's articles (by the world's true expected dwell)
 * and 10 articles at random. Monitoring joins them with the day's reads; its hit rate@10 and dwell
 * per list must be what the world predicts — their mean over other realisations of the same readers
 * and articles (other behaviour seeds) — within four standard deviations of a realisation's figure,
 * and the oracle must beat chance as the truth says it does.
 */
describe('monitoring: online quality against the world’s truth', () => {
  let world: ServiceWorld;
  let monitoring: ServiceHandle;
  // Two days that ended a day ago: the horizon of lists served on the second has passed by now.
  const sim = new World(worldConfig('small', { days: 2, readers: 400, start: startEndingNow(3) }));
  const servedAt = sim.startMs + DAY_MS;
  const { first, end } = sim.articleRange(1);
  const candidates = Array.from({ length: end - first }, (_, k) => sim.articleId(first + k));
  const rng = new Rng(7, 'served-lists');
  const lists: Served[] = Array.from({ length: sim.readerCount }, (_, u) => sim.readerId(u)).flatMap(
    (userId) => [
      {
        requestId: `oracle-${userId}`,
        userId,
        version: 'oracle',
        items: sim.oracleRanking(userId, candidates, 1).slice(0, 10),
      },
      {
        requestId: `random-${userId}`,
        userId,
        version: 'random',
        items: rng.shuffle([...candidates]).slice(0, 10),
      },
    ],
  );

  /** Each version's hit rate@10 and dwell captured per list, over the reads of one realisation. */
  function quality(events: Iterable<WorldEvent>) {
    const readsOf = new Map<string, { articleId: string; dwell: number }[]>();
    for (const e of events) {
      if (e.kind !== 'interaction' || e.value.type !== 'read') continue;
      const at = Date.parse(e.value.occurredAt);
      if (at < servedAt || at >= servedAt + HORIZON_MS) continue;
      readsOf.set(e.value.userId, [
        ...(readsOf.get(e.value.userId) ?? []),
        { articleId: e.value.articleId, dwell: e.value.dwellSeconds ?? 0 },
      ]);
    }
    const byVersion = (version: Served['version']) => {
      const served = lists.filter((l) => l.version === version);
      let hits = 0;
      let dwell = 0;
      for (const l of served) {
        const read = (readsOf.get(l.userId) ?? []).filter((r) => l.items.includes(r.articleId));
        if (read.length > 0) hits++;
        dwell += read.reduce((sum, r) => sum + r.dwell, 0);
      }
      return { hitRateAt10: hits / served.length, dwellSecondsPerList: dwell / served.length };
    };
    return { oracle: byVersion('oracle'), random: byVersion('random') };
  }

  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = (xs: number[]) => Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));

  beforeAll(async () => {
    world = await serviceWorld(1);
    monitoring = await world.start('monitoring', {
      MONITORING_CHECK_INTERVAL_MS: '1000',
      MONITORING_QUALITY_MIN_LISTS: '100',
      MONITORING_QUALITY_WINDOW_HOURS: '48',
    });
  }, 120_000);

  afterAll(() => world?.tearDown(), 60_000);

  it('measures the hit rate and dwell the world predicts, per version', async () => {
    const realisations = Array.from({ length: REALISATIONS }, (_, k) =>
      quality(simulate(sim, { behaviourSeed: 1_000 + k })),
    );
    const truth = (version: 'oracle' | 'random', metric: 'hitRateAt10' | 'dwellSecondsPerList') => {
      const xs = realisations.map((r) => r[version][metric]);
      return { mean: mean(xs), sd: sd(xs) };
    };

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
            source: 'personalized' as const,
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
    // The world as it happened (its own seed), from the moment the lists were served; then a read
    // of today, which takes the reads' watermark past the lists' horizon.
    const happened = [...simulate(sim)].filter(
      (e): e is Extract<WorldEvent, { kind: 'interaction' }> =>
        e.kind === 'interaction' && e.value.type === 'read' && Date.parse(e.value.occurredAt) >= servedAt,
    );
    const now = new Date(Date.now() - HOUR_MS).toISOString();
    const reads = [
      ...happened.map((e) => e.value),
      {
        eventId: 'today',
        userId: 'someone',
        articleId: 'x',
        type: 'read' as const,
        dwellSeconds: 5,
        occurredAt: now,
      },
    ];
    await world.publish(
      topics.interactionsIngested,
      reads.map((r) => ({
        key: r.userId,
        value: newEvent(
          topics.interactionsIngested.name,
          { ...r, ingestedAt: new Date(Date.parse(r.occurredAt) + 1_000).toISOString() },
          'tests',
        ),
      })),
    );

    const report = await waitFor(
      'the report over the lists',
      async () => {
        const response = await monitoring.get('/v1/model-quality');
        return response.status === 200 && response.body.groups.length >= 2 ? response.body : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    const measured = (version: string) =>
      report.groups.find((g: Json) => g.modelVersion === version && g.region === null);
    const figures: string[] = [];
    for (const version of ['oracle', 'random'] as const) {
      const got = measured(version);
      expect(got.lists).toBe(sim.readerCount);
      for (const metric of ['hitRateAt10', 'dwellSecondsPerList'] as const) {
        const want = truth(version, metric);
        figures.push(
          `${version} ${metric} ${got[metric].toFixed(4)} (truth ${want.mean.toFixed(4)} ± ${want.sd.toFixed(4)})`,
        );
        expect(Math.abs(got[metric] - want.mean)).toBeLessThanOrEqual(TOLERANCE_SDS * want.sd);
      }
    }
    process.stdout.write(`online quality against the truth: ${figures.join('; ')}\n`);
    // Not trivial: the truth tells the oracle from chance, and so does what was measured.
    const oracle = truth('oracle', 'hitRateAt10');
    const random = truth('random', 'hitRateAt10');
    expect(oracle.mean - random.mean).toBeGreaterThan(TOLERANCE_SDS * (oracle.sd + random.sd));
    expect(measured('oracle').hitRateAt10).toBeGreaterThan(measured('random').hitRateAt10);
  }, 180_000);
});

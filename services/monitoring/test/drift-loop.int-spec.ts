import {
  World,
  WorldEvent,
  publishEvents,
  readsOnly,
  simulate,
  startEndingNow,
  worldConfig,
} from '@newsroom/datagen';
import { ServingResponse, newEvent, topics } from '@newsroom/contracts';
import { Json, ServiceHandle, ServiceWorld, serviceWorld, testAdminKey } from '@newsroom/platform/testing';
import { waitFor } from '@newsroom/testing';

const DAY_MS = 86_400_000;

/**
 * The loop closed, every service a real process on real Kafka and PostgreSQL: a champion trained
 * before a breaking story (a topic the world never had, datagen's drift from day 3) meets the
 * story's days; monitoring raises a drift alert, training retrains on it by itself, evaluation
 * judges the new model against the champion on the story's held-out day and the registry promotes
 * it. Day 5, the story's third, is held back: each champion's lists for every reader — over the
 * same candidates, what there was at its start (days 3 and 4's articles, the last 48 hours'), with
 * what readers read up to then — as serving answers them, are served at its start (the test
 * replays serving's record with that time: monitoring only judges lists whose horizon has passed
 * by the reads, and believes no read dated ahead of its clock). Then day 5 arrives; monitoring
 * joins each version's lists with its reads: both must be read far more often than lists drawn at
 * random, and the test reports which is read more.
 */
describe('monitoring: drift closes the loop', () => {
  let world: ServiceWorld;
  let featureStore: ServiceHandle;
  let training: ServiceHandle;
  let registry: ServiceHandle;
  let evaluation: ServiceHandle;
  let monitoring: ServiceHandle;
  let scoring: ServiceHandle;
  let serving: ServiceHandle;
  const adminKeys = `tests:${testAdminKey}`;
  const ml = { ML_BACKENDS: 'wasm,cpu' };
  // Days 0-2 as usual, a breaking story from day 3 on; day 5 ends now. The story takes half of
  // the readers' interest: the other half keeps lists personal. 250 new articles a day, so that a
  // list of 10 among two days' articles is read often enough for hit rates to tell two models
  // apart (the drift verdict rests on the features of reads; those of new articles need 1,000).
  const sim = new World(
    worldConfig('small', {
      days: 6,
      readers: 1_500,
      articlesPerDay: 250,
      interestDriftFromDay: 3,
      breakingTopic: 'pandemic',
      driftStrength: 0.5,
      start: startEndingNow(6),
    }),
  );
  const dayStart = (d: number) => new Date(sim.startMs + d * DAY_MS).toISOString();
  const events = [...readsOnly(simulate(sim))];
  const ofDays = (from: number, to: number) => events.filter((e) => e.day >= from && e.day <= to);
  const readsIn = (list: WorldEvent[]) => list.filter((e) => e.kind === 'interaction').length;
  let published = 0;

  /** Publishes events through ingestion and waits until the feature store has every read of them. */
  async function publishThrough(what: string, list: WorldEvent[]): Promise<void> {
    await publishEvents(world.publisher, list);
    published += readsIn(list);
    await waitFor(
      `${what} in the feature store`,
      async () =>
        (await world.query(featureStore, 'SELECT count(*)::int AS n FROM $schema.interaction_log'))[0].n ===
        published,
      { timeoutMs: 180_000, intervalMs: 500 },
    );
  }
  const runDone = (runId: string) =>
    waitFor(
      `run ${runId} finished`,
      async () => {
        const { body } = await training.get(`/v1/training-runs/${runId}`);
        return body.status === 'succeeded' || body.status === 'failed' ? body : undefined;
      },
      { timeoutMs: 300_000, intervalMs: 500 },
    );
  const publishDays = (from: number, to: number) => publishThrough(`days ${from}-${to}`, ofDays(from, to));
  const champion = () =>
    waitFor('a champion', async () => (await registry.get('/v1/models?stage=champion')).body[0]);
  /** Every reader of days 0-4, by id. */
  const readers = [
    ...new Set(ofDays(0, 4).flatMap((e) => (e.kind === 'interaction' ? [e.value.userId] : []))),
  ].sort();

  /** Waits until the version's lists are in serving, then asks serving for every reader's list. */
  async function serveEveryReader(modelVersion: string): Promise<ServingResponse[]> {
    await waitFor(
      `${modelVersion} scored`,
      async () =>
        (await world.readAll(topics.scoringCompleted.name)).some(
          (e) => e.payload.modelVersion === modelVersion,
        ),
      { timeoutMs: 180_000, intervalMs: 500 },
    );
    // Serving takes a run's lists as they stream in after scoring.completed: ask again until every
    // reader gets this version's list — not the previous champion's, nor the fallback while theirs
    // is on its way (with attributions, a list is ~2.3 times the bytes, and the first champion's
    // were sampled with 80-205 readers still on the fallback).
    return waitFor(
      `every list from ${modelVersion}`,
      async () => {
        const served: ServingResponse[] = [];
        for (let i = 0; i < readers.length; i += 10) {
          const bodies = await Promise.all(
            readers
              .slice(i, i + 10)
              .map(async (id) =>
                ServingResponse.parse((await serving.get(`/v1/users/${id}/recommendations`)).body),
              ),
          );
          served.push(...bodies);
        }
        return served.every((l) => l.source === 'personalized' && l.modelVersion === modelVersion)
          ? served
          : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 1_000 },
    );
  }

  /** Each reader's reads of days `from`-`to` dated before `before`, by reader. */
  function readsBy(from: number, to: number, before = Infinity): Map<string, Set<string>> {
    const reads = new Map<string, Set<string>>();
    for (const e of ofDays(from, to)) {
      if (e.kind !== 'interaction' || Date.parse(e.value.occurredAt) >= before) continue;
      reads.set(e.value.userId, (reads.get(e.value.userId) ?? new Set<string>()).add(e.value.articleId));
    }
    return reads;
  }
  /** Day 5's reads within monitoring's horizon (its first 12 hours), by reader. */
  const judgedReads = () => readsBy(5, 5, Date.parse(dayStart(5)) + 12 * 3_600_000);

  /** The share of lists with an item read within the horizon: the hit rate@10 monitoring reports. */
  function hitRate(served: readonly ServingResponse[]): number {
    const reads = judgedReads();
    return (
      served.filter((l) => l.items.some((i) => reads.get(l.userId)?.has(i.articleId))).length / served.length
    );
  }

  /**
   * The hit rate@10 of lists drawn at random from each reader's candidates — the articles of the
   * 48 hours before day 5 (batch scoring's pool) they had not read by then: 1 − C(N − R, 10) /
   * C(N, 10) for N candidates of which R are read within the horizon, averaged over the readers.
   */
  function chanceHitRate(userIds: readonly string[]): number {
    const articles = ofDays(0, 4).flatMap((e) => (e.kind === 'article' ? [e.value] : []));
    const newest = Math.max(...articles.map((a) => Date.parse(a.publishedAt)));
    const candidates = [
      ...new Set(
        articles.filter((a) => Date.parse(a.publishedAt) > newest - 2 * DAY_MS).map((a) => a.articleId),
      ),
    ];
    const [before, judged] = [readsBy(0, 4), judgedReads()];
    let sum = 0;
    for (const userId of userIds) {
      const unread = candidates.filter((id) => !before.get(userId)?.has(id));
      const n = unread.length;
      const read = unread.filter((id) => judged.get(userId)?.has(id)).length;
      let none = 1;
      for (let i = 0; i < read; i++) none *= Math.max(0, n - 10 - i) / (n - i);
      sum += 1 - none;
    }
    return sum / userIds.length;
  }

  /** How many lists of each source and version. */
  function tally(served: ServingResponse[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const { source, modelVersion } of served) {
      const by = `${source} ${modelVersion ?? ''}`.trim();
      counts[by] = (counts[by] ?? 0) + 1;
    }
    return counts;
  }

  /** Serving's record of the version's lists, as if they had been served at the start of day 5. */
  const servedAtDay5 = (served: ServingResponse[], modelVersion: string) =>
    served
      .filter((l) => l.modelVersion === modelVersion)
      .map((l) => ({
        key: l.userId,
        value: newEvent(
          topics.recommendationsServed.name,
          {
            requestId: `${modelVersion}-${l.userId}`,
            userId: l.userId,
            modelVersion,
            source: 'personalized' as const,
            items: l.items.map(({ articleId, rank, score }) => ({ articleId, rank, score })),
          },
          'tests',
          { occurredAt: dayStart(5) },
        ),
      }));

  beforeAll(async () => {
    world = await serviceWorld();
    [, featureStore, training, evaluation, registry, monitoring, scoring, serving] = await Promise.all([
      world.start('ingestion'),
      world.start('feature-store', {
        FEATURES_ADMIN_API_KEYS: adminKeys,
        FEATURES_PUBLISH_INTERVAL_MS: '100',
        // Datasets end now and day 5 is held back until both champions have served: the last 48
        // hours hold out day 4, as the last 24 would once day 5 is in.
        DATASET_VALIDATION_HOURS: '48',
      }),
      world.start('training', {
        ...ml,
        TRAINING_ADMIN_API_KEYS: adminKeys,
        TRAINING_EPOCHS: '3',
        TRAINING_BATCH_SIZE: '256',
        TRAINING_LEARNING_RATE: '0.01',
        TRAINING_POLL_INTERVAL_MS: '200',
      }),
      world.start('evaluation', ml),
      world.start('registry', { REGISTRY_ADMIN_API_KEYS: adminKeys }),
      world.start('monitoring', {
        MONITORING_CHECK_INTERVAL_MS: '1000',
        // Lists served at the start of day 5 are judged on its first 12 hours of reads.
        MONITORING_QUALITY_HORIZON_HOURS: '12',
      }),
      world.start('batch-scoring', {
        ...ml,
        SCORING_SHARDS: '4',
        SCORING_WORKERS: '1',
        SCORING_REFRESH_INTERVAL_MS: '500',
      }),
      world.start('serving'),
    ]);
  }, 180_000);

  afterAll(() => world?.tearDown(), 60_000);

  let first: Json;
  let alert: Json;
  let servedByFirst: ServingResponse[];

  it('a champion trained before the story, then the shifted days: a drift alert once it is the champion', async () => {
    await publishDays(0, 2);
    // The champion's dataset: days 0-2, day 2 held out (snapshotted before the story's days arrive).
    const dataset = await featureStore.post('/v1/datasets', {
      windowStart: dayStart(0),
      windowEnd: dayStart(3),
      validationHours: 24,
    });
    expect(dataset.status).toBe(201);
    await publishDays(3, 4);
    // Days 3 and 4's articles, the candidates of both champions' lists, in batch scoring.
    const recent = new Set(ofDays(3, 4).flatMap((e) => (e.kind === 'article' ? [e.key] : []))).size;
    await waitFor(
      "days 3 and 4's articles in batch scoring",
      async () =>
        (
          await world.query(
            scoring,
            'SELECT count(*)::int AS n FROM $schema.articles WHERE published_at >= $1',
            [dayStart(3)],
          )
        )[0].n === recent,
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    const posted = await training.post('/v1/training-runs', {
      datasetId: dataset.body.datasetId,
      reason: 'before the story',
    });
    first = await runDone(posted.body.runId);
    expect(first.status).toBe('succeeded');
    // The test is about what follows: a first model the gate's baseline margin refuses is made
    // the champion by hand (an operator's promotion), as the registry allows.
    const judged = await waitFor(
      'the first model judged',
      async () => {
        const { body } = await registry.get(`/v1/models/${first.modelVersion}`);
        return body.stage && body.stage !== 'candidate' ? body : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    if (judged.stage !== 'champion') {
      const promotion = await registry.post(`/v1/models/${first.modelVersion}/promote`, {
        reason: 'the test',
      });
      expect(promotion.status).toBe(200);
    }
    const promoted = await champion();
    expect(promoted.modelVersion).toBe(first.modelVersion);
    const promotedAt = Date.parse(promoted.promotions.at(-1).at);
    // The old champion serves everyone the story's next day, before the retrained one takes over.
    servedByFirst = await serveEveryReader(first.modelVersion);

    alert = await waitFor(
      'the drift alert',
      async () => (await monitoring.get('/v1/alerts?type=drift')).body.items[0],
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    const detectedAfterMs = Date.parse(alert.firstSeenAt) - promotedAt;
    process.stdout.write(
      `drift alert ${(detectedAfterMs / 1000).toFixed(1)} s after the champion's promotion\n`,
    );
    expect(alert).toMatchObject({
      type: 'drift',
      state: 'firing',
      subject: first.modelVersion,
      dedupKey: `drift:${first.modelVersion}`,
    });
    // The report behind it: the champion's training days against the story's days.
    const report = (await monitoring.get('/v1/drift')).body;
    expect(report).toMatchObject({ modelVersion: first.modelVersion, drifted: true });
    expect(report.reference).toEqual({ from: dayStart(0), to: dayStart(2) });
    expect(Date.parse(report.current.from)).toBeGreaterThanOrEqual(Date.parse(dayStart(3)));
    const drifted = report.features.filter((f: Json) => f.verdict === 'drifted').map((f: Json) => f.name);
    process.stdout.write(
      `drifted: ${report.features.map((f: Json) => `${f.name} ${f.value}${f.verdict === 'drifted' ? ' *' : ''}`).join(', ')}\n`,
    );
    expect(drifted).toEqual(expect.arrayContaining(['category mix of reads', 'dwell seconds']));
    expect(report.driftedShare).toBeGreaterThanOrEqual(0.5);
  }, 600_000);

  let second: Json;

  it("the alert starts a retraining run by itself, on the story's days, judged against the champion", async () => {
    const run = await waitFor(
      'the drift-triggered run',
      async () =>
        ((await training.get('/v1/training-runs')).body as Json[]).find((r) => r.trigger === 'drift'),
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(run.reason).toBe(alert.message);
    second = await runDone(run.runId);
    expect(second).toMatchObject({ status: 'succeeded', parentVersion: first.modelVersion });
    const manifest = (await featureStore.get(`/v1/datasets/${second.datasetId}`)).body;
    // Its window ends now: trained on every day up to the story's first, held out on its second.
    expect(Date.parse(manifest.window.start)).toBeLessThanOrEqual(Date.parse(dayStart(0)));
    expect(Date.parse(manifest.validationFrom)).toBeGreaterThanOrEqual(Date.parse(dayStart(4)));
    expect(Date.parse(manifest.validationFrom)).toBeLessThan(Date.parse(dayStart(4)) + 3_600_000);
    const decided = await waitFor(
      'the retrained model judged',
      async () => {
        const { body } = await registry.get(`/v1/models/${second.modelVersion}`);
        return body.stage && body.stage !== 'candidate' ? body : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    const judged = (await evaluation.get(`/v1/evaluations/${second.modelVersion}`)).body;
    process.stdout.write(`${second.modelVersion} ${decided.stage}: ${judged.reasons.join('; ')}\n`);
    // Judged on the story's second day against the champion trained before the story, which has
    // never seen its topic: the retrained model wins and the registry makes it the champion.
    expect(judged.championVersion).toBe(first.modelVersion);
    expect(judged.reasons).toEqual(
      expect.arrayContaining([expect.stringMatching(/^pass: NDCG@10 .* vs champion /)]),
    );
    expect(judged.passed).toBe(true);
    expect(decided.stage).toBe('champion');
    expect((await champion()).modelVersion).toBe(second.modelVersion);
  }, 600_000);

  it("both champions' lists are judged online on the story's next day, each by its own readers' reads, and are read far more often than chance", async () => {
    const servedBySecond = await serveEveryReader(second.modelVersion);
    const [byFirst, bySecond] = [tally(servedByFirst), tally(servedBySecond)];
    process.stdout.write(`served: ${JSON.stringify(byFirst)} then ${JSON.stringify(bySecond)}\n`);
    // Every reader got the champion of the moment.
    for (const [counts, version] of [
      [byFirst, first.modelVersion],
      [bySecond, second.modelVersion],
    ]) {
      expect(Object.keys(counts).filter((k) => k.startsWith('personalized'))).toEqual([
        `personalized ${version}`,
      ]);
    }
    await world.publish(topics.recommendationsServed, [
      ...servedAtDay5(servedByFirst, first.modelVersion),
      ...servedAtDay5(servedBySecond, second.modelVersion),
    ]);
    // Monitoring matches a read with the lists it has stored when the read comes: the lists first.
    const requestIds = [
      ...servedByFirst.map((l) => `${first.modelVersion}-${l.userId}`),
      ...servedBySecond.map((l) => `${second.modelVersion}-${l.userId}`),
    ];
    await waitFor(
      "both versions' lists stored by monitoring",
      async () =>
        (
          await world.query(
            monitoring,
            'SELECT count(*)::int AS n FROM $schema.served_lists WHERE request_id = ANY($1::text[])',
            [requestIds],
          )
        )[0].n === requestIds.length,
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    // Then day 5 comes: its articles and its reads.
    await publishThrough('day 5', ofDays(5, 5));
    // Monitoring judges lists once the reads' watermark passes their horizon, and takes in the
    // reads still on their way after that: its figures settle on the test's own count of hits
    // (each version's lists by what their own readers read, though both were served to the same
    // readers at the same instant) — polled, since the feature store having day 5 says nothing of
    // monitoring's consumer.
    const expected = { old: hitRate(servedByFirst), retrained: hitRate(servedBySecond) };
    const settled = (q: Json, hits: number) => Math.abs(q.hitRateAt10 - hits) < 5e-5;
    let report: { old: Json; retrained: Json } | undefined;
    await waitFor(
      "both versions judged on all of day 5's reads",
      async () => {
        const { status, body } = await monitoring.get('/v1/model-quality');
        if (status !== 200) return undefined;
        const of = (version: string) =>
          body.versions.find((v: Json) => v.modelVersion === version)?.personalized;
        const [old, retrained] = [of(first.modelVersion), of(second.modelVersion)];
        if (old && retrained) report = { old, retrained };
        return report && settled(report.old, expected.old) && settled(report.retrained, expected.retrained)
          ? report
          : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    ).catch(() => undefined);
    if (!report) throw new Error('monitoring never judged both versions on day 5');
    const line = (q: Json) =>
      `hit rate@10 ${q.hitRateAt10.toFixed(4)}, MRR ${q.mrr.toFixed(4)}, dwell/list ${q.dwellSecondsPerList.toFixed(1)} s over ${q.lists} lists`;
    process.stdout.write(
      `day 5 online: ${first.modelVersion} ${line(report.old)}; ${second.modelVersion} ${line(report.retrained)}\n`,
    );
    expect(report.old.lists).toBe(byFirst[`personalized ${first.modelVersion}`]);
    expect(report.retrained.lists).toBe(bySecond[`personalized ${second.modelVersion}`]);
    expect(report.old.hitRateAt10).toBeCloseTo(expected.old, 4);
    expect(report.retrained.hitRateAt10).toBeCloseTo(expected.retrained, 4);
    // Which champion is read more is reported, not asserted. With the article's age in the model,
    // the old champion's lists were read more (0.376 against 0.305, two runs alike, a standard
    // error of 0.017) though the retrained one wins offline on the story's second day (0.271
    // against 0.214). Why is not established; one difference: offline, the day's own articles are
    // candidates, ranked as brand new, while these lists, made at day 5's start, hold only older
    // ones. (Before the age term the gap moved from +0.087 to −0.026 from run to run.)
    const variance = (q: Json) => (q.hitRateAt10 * (1 - q.hitRateAt10)) / q.lists;
    const standardError = Math.sqrt(variance(report.old) + variance(report.retrained));
    const chance = chanceHitRate(servedBySecond.map((l) => l.userId));
    process.stdout.write(
      `gap ${(report.retrained.hitRateAt10 - report.old.hitRateAt10).toFixed(4)}, standard error ` +
        `${standardError.toFixed(4)}; lists drawn at random from the same candidates: ` +
        `${chance.toFixed(4)}\n`,
    );
    // Both champions' lists are read far more often than chance would have them read (3.0 and 3.7
    // times, measured): a champion broken by the loop (another model's vocabulary, a stale reader
    // tower, lists of what readers could not read yet) falls to chance or below.
    for (const q of [report.old, report.retrained]) expect(q.hitRateAt10).toBeGreaterThan(2 * chance);
  }, 600_000);
});

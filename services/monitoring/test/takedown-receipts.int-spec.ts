import { newEvent, topics } from '@newsroom/contracts';
import { Json, ServiceHandle, ServiceWorld, serviceWorld } from '@newsroom/platform/testing';
import { waitFor } from '@newsroom/testing';

const auditorKey = 'tests-auditor-key-0123456789';

/**
 * Takedown receipts (real Kafka, PostgreSQL and monitoring process; the test plays ingestion, the
 * holders and serving): the serving replicas live at flag time, from their vitals, are expected to
 * confirm beside the feature store and batch scoring; a confirmation that comes before its flag is
 * kept, a replica that was not expected is added, a repeated confirmation changes nothing; the
 * receipt completes with the last expected holder and counts the article's impressions after the
 * flag, up to an unflag.
 */
describe('monitoring: takedown receipts', () => {
  let world: ServiceWorld;
  let monitoring: ServiceHandle;
  const takedownId = crypto.randomUUID();
  const articleId = 'art-flagged';
  const startedAt = new Date(Date.now() - 60_000).toISOString();

  const receipt = async (path: string, key: string | null = auditorKey) => {
    const response = await fetch(`${monitoring.process.url}${path}`, {
      headers: key ? { 'x-api-key': key } : {},
    });
    return { status: response.status, body: (await response.json()) as Json };
  };
  const vitals = (instance: string) => ({
    key: instance,
    value: newEvent(
      topics.serviceVitals.name,
      {
        service: 'serving',
        instance,
        startedAt,
        intervalMs: 60_000,
        stopping: false,
        sloAvailabilityTarget: 0.95,
        requests: { succeeded: 0, rejected: 0, failed: 0, timedOut: 0 },
        outbox: null,
      },
      'tests',
    ),
  });
  const confirmation = (
    holder: 'feature-store' | 'batch-scoring' | 'serving',
    instance: string,
    at: number,
  ) => ({
    key: articleId,
    value: newEvent(
      topics.takedownConfirmed.name,
      { takedownId, articleId, holder, instance, confirmedAt: new Date(at).toISOString() },
      'tests',
    ),
  });
  const decision = (flagged: boolean, at: number) => ({
    key: articleId,
    value: newEvent(
      topics.articlesFlagged.name,
      {
        articleId,
        flagged,
        reason: flagged ? 'misinformation' : 'cleared on appeal',
        actor: 'moderator-1',
        ...(flagged ? { takedownId } : {}),
      },
      'tests',
      { occurredAt: new Date(at).toISOString() },
    ),
  });
  const served = (requestId: string, at: number) => ({
    key: 'reader-1',
    value: newEvent(
      topics.recommendationsServed.name,
      {
        requestId,
        userId: 'reader-1',
        modelVersion: 'v1',
        source: 'personalized' as const,
        items: [{ articleId, rank: 1, score: 0.9 }],
        servedAt: new Date(at).toISOString(),
      },
      'tests',
    ),
  });
  const stored = async (requestId: string) =>
    waitFor(
      `${requestId} in the trail`,
      async () =>
        (
          await world.query(monitoring, `SELECT 1 FROM $schema.audit_responses WHERE request_id = $1`, [
            requestId,
          ])
        ).length === 1,
    );

  beforeAll(async () => {
    world = await serviceWorld(1);
    monitoring = await world.start('monitoring', { MONITORING_AUDITOR_API_KEYS: `auditor:${auditorKey}` });
  }, 120_000);

  afterAll(() => world?.tearDown(), 60_000);

  it('assembles a receipt from the flag and each holder’s confirmation, in whatever order they come', async () => {
    await world.publish(topics.serviceVitals, [vitals('serving-a'), vitals('serving-b')]);
    await waitFor('both replicas live', async () => {
      const services = (await monitoring.get('/v1/services')).body.items as Json[];
      return services.find((s) => s.service === 'serving')?.liveInstances === 2;
    });

    const flaggedAt = Date.now();
    // serving-b removed it before monitoring heard of the flag: different topics, no order between them.
    await world.publish(topics.takedownConfirmed, [confirmation('serving', 'serving-b', flaggedAt + 100)]);
    await world.publish(topics.articlesFlagged, [decision(true, flaggedAt)]);
    await world.publish(topics.recommendationsServed, [
      served('before-flag', flaggedAt - 1_000),
      served('after-flag', flaggedAt + 50),
    ]);
    await stored('after-flag');

    const pending = await waitFor('the receipt', async () => {
      const answer = await receipt(`/v1/takedowns/${takedownId}`);
      return answer.status === 200 && answer.body.holders.some((h: Json) => h.confirmedAt)
        ? answer.body
        : undefined;
    });
    expect(pending).toEqual({
      takedownId,
      articleId,
      reason: 'misinformation',
      actor: 'moderator-1',
      flaggedAt: new Date(flaggedAt).toISOString(),
      complete: false,
      completedAt: null,
      holders: [
        { holder: 'feature-store', instance: null, confirmedAt: null },
        { holder: 'batch-scoring', instance: null, confirmedAt: null },
        { holder: 'serving', instance: 'serving-a', confirmedAt: null },
        { holder: 'serving', instance: 'serving-b', confirmedAt: new Date(flaggedAt + 100).toISOString() },
      ],
      impressionsAfterFlag: 1,
    });

    await world.publish(topics.takedownConfirmed, [
      confirmation('feature-store', 'feature-store-1', flaggedAt + 200),
      confirmation('batch-scoring', 'batch-scoring-1', flaggedAt + 300),
      confirmation('serving', 'serving-c', flaggedAt + 350),
    ]);
    await waitFor('serving-c heard', async () =>
      (await receipt(`/v1/takedowns/${takedownId}`)).body.holders.some(
        (h: Json) => h.instance === 'serving-c',
      ),
    );
    expect((await receipt(`/v1/takedowns/${takedownId}`)).body.complete).toBe(false);

    await world.publish(topics.takedownConfirmed, [confirmation('serving', 'serving-a', flaggedAt + 400)]);
    const complete = await waitFor('the receipt complete', async () => {
      const body = (await receipt(`/v1/takedowns/${takedownId}`)).body;
      return body.complete ? body : undefined;
    });
    expect(complete).toMatchObject({
      completedAt: new Date(flaggedAt + 400).toISOString(),
      impressionsAfterFlag: 1,
    });
    expect(complete.holders).toEqual([
      {
        holder: 'feature-store',
        instance: 'feature-store-1',
        confirmedAt: new Date(flaggedAt + 200).toISOString(),
      },
      {
        holder: 'batch-scoring',
        instance: 'batch-scoring-1',
        confirmedAt: new Date(flaggedAt + 300).toISOString(),
      },
      { holder: 'serving', instance: 'serving-a', confirmedAt: new Date(flaggedAt + 400).toISOString() },
      { holder: 'serving', instance: 'serving-b', confirmedAt: new Date(flaggedAt + 100).toISOString() },
      { holder: 'serving', instance: 'serving-c', confirmedAt: new Date(flaggedAt + 350).toISOString() },
    ]);

    // Delivered again, a flag and a confirmation change nothing: the first confirmation stands, the
    // completion is measured once.
    await world.publish(topics.articlesFlagged, [decision(true, flaggedAt)]);
    await world.publish(topics.takedownConfirmed, [confirmation('serving', 'serving-a', flaggedAt + 9_000)]);
    await world.publish(topics.recommendationsServed, [served('settled', flaggedAt - 2_000)]);
    await stored('settled');
    await waitFor('the repeated confirmation handled', async () => {
      const [{ n }] = await world.query(
        monitoring,
        `SELECT count(*)::int AS n FROM $schema.takedown_confirmations WHERE takedown_id = $1`,
        [takedownId],
      );
      return n === 5;
    });
    const metrics = await (await fetch(`${monitoring.process.url}/metrics`)).text();
    expect(metrics).toMatch(/^monitoring_takedown_completion_seconds_count 1$/m);
    expect((await receipt(`/v1/takedowns/${takedownId}`)).body).toEqual(complete);
  }, 90_000);

  it('counts impressions after the flag until an unflag lifts it', async () => {
    const liftedAt = Date.now();
    await world.publish(topics.articlesFlagged, [decision(false, liftedAt)]);
    await world.publish(topics.recommendationsServed, [
      served('lifted-before', liftedAt - 10),
      served('lifted-after', liftedAt + 10),
    ]);
    await stored('lifted-after');
    await waitFor(
      'the unflag',
      async () =>
        (
          await world.query(
            monitoring,
            `SELECT 1 FROM $schema.takedowns WHERE takedown_id = $1 AND lifted_at IS NOT NULL`,
            [takedownId],
          )
        ).length === 1,
    );
    expect((await receipt(`/v1/takedowns/${takedownId}`)).body.impressionsAfterFlag).toBe(2);
  }, 60_000);

  it('lists an article’s takedowns, answers 404 for an unknown id and 400 for a malformed one, behind the key', async () => {
    const listed = await receipt(`/v1/takedowns?articleId=${articleId}`);
    expect(listed.body.items.map((t: Json) => t.takedownId)).toEqual([takedownId]);
    expect((await receipt('/v1/takedowns?articleId=another')).body.items).toEqual([]);
    expect((await receipt(`/v1/takedowns/${crypto.randomUUID()}`)).status).toBe(404);
    const malformed = await receipt('/v1/takedowns/not-a-uuid');
    expect(malformed.status).toBe(400);
    expect(malformed.body.message).toContain('takedownId:');
    expect((await receipt(`/v1/takedowns/${takedownId}`, null)).status).toBe(401);
  });
});

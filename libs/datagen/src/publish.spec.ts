import { Interaction, topics } from '@newsroom/contracts';
import { EventPublisher } from '@newsroom/messaging';
import { Kafka } from 'kafkajs';
import { worldConfig } from './config';
import { publishEvents } from './publish';
import { simulate } from './simulate';
import { World } from './world';

interface Sent {
  topic: string;
  messages: { key: string; value: string }[];
}

/** A real EventPublisher (so every value is checked against the contract) on a fake broker. */
function fakePublisher(onSend: (sent: Sent) => Promise<void> = async () => undefined) {
  const sent: Sent[] = [];
  const kafka = {
    producer: () => ({
      connect: async () => undefined,
      disconnect: async () => undefined,
      send: async (request: Sent) => {
        await onSend(request);
        sent.push(request);
      },
    }),
  } as unknown as Kafka;
  return { publisher: new EventPublisher(kafka, 'test.'), sent };
}

describe('publishEvents', () => {
  const world = new World(worldConfig('small', { corruptedShare: 0.01 }));

  it('without the contract check, sends the same records as JSON', async () => {
    const small = new World(worldConfig('small'));
    const checked = fakePublisher();
    const unchecked = fakePublisher();
    await publishEvents(checked.publisher, simulate(small));
    await publishEvents(unchecked.publisher, simulate(small), { validate: false });
    const records = (sent: Sent[]) =>
      sent.flatMap((s) => s.messages.map((m) => [s.topic, m.key, JSON.parse(m.value)]));
    expect(records(unchecked.sent)).toEqual(records(checked.sent));
    expect(unchecked.sent.length).toBeGreaterThan(10);
  });

  it('sends every event through the contract-checking publisher, in batches, and counts them', async () => {
    let sending = 0;
    let mostSending = 0;
    const { publisher, sent } = fakePublisher(async () => {
      mostSending = Math.max(mostSending, ++sending);
      await new Promise((resolve) => setTimeout(resolve, 1));
      sending--;
    });
    // Publishes under way at once: the next batch is checked and serialised while one is sent.
    let inFlight = 0;
    let maxInFlight = 0;
    const sink = {
      publish: (async (...args: Parameters<EventPublisher['publish']>) => {
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        await publisher.publish(...args).finally(() => inFlight--);
      }) as EventPublisher['publish'],
      publishSerialized: (async (...args: Parameters<EventPublisher['publishSerialized']>) => {
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        await publisher.publishSerialized(...args).finally(() => inFlight--);
      }) as EventPublisher['publishSerialized'],
    };
    const progress: number[] = [];
    const summary = await publishEvents(sink, simulate(world), {
      batchSize: 500,
      maxInFlight: 3,
      progressEveryMs: 0,
      onProgress: (p) => progress.push(p.total),
    });

    const dry = await publishEvents(null, simulate(world));
    expect({
      ...summary,
      elapsedMs: 0,
      eventsPerSecond: 0,
      sends: 0,
      bytes: dry.bytes,
      dryRun: true,
    }).toEqual({
      ...dry,
      elapsedMs: 0,
      eventsPerSecond: 0,
    });
    expect(summary.corrupted).toBeGreaterThan(0);
    expect(summary.bytes).toBe(0);
    expect(dry.bytes).toBeGreaterThan(1_000_000);
    expect(summary.total).toBe(
      summary.articles + summary.corrupted + Object.values(summary.interactions).reduce((s, n) => s + n, 0),
    );
    expect(summary.sends).toBe(sent.length);
    expect(maxInFlight).toBeGreaterThan(1);
    expect(maxInFlight).toBeLessThanOrEqual(3);
    // The broker still gets one request at a time (EventPublisher: idempotence needs it).
    expect(mostSending).toBe(1);
    expect(progress.at(-1)).toBe(summary.total);

    const byTopic = (name: string) => sent.filter((s) => s.topic === name).flatMap((s) => s.messages);
    for (const s of sent) expect(s.messages.length).toBeLessThanOrEqual(500);
    expect(byTopic('test.articles.raw')).toHaveLength(summary.articles);
    const interactions = byTopic('test.interactions.raw');
    expect(interactions).toHaveLength(summary.total - summary.articles);
    // Keyed by articleId / userId; the corrupted records went out as they are.
    for (const m of byTopic('test.articles.raw')) expect(JSON.parse(m.value).articleId).toBe(m.key);
    const invalid = interactions.filter((m) => {
      try {
        const value = JSON.parse(m.value) as Interaction;
        return !topics.interactionsRaw.value.safeParse(value).success;
      } catch {
        return true;
      }
    });
    expect(invalid).toHaveLength(summary.corrupted);
  });

  it("has a day's articles acknowledged before any of that day's interactions is sent", async () => {
    const order: string[] = [];
    let pendingArticles = 0;
    const { publisher } = fakePublisher(async (request) => {
      const isArticle = request.topic.endsWith('articles.raw');
      if (!isArticle) expect(pendingArticles).toBe(0);
      if (isArticle) pendingArticles++;
      await new Promise((resolve) => setTimeout(resolve, 2));
      if (isArticle) pendingArticles--;
      order.push(request.topic);
    });
    await publishEvents(publisher, simulate(world), { batchSize: 1_000, maxInFlight: 4 });
    // Two days: articles, interactions, articles, interactions.
    const runs = order.filter((t, i) => i === 0 || t !== order[i - 1]).map((t) => t.replace('test.', ''));
    expect(runs).toEqual(['articles.raw', 'interactions.raw', 'articles.raw', 'interactions.raw']);
  });

  it('stops at the first failed send and reports its error', async () => {
    let calls = 0;
    const { publisher } = fakePublisher(async () => {
      if (++calls === 3) throw new Error('broker gone');
    });
    await expect(publishEvents(publisher, simulate(world), { batchSize: 200 })).rejects.toThrow(
      'broker gone',
    );
  });
});

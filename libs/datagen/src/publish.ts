import { Article, Interaction, interactionTypes, topics } from '@newsroom/contracts';
import type { EventPublisher } from '@newsroom/messaging';
import { CorruptionKind, WorldEvent, corruptionKinds } from './events';

/** What the publisher needs of `EventPublisher` (so tests can pass a fake). */
export type EventSink = Pick<EventPublisher, 'publish' | 'publishSerialized'>;

export interface PublishOptions {
  /** Messages per send (default 2,000). */
  batchSize?: number;
  /** Sends awaiting their acknowledgement at once (default 4). */
  maxInFlight?: number;
  /** Called at most every `progressEveryMs` (default 2,000) while publishing, and once at the end. */
  onProgress?: (progress: PublishSummary) => void;
  progressEveryMs?: number;
  /**
   * Check every article and interaction against the contract before it leaves (default true).
   * The synthetic world's events are valid by construction (its tests check them): a bulk
   * publisher sharing the cores with the platform may skip the check.
   */
  validate?: boolean;
}

export interface PublishSummary {
  /** Article events (revisions included). */
  articles: number;
  interactions: Record<Interaction['type'], number>;
  corrupted: number;
  corruptedByKind: Record<CorruptionKind, number>;
  /** All records: articles + interactions + corrupted. */
  total: number;
  /** Dry run only: bytes of the JSON values that would have been sent (0 when publishing). */
  bytes: number;
  /** Sends (one batch each); 0 on a dry run. */
  sends: number;
  /** Highest `day` seen so far. */
  day: number;
  elapsedMs: number;
  eventsPerSecond: number;
  dryRun: boolean;
}

/**
 * Publishes a stream of events in order: articles to `articles.raw` keyed by articleId,
 * interactions to `interactions.raw` keyed by userId, both validated by the publisher against the
 * contract; corrupted records are sent as the raw strings they are. Messages go in batches with a
 * few sends in flight, and every switch between articles and interactions waits for all sends to
 * be acknowledged, so a day's articles are on the broker before that day's interactions.
 *
 * `sink` null is a dry run: the events are generated, serialized and counted, nothing is sent.
 */
export async function publishEvents(
  sink: EventSink | null,
  events: Iterable<WorldEvent> | AsyncIterable<WorldEvent>,
  options: PublishOptions = {},
): Promise<PublishSummary> {
  const batchSize = options.batchSize ?? 2_000;
  const maxInFlight = options.maxInFlight ?? 4;
  const validate = options.validate ?? true;
  const progressEveryMs = options.progressEveryMs ?? 2_000;
  const started = performance.now();
  let lastProgress = started;
  const summary: PublishSummary = {
    articles: 0,
    interactions: Object.fromEntries(interactionTypes.map((t) => [t, 0])) as PublishSummary['interactions'],
    corrupted: 0,
    corruptedByKind: Object.fromEntries(
      corruptionKinds.map((k) => [k, 0]),
    ) as PublishSummary['corruptedByKind'],
    total: 0,
    bytes: 0,
    sends: 0,
    day: 0,
    elapsedMs: 0,
    eventsPerSecond: 0,
    dryRun: sink === null,
  };

  let articles: { key: string; value: Article }[] = [];
  let interactions: { key: string; value: Interaction }[] = [];
  let corrupted: { key: string; value: string }[] = [];
  let lastWasArticle: boolean | undefined;

  const pending: Promise<void>[] = [];
  let failure: { error: unknown } | undefined;
  const track = (send: Promise<void>) => {
    summary.sends++;
    pending.push(send.catch((error: unknown) => void (failure ??= { error })));
  };
  const settleTo = async (limit: number) => {
    while (pending.length > limit) await pending.shift();
    if (failure) throw failure.error;
  };

  const update = (final = false) => {
    const now = performance.now();
    summary.elapsedMs = Math.round(now - started);
    summary.eventsPerSecond =
      summary.elapsedMs > 0 ? Math.round((summary.total * 1000) / summary.elapsedMs) : 0;
    if (options.onProgress && (final || now - lastProgress >= progressEveryMs)) {
      lastProgress = now;
      options.onProgress({ ...summary });
    }
  };

  const flush = async (): Promise<void> => {
    // Take the buffers synchronously: events buffered from now on go into the next batches.
    const batches = { articles, interactions, corrupted };
    articles = [];
    interactions = [];
    corrupted = [];
    if (!sink) {
      for (const m of batches.articles) summary.bytes += JSON.stringify(m.value).length;
      for (const m of batches.interactions) summary.bytes += JSON.stringify(m.value).length;
      for (const m of batches.corrupted) summary.bytes += m.value.length;
    } else {
      const send = <T extends typeof topics.articlesRaw | typeof topics.interactionsRaw>(
        topic: T,
        messages: { key: string; value: Article | Interaction }[],
      ) =>
        validate
          ? sink.publish(topic, messages as never)
          : sink.publishSerialized(
              topic.name,
              messages.map((m) => ({ key: m.key, value: JSON.stringify(m.value) })),
            );
      if (batches.articles.length > 0) {
        await settleTo(maxInFlight - 1);
        track(send(topics.articlesRaw, batches.articles));
      }
      if (batches.interactions.length > 0) {
        await settleTo(maxInFlight - 1);
        track(send(topics.interactionsRaw, batches.interactions));
      }
      if (batches.corrupted.length > 0) {
        await settleTo(maxInFlight - 1);
        track(sink.publishSerialized(topics.interactionsRaw.name, batches.corrupted));
      }
    }
    update();
  };

  /** Buffers one event; returns a promise only when it had to send (or wait for) something. */
  const handle = (event: WorldEvent): Promise<void> | undefined => {
    const isArticle = event.kind === 'article';
    let barrier: Promise<void> | undefined;
    if (lastWasArticle !== undefined && isArticle !== lastWasArticle) {
      barrier = flush().then(() => settleTo(0));
    }
    lastWasArticle = isArticle;
    if (event.day > summary.day) summary.day = event.day;
    summary.total++;
    let full = false;
    switch (event.kind) {
      case 'article':
        summary.articles++;
        full = articles.push({ key: event.key, value: event.value }) >= batchSize;
        break;
      case 'interaction':
        summary.interactions[event.value.type]++;
        full = interactions.push({ key: event.key, value: event.value }) >= batchSize;
        break;
      case 'corrupt':
        summary.corrupted++;
        summary.corruptedByKind[event.corruption]++;
        full = corrupted.push({ key: event.key, value: event.raw }) >= batchSize;
        break;
    }
    if (barrier) return full ? barrier.then(flush) : barrier;
    return full ? flush() : undefined;
  };

  // Barrier flushes happen before the new event is buffered: `handle` buffers it after the flush
  // started, and `flush` swaps the buffers synchronously, so the new event goes in the next batch.
  if (Symbol.asyncIterator in events) {
    for await (const event of events) {
      const wait = handle(event);
      if (wait) await wait;
    }
  } else {
    for (const event of events) {
      const wait = handle(event);
      if (wait) await wait;
    }
  }
  await flush();
  await settleTo(0);
  update(true);
  return summary;
}

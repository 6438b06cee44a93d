import { Interaction } from '@newsroom/contracts';
import { regions } from './regions';
import { behaviour, clickProbability, meanReadDwell, topicMatch } from './behaviour';
import { CorruptionKind, WorldEvent, corruptionKinds } from './events';
import { Rng } from './random';
import { DAY_MS, World } from './world';

/**
 * Streams a world's events in publication order, day by day: the day's articles (the warm-up
 * articles with day 0, revisions after the originals), then the day's interactions in time order.
 * Only the readers, article attributes and the sessions in progress are held in memory, so a
 * full day of the full company (~30 million events) streams in bounded memory.
 *
 * `behaviourSeed` draws the readers' sessions, slates and choices anew over the same readers and
 * articles: another realisation of the same world, e.g. to estimate what its truth predicts.
 */
export function* simulate(
  world: World,
  { behaviourSeed = world.config.seed }: { behaviourSeed?: number } = {},
): Generator<WorldEvent> {
  const { config } = world;
  const clicks = new Uint32Array(world.articleCount);
  const heap = new SessionHeap();
  const corruptRng = new Rng(config.seed, 'corruption');
  let sequence = 0;

  const emit = (event: Interaction, day: number): WorldEvent => {
    if (config.corruptedShare > 0 && corruptRng.chance(config.corruptedShare)) {
      const corruption = corruptionKinds[corruptRng.int(corruptionKinds.length)];
      return {
        kind: 'corrupt',
        day,
        key: event.userId,
        raw: corrupt(event, corruption, corruptRng),
        corruption,
      };
    }
    return { kind: 'interaction', day, key: event.userId, value: event };
  };

  for (let day = 0; day < config.days; day++) {
    const { first, end } = world.articleRange(day);
    for (let i = first; i < end; i++)
      yield { kind: 'article', day, key: world.articleId(i), value: world.article(i) };
    for (let i = first; i < end; i++) {
      if (world.articleRevised[i])
        yield { kind: 'article', day, key: world.articleId(i), value: world.article(i, true) };
    }

    const dayStart = world.startMs + day * DAY_MS;
    const sessions = daySessions(world, day, behaviourSeed);
    const rng = new Rng(behaviourSeed, 'behaviour', day);
    const slates = new SlateSampler(world, clicks, dayStart, end);
    const label = new Date(dayStart).toISOString().slice(0, 10).replace(/-/g, '');
    const interests = world.interestsOn(day);
    const K = world.topics.length;
    for (let s = 0; s < sessions.reader.length; s++) {
      const t0 = dayStart + sessions.ms[s];
      while (heap.size > 0 && heap.peekTime() < t0) {
        const { event, day: d } = heap.pop();
        yield emit(event, d);
      }
      slates.advanceTo(t0);
      const size = rng.intBetween(config.slateSize.min, config.slateSize.max);
      const slate = slates.sample(rng, size);
      if (slate.length === 0) continue;

      const u = sessions.reader[s];
      const userId = world.readerId(u);
      const region = regions[world.readerRegion[u]];
      const sessionId = `s-s${config.seed}-${label}-${s}`;
      const events: Interaction[] = [];
      const times: number[] = [];
      const add = (type: Interaction['type'], articleIndex: number, at: number, dwellSeconds?: number) => {
        const eventId = `i-s${config.seed}-${label}-${s}-${events.length}`;
        const articleId = world.articleId(articleIndex);
        const occurredAt = new Date(at).toISOString();
        // Key order is fixed (JSON output is compared byte for byte); dwellSeconds only on reads.
        const event: Interaction =
          dwellSeconds === undefined
            ? { eventId, userId, articleId, type, occurredAt, sessionId, region }
            : { eventId, userId, articleId, type, dwellSeconds, occurredAt, sessionId, region };
        events.push(event);
        times.push(at);
      };
      for (let pos = 0; pos < slate.length; pos++) add('impression', slate[pos], t0 + pos * 5);
      let clock = t0 + slate.length * 5 + Math.round(rng.exponential(3000));
      for (let pos = 0; pos < slate.length; pos++) {
        const i = slate[pos];
        const match = topicMatch(interests, u * K, world.articleTopic[i], world.articleTopic2[i]);
        const sameRegion = world.publisherRegion[world.articlePublisher[i]] === world.readerRegion[u];
        if (!rng.chance(clickProbability(match, world.articleQuality[i], pos, sameRegion))) continue;
        add('click', i, clock);
        slates.clicked(i);
        if (rng.chance(behaviour.readGivenClick)) {
          const mean = meanReadDwell(match, world.articleTokens[i], world.readerDepth[u]);
          const dwell =
            Math.round(
              Math.min(rng.lognormalWithMean(mean, behaviour.dwell.sigma), behaviour.dwell.capSeconds) * 10,
            ) / 10;
          clock += Math.round(dwell * 1000);
          add('read', i, clock, dwell);
        } else {
          clock += behaviour.bounceSeconds * 1000;
        }
        clock += Math.round(rng.exponential(behaviour.thinkSeconds * 1000));
      }
      heap.push({ events, times, next: 0, order: sequence++, day });
    }
    // The day's events end at midnight; sessions still running spill into the next day's stream.
    const dayEnd = dayStart + DAY_MS;
    while (heap.size > 0 && heap.peekTime() < dayEnd) {
      const { event, day: d } = heap.pop();
      yield emit(event, d);
    }
  }
  while (heap.size > 0) {
    const { event, day: d } = heap.pop();
    yield emit(event, d);
  }
}

/** The day's session starts (ms after midnight) and readers, sorted by time. */
function daySessions(world: World, day: number, seed: number): { reader: Int32Array; ms: Float64Array } {
  const { config } = world;
  const rng = new Rng(seed, 'sessions', day);
  const factor = config.volumeDropOnDay === day ? config.volumeDropFactor : 1;
  let readers = new Int32Array(
    Math.max(16, Math.ceil(world.readerCount * config.sessionsPerReaderPerDay * 1.2)),
  );
  let times = new Float64Array(readers.length);
  let n = 0;
  for (let u = 0; u < world.readerCount; u++) {
    const count = rng.poisson(config.sessionsPerReaderPerDay * world.readerActivity[u] * factor);
    for (let k = 0; k < count; k++) {
      if (n === readers.length) {
        readers = grow(readers, new Int32Array(readers.length * 2));
        times = grow(times, new Float64Array(times.length * 2));
      }
      const utcHour = (((sessionLocalHour(rng) - world.readerUtcOffset[u]) % 24) + 24) % 24;
      readers[n] = u;
      times[n] = Math.min(DAY_MS - 1, Math.floor(utcHour * 3_600_000));
      n++;
    }
  }
  // Counting sort by second of the day (stable: readers in index order within a second).
  const buckets = new Int32Array(86_401);
  for (let s = 0; s < n; s++) buckets[Math.floor(times[s] / 1000) + 1]++;
  for (let b = 1; b < buckets.length; b++) buckets[b] += buckets[b - 1];
  const sortedReaders = new Int32Array(n);
  const sortedTimes = new Float64Array(n);
  for (let s = 0; s < n; s++) {
    const slot = buckets[Math.floor(times[s] / 1000)]++;
    sortedReaders[slot] = readers[s];
    sortedTimes[slot] = times[s];
  }
  // Within a second, order by millisecond (insertion sort: a handful of sessions per second).
  for (let s = 1; s < n; s++) {
    const t = sortedTimes[s];
    const r = sortedReaders[s];
    let j = s - 1;
    while (j >= 0 && sortedTimes[j] > t) {
      sortedTimes[j + 1] = sortedTimes[j];
      sortedReaders[j + 1] = sortedReaders[j];
      j--;
    }
    sortedTimes[j + 1] = t;
    sortedReaders[j + 1] = r;
  }
  return { reader: sortedReaders, ms: sortedTimes };
}

function grow<T extends Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/** Local hour of a reading session: morning, lunch and evening peaks, a little at night. */
function sessionLocalHour(rng: Rng): number {
  const r = rng.next();
  const h =
    r < 0.3
      ? 7.5 + 1.3 * rng.normal()
      : r < 0.5
        ? 12.5 + rng.normal()
        : r < 0.92
          ? 20.5 + 1.8 * rng.normal()
          : 24 * rng.next();
  return ((h % 24) + 24) % 24;
}

/**
 * The front page: recent articles weighted by quality, recency and popularity so far. The
 * recency factor exp(−age/τ) = exp(−(t − dayStart)/τ)·exp((published − dayStart)/τ) has a part
 * common to all articles, so weights only change on clicks and a Fenwick tree samples them.
 */
class SlateSampler {
  private readonly lo: number;
  private next: number;
  private readonly base: Float64Array;
  private readonly tree: Float64Array;
  private readonly chosen: number[] = [];

  constructor(
    private readonly world: World,
    private readonly clicks: Uint32Array,
    dayStart: number,
    private readonly end: number,
  ) {
    const oldest = dayStart - behaviour.slate.windowHours * 3_600_000;
    let lo = 0;
    let hi = end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (world.publishedAt[mid] < oldest) lo = mid + 1;
      else hi = mid;
    }
    this.lo = lo;
    this.next = lo;
    const size = end - lo;
    this.base = new Float64Array(size);
    this.tree = new Float64Array(size + 1);
    const tau = behaviour.slate.recencyHours * 3_600_000;
    for (let i = lo; i < end; i++) {
      this.base[i - lo] = world.articleQuality[i] * Math.exp((world.publishedAt[i] - dayStart) / tau);
    }
  }

  /** Makes articles published up to `t` available. */
  advanceTo(t: number): void {
    while (this.next < this.end && this.world.publishedAt[this.next] <= t) {
      this.add(this.next - this.lo, this.weight(this.next));
      this.next++;
    }
  }

  clicked(i: number): void {
    const before = this.weight(i);
    this.clicks[i]++;
    if (i >= this.lo && i < this.next) this.add(i - this.lo, this.weight(i) - before);
  }

  /** Up to `size` distinct available articles, earlier positions for heavier weights on average. */
  sample(rng: Rng, size: number): number[] {
    const available = this.next - this.lo;
    if (available <= size) return rng.shuffle(Array.from({ length: available }, (_, j) => this.lo + j));
    const chosen = this.chosen;
    chosen.length = 0;
    const total = this.prefix(available);
    for (let attempt = 0; attempt < size * 10 && chosen.length < size; attempt++) {
      const j = Math.min(this.find(rng.next() * total), available - 1);
      const i = this.lo + j;
      if (!chosen.includes(i)) chosen.push(i);
    }
    return chosen.slice();
  }

  private weight(i: number): number {
    return this.base[i - this.lo] * (1 + behaviour.slate.popularity * Math.log1p(this.clicks[i]));
  }

  private add(j: number, delta: number): void {
    for (let x = j + 1; x < this.tree.length; x += x & -x) this.tree[x] += delta;
  }

  private prefix(count: number): number {
    let sum = 0;
    for (let x = count; x > 0; x -= x & -x) sum += this.tree[x];
    return sum;
  }

  /** Smallest j with prefix(j + 1) > r. */
  private find(r: number): number {
    let pos = 0;
    let step = 1;
    while (step * 2 < this.tree.length) step *= 2;
    for (; step > 0; step >>= 1) {
      const next = pos + step;
      if (next < this.tree.length && this.tree[next] <= r) {
        pos = next;
        r -= this.tree[next];
      }
    }
    return pos;
  }
}

/** Binary min-heap of running sessions, keyed by the time of each session's next event. */
interface RunningSession {
  events: Interaction[];
  times: number[];
  next: number;
  order: number;
  day: number;
}

class SessionHeap {
  private readonly items: RunningSession[] = [];

  get size(): number {
    return this.items.length;
  }

  peekTime(): number {
    const top = this.items[0];
    return top.times[top.next];
  }

  push(session: RunningSession): void {
    this.items.push(session);
    this.up(this.items.length - 1);
  }

  /** The earliest pending event; its session goes back in the heap while it has more. */
  pop(): { event: Interaction; day: number } {
    const top = this.items[0];
    const event = top.events[top.next++];
    if (top.next === top.events.length) {
      const last = this.items.pop() as RunningSession;
      if (this.items.length > 0) {
        this.items[0] = last;
        this.down(0);
      }
    } else {
      this.down(0);
    }
    return { event, day: top.day };
  }

  private less(a: RunningSession, b: RunningSession): boolean {
    const ta = a.times[a.next];
    const tb = b.times[b.next];
    return ta < tb || (ta === tb && a.order < b.order);
  }

  private up(i: number): void {
    const items = this.items;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(items[i], items[parent])) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }

  private down(i: number): void {
    const items = this.items;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < items.length && this.less(items[l], items[best])) best = l;
      if (r < items.length && this.less(items[r], items[best])) best = r;
      if (best === i) return;
      [items[i], items[best]] = [items[best], items[i]];
      i = best;
    }
  }
}

const missingFields = ['userId', 'articleId', 'occurredAt', 'type', 'eventId'] as const;

/** A raw record that breaks the contract in the given way. */
function corrupt(event: Interaction, kind: CorruptionKind, rng: Rng): string {
  switch (kind) {
    case 'bad-json': {
      const json = JSON.stringify(event);
      return json.slice(0, json.length - 1 - rng.int(12));
    }
    case 'missing-field': {
      const copy: Record<string, unknown> = { ...event };
      delete copy[missingFields[rng.int(missingFields.length)]];
      return JSON.stringify(copy);
    }
    case 'negative-dwell':
      return JSON.stringify({ ...event, type: 'read', dwellSeconds: -(1 + rng.int(300)) });
    case 'unknown-type':
      return JSON.stringify({ ...event, type: rng.pick(['like', 'share', 'view', '']) });
  }
}

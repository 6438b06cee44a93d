import { Article, Interaction } from '@newsroom/contracts';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorldConfig, startEndingNow, startForNow, worldConfig } from './config';
import { WorldEvent, readsOnly } from './events';
import { Rng } from './random';
import { simulate } from './simulate';
import { exportTruth, readTruthJsonl, writeTruthJsonl } from './truth';
import { World } from './world';

function run(overrides: Partial<WorldConfig> = {}): { world: World; events: WorldEvent[] } {
  const world = new World(worldConfig('small', overrides));
  return { world, events: [...simulate(world)] };
}

function digest(events: WorldEvent[], filter: (e: WorldEvent) => boolean = () => true): string {
  const hash = createHash('sha256');
  for (const e of events.filter(filter))
    hash.update(e.kind === 'corrupt' ? e.raw : JSON.stringify(e.value)).update('\n');
  return hash.digest('hex');
}

const reads = (events: WorldEvent[]) =>
  events.flatMap((e) =>
    e.kind === 'interaction' && e.value.type === 'read' ? [{ day: e.day, value: e.value }] : [],
  );

/** The topics of reader u, most interesting first. */
function topicsByInterest(world: World, u: number, interests = world.interests): number[] {
  const K = world.topics.length;
  return Array.from({ length: K }, (_, k) => k).sort((a, b) => interests[u * K + b] - interests[u * K + a]);
}

describe('synthetic world', () => {
  const base = run();

  it('generates the small preset with its sizes', () => {
    const { world, events } = run({ seed: 7 });
    expect(world.readerCount).toBe(200);
    expect(world.config.days).toBe(2);
    const articlesPerDay = [0, 1].map(
      (d) =>
        events.filter((e) => e.kind === 'article' && e.day === d && e.value.eventId.endsWith('-v0')).length,
    );
    // Day 0 also carries the warm-up articles published in the hours before the start.
    expect(articlesPerDay).toEqual([100 + Math.round((100 * world.config.warmupHours) / 24), 100]);
    const users = new Set(events.flatMap((e) => (e.kind === 'interaction' ? [e.value.userId] : [])));
    expect(users.size).toBeGreaterThan(150);
    const readCount = reads(events).length;
    expect(readCount / (200 * 2)).toBeGreaterThan(5); // ~9.6 reads per reader per day, as in the full world
    expect(readCount / (200 * 2)).toBeLessThan(15);
  });

  it('is deterministic: same config and seed give the same bytes, another seed other events', () => {
    expect(digest(run().events)).toBe(digest(base.events));
    expect(digest(run({ seed: 43 }).events)).not.toBe(digest(base.events));
  });

  it('draws another realisation of the same world from another behaviour seed: same articles, other reads', () => {
    const again = [...simulate(base.world, { behaviourSeed: base.world.config.seed })];
    expect(digest(again)).toBe(digest(base.events));
    const other = [...simulate(base.world, { behaviourSeed: 1_000 })];
    const articles = (e: WorldEvent) => e.kind === 'article';
    expect(digest(other, articles)).toBe(digest(base.events, articles));
    expect(digest(other, (e) => !articles(e))).not.toBe(digest(base.events, (e) => !articles(e)));
    // The same readers, just as active.
    expect(reads(other).length / reads(base.events).length).toBeGreaterThan(0.9);
    expect(reads(other).length / reads(base.events).length).toBeLessThan(1.1);
  });

  it('emits only contract-valid articles and interactions, with unique event ids', () => {
    const ids = new Set<string>();
    const invalid: string[] = [];
    for (const e of base.events) {
      if (e.kind === 'corrupt') invalid.push(e.raw);
      else {
        const result = e.kind === 'article' ? Article.safeParse(e.value) : Interaction.safeParse(e.value);
        if (!result.success) invalid.push(`${JSON.stringify(e.value)}: ${result.error.message}`);
        ids.add(e.value.eventId);
      }
    }
    expect(invalid).toEqual([]);
    expect(ids.size).toBe(base.events.length);
    // Revisions: the same articleId again under a new eventId.
    const originals = new Set(base.events.flatMap((e) => (e.kind === 'article' ? [e.value.eventId] : [])));
    const revisions = base.events.filter((e) => e.kind === 'article' && e.value.eventId.endsWith('-v1'));
    expect(revisions.length).toBeGreaterThan(0);
    for (const r of revisions) expect(originals.has(`${r.key}-v0`)).toBe(true);
  });

  it('streams each day in order: its articles, then its interactions by time', () => {
    let lastTime = 0;
    let lastInteractionDay = -1;
    const problems: string[] = [];
    for (const e of base.events) {
      if (e.kind === 'article') {
        if (lastInteractionDay >= e.day)
          problems.push(`article ${e.key} of day ${e.day} after interactions of day ${lastInteractionDay}`);
      } else if (e.kind === 'interaction') {
        lastInteractionDay = Math.max(lastInteractionDay, e.day);
        const t = Date.parse(e.value.occurredAt);
        if (t < lastTime) problems.push(`${e.value.eventId} out of time order`);
        lastTime = t;
      }
    }
    expect(problems).toEqual([]);
  });

  it('corrupts the requested share of interaction records, each one breaking the contract', () => {
    const { events } = run({ corruptedShare: 0.05 });
    const corrupt = events.filter((e) => e.kind === 'corrupt');
    const interactions = events.filter((e) => e.kind !== 'article').length;
    expect(corrupt.length / interactions).toBeGreaterThan(0.04);
    expect(corrupt.length / interactions).toBeLessThan(0.06);
    const kinds = new Set<string>();
    for (const e of corrupt) {
      if (e.kind !== 'corrupt') continue;
      kinds.add(e.corruption);
      let parsed: unknown;
      try {
        parsed = JSON.parse(e.raw);
      } catch {
        expect(e.corruption).toBe('bad-json');
        continue;
      }
      expect(Interaction.safeParse(parsed).success).toBe(false);
    }
    expect([...kinds].sort()).toEqual(['bad-json', 'missing-field', 'negative-dwell', 'unknown-type']);
    // Corruption replaces records; everything else is exactly the uncorrupted world.
    expect(digest(events, (e) => e.kind === 'article')).toBe(
      digest(base.events, (e) => e.kind === 'article'),
    );
  });

  it('makes dwell learnable: reads of a favourite topic last far longer than of a disliked one', () => {
    const { world } = base;
    const top: number[] = [];
    const bottom: number[] = [];
    for (const { value } of reads(base.events)) {
      const u = world.readerIndex(value.userId);
      const topic = world.articleTopic[world.articleIndex(value.articleId)];
      const ranked = topicsByInterest(world, u);
      if (topic === ranked[0]) top.push(value.dwellSeconds!);
      if (ranked.indexOf(topic) >= ranked.length / 2) bottom.push(value.dwellSeconds!);
    }
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(top.length).toBeGreaterThan(100);
    expect(bottom.length).toBeGreaterThan(30);
    expect(mean(top)).toBeGreaterThanOrEqual(2 * mean(bottom));
  });

  it('ranks by expected dwell better than at random on the simulated reads (dwell-graded NDCG@10)', () => {
    const { world } = base;
    interface Session {
      userId: string;
      day: number;
      slate: string[];
      dwell: Map<string, number>;
    }
    const sessions = new Map<string, Session>();
    for (const e of base.events) {
      if (e.kind !== 'interaction') continue;
      const s: Session = sessions.get(e.value.sessionId!) ?? {
        userId: e.value.userId,
        day: e.day,
        slate: [],
        dwell: new Map(),
      };
      sessions.set(e.value.sessionId!, s);
      if (e.value.type === 'impression') s.slate.push(e.value.articleId);
      if (e.value.type === 'read')
        s.dwell.set(e.value.articleId, (s.dwell.get(e.value.articleId) ?? 0) + e.value.dwellSeconds!);
    }
    const ndcg = (ranking: string[], dwell: Map<string, number>) => {
      const gain = (ids: string[]) =>
        ids.slice(0, 10).reduce((s, id, r) => s + (dwell.get(id) ?? 0) / Math.log2(r + 2), 0);
      return gain(ranking) / gain([...dwell.keys()].sort((a, b) => dwell.get(b)! - dwell.get(a)!));
    };
    const rng = new Rng('ndcg-test');
    let oracle = 0;
    let random = 0;
    let n = 0;
    for (const s of sessions.values()) {
      if (s.dwell.size === 0) continue;
      oracle += ndcg(world.oracleRanking(s.userId, s.slate, s.day), s.dwell);
      random += ndcg(rng.shuffle([...s.slate]), s.dwell);
      n++;
    }
    expect(n).toBeGreaterThan(300);
    expect(oracle / n).toBeGreaterThan(random / n + 0.1);
  });

  it('gives the expected dwell of any article, shown or not, and refuses unknown ids', () => {
    const { world, events } = run({ readers: 3 });
    const shown = new Set(events.flatMap((e) => (e.kind === 'interaction' ? [e.value.articleId] : [])));
    const never = Array.from({ length: world.articleCount }, (_, i) => world.articleId(i)).find(
      (id) => !shown.has(id),
    );
    expect(never).toBeDefined();
    expect(world.expectedDwell('u-000001', never!)).toBeGreaterThan(0);
    expect(() => world.expectedDwell('u-999999', never!)).toThrow(/unknown reader/);
    expect(() => world.expectedDwell('u-000001', 'a-s1-20261101-000000')).toThrow(/unknown article/);
    // Reader u is the same person in every preset with the same seed.
    const pilot = new World(worldConfig('pilot', { readers: 300, articlesPerDay: 50, days: 1 }));
    expect(Array.from(pilot.interests.subarray(0, 36))).toEqual(Array.from(world.interests.subarray(0, 36)));
  });

  it('exports the ground truth as JSON lines that give the same oracle ranking', async () => {
    const { world } = base;
    const records = [...exportTruth(world)];
    expect(records[0]).toMatchObject({ kind: 'world', readers: 200, articles: world.articleCount });
    expect(records.filter((r) => r.kind === 'reader')).toHaveLength(200);
    expect(records.filter((r) => r.kind === 'article')).toHaveLength(world.articleCount);
    const dir = mkdtempSync(join(tmpdir(), 'datagen-'));
    try {
      const file = join(dir, 'truth.jsonl');
      await writeTruthJsonl(world, file);
      const truth = await readTruthJsonl(file);
      const candidates = Array.from({ length: 30 }, (_, i) => world.articleId(i * 5));
      for (const reader of ['u-000000', 'u-000042', 'u-000199']) {
        expect(truth.oracleRanking(reader, candidates)).toEqual(world.oracleRanking(reader, candidates));
        expect(truth.expectedDwell(reader, candidates[3])).toBeCloseTo(
          world.expectedDwell(reader, candidates[3]),
          3,
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a story takes over from the given day: the days before are unchanged, then readers and publishers turn to its topics', () => {
    const drifted = run({ interestDriftFromDay: 1 });
    expect(digest(drifted.events, (e) => e.day === 0)).toBe(digest(base.events, (e) => e.day === 0));
    const story = ['health', 'world'].map((t) => base.world.topics.indexOf(t));
    const inStory = (world: World, articleId: string) =>
      story.includes(world.articleTopic[world.articleIndex(articleId)]);
    /** Share of a day's reads, or of its new articles, about the story's topics. */
    const readShare = ({ world, events }: { world: World; events: WorldEvent[] }, day: number) => {
      const dayReads = reads(events).filter((r) => r.day === day);
      return dayReads.filter((r) => inStory(world, r.value.articleId)).length / dayReads.length;
    };
    const articleShare = ({ world, events }: { world: World; events: WorldEvent[] }, day: number) => {
      const ids = events.filter((e) => e.kind === 'article' && e.day === day).map((e) => e.key);
      return ids.filter((id) => inStory(world, id)).length / ids.length;
    };
    expect(readShare(drifted, 0)).toBeCloseTo(readShare(base, 0), 5);
    expect(readShare(drifted, 1)).toBeGreaterThan(2 * readShare(base, 1));
    // Half of the new articles are the story's, on top of what its topics had anyway.
    expect(articleShare(drifted, 1)).toBeGreaterThan(articleShare(base, 1) + 0.35);
    expect(articleShare(drifted, 0)).toBeCloseTo(articleShare(base, 0), 5);
    // The ground truth follows: after the drift day the rotated interests are in effect.
    const { world } = drifted;
    const article = world.articleId(world.articleRange(0).first); // the same article in both worlds
    expect(world.expectedDwell('u-000003', article, 0)).toBe(
      base.world.expectedDwell('u-000003', article, 0),
    );
    expect(world.expectedDwell('u-000003', article, 1)).not.toBe(
      base.world.expectedDwell('u-000003', article, 1),
    );
  });

  it('a breaking topic: unknown before the story, then what it is about, in words of its own', () => {
    const breaking = run({ interestDriftFromDay: 1, breakingTopic: 'pandemic' });
    const { world, events } = breaking;
    // Until the story the world is the one without it, event for event.
    expect(digest(events, (e) => e.day === 0)).toBe(digest(base.events, (e) => e.day === 0));
    const pandemic = world.topics.indexOf('pandemic');
    expect(pandemic).toBe(base.world.topics.length);
    const words = new Set(world.vocabulary.topics[pandemic].words);
    const articles = (day: number) =>
      events.flatMap((e) => (e.kind === 'article' && e.day === day ? [e.value] : []));
    const mentions = (a: Article) =>
      [...a.title.split(' '), ...(a.body ?? '').split(/[ .]/)].some((w) => words.has(w.toLowerCase()));
    expect(articles(0).some((a) => a.category === 'pandemic' || mentions(a))).toBe(false);
    const storyArticles = articles(1).filter((a) => a.category === 'pandemic');
    // Every publisher covers it by volume: about driftCoverage of the day's new articles.
    expect(storyArticles.length / articles(1).length).toBeGreaterThan(0.4);
    expect(storyArticles.every(mentions)).toBe(true);
    expect(
      articles(1)
        .filter((a) => a.category !== 'pandemic')
        .some(mentions),
    ).toBe(false);
    // No one cared before; from the story's day it takes most of the readers' interest.
    const K = world.topics.length;
    const interestIn = (interests: Float32Array) =>
      Array.from({ length: world.readerCount }, (_, u) => interests[u * K + pandemic]);
    expect(interestIn(world.interests).every((x) => x === 0)).toBe(true);
    expect(Math.min(...interestIn(world.driftedInterests!))).toBeCloseTo(world.config.driftStrength, 5);
    const dayReads = reads(events).filter((r) => r.day === 1);
    const aboutIt = dayReads.filter(
      (r) => world.articleTopic[world.articleIndex(r.value.articleId)] === pandemic,
    );
    expect(aboutIt.length / dayReads.length).toBeGreaterThan(0.5);
  });

  it('drops the traffic of the given day to the given factor', () => {
    const dropped = run({ volumeDropOnDay: 1, volumeDropFactor: 0.1 });
    const count = (events: WorldEvent[], day: number) =>
      events.filter((e) => e.kind === 'interaction' && e.day === day).length;
    expect(count(dropped.events, 0)).toBe(count(base.events, 0));
    const ratio = count(dropped.events, 1) / count(base.events, 1);
    expect(ratio).toBeGreaterThan(0.05);
    expect(ratio).toBeLessThan(0.16);
    // Publishers are quiet too: a tenth of the day's new articles, the other days as they were.
    const articles = (events: WorldEvent[], day: number) =>
      events.filter((e) => e.kind === 'article' && e.day === day && e.value.eventId.endsWith('-v0')).length;
    expect(articles(dropped.events, 0)).toBe(articles(base.events, 0));
    expect(articles(dropped.events, 1)).toBe(Math.round(articles(base.events, 1) / 10));
  });

  it('starts "now" at midnight UTC the preset\'s days ago, and names bad config fields', () => {
    expect(startForNow(7, new Date('2026-03-10T15:04:05Z'))).toBe('2026-03-03T00:00:00.000Z');
    expect(startEndingNow(2, Date.parse('2026-03-10T15:04:05Z'))).toBe('2026-03-08T15:04:00.000Z');
    expect(() => worldConfig('small', { corruptedShare: 2 })).toThrow(/^corruptedShare: /);
    expect(() => worldConfig('small', { interestDriftFromDay: 5 })).toThrow(/^interestDriftFromDay: /);
    expect(() => worldConfig('small', { interestDriftFromDay: 1, driftTopics: ['gossip'] })).toThrow(
      /^driftTopics: /,
    );
    expect(() =>
      worldConfig('small', { interestDriftFromDay: 1, driftTopics: ['health', 'health'] }),
    ).toThrow(/^driftTopics: /);
    expect(() => worldConfig('small', { breakingTopic: 'pandemic' })).toThrow(/^breakingTopic: .*needs/);
    for (const taken of ['health', 'outbreak'])
      expect(() => worldConfig('small', { interestDriftFromDay: 1, breakingTopic: taken })).toThrow(
        /^breakingTopic: expected a new/,
      );
    // Without drift, a world of other topics needs no drift topics among them.
    expect(() => worldConfig('small', { topics: ['a', 'b'] })).not.toThrow();
    expect(() => worldConfig('small', { start: 'yesterday' })).toThrow(/^start: /);
  });
});

describe('a producer without impression logs', () => {
  it('sends the articles and reads of the world, and no impression or click', () => {
    const events = [...readsOnly(simulate(new World(worldConfig('small', { seed: 5 }))))];
    const all = [...simulate(new World(worldConfig('small', { seed: 5 })))];
    const types = new Set(events.flatMap((e) => (e.kind === 'interaction' ? [e.value.type] : [])));
    expect([...types]).toEqual(['read']);
    const count = (list: typeof all, test: (e: (typeof all)[number]) => boolean) => list.filter(test).length;
    const isRead = (e: (typeof all)[number]) => e.kind === 'interaction' && e.value.type === 'read';
    expect(count(events, isRead)).toBe(count(all, isRead));
    expect(count(events, (e) => e.kind === 'article')).toBe(count(all, (e) => e.kind === 'article'));
  });
});

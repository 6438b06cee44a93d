import { Region, regions } from './regions';
import { defaultTopics, isSeedWord } from './vocabulary';

export type PresetName = 'small' | 'pilot' | 'full-day';
export const presetNames: readonly PresetName[] = ['small', 'pilot', 'full-day'];

/** Everything that shapes a synthetic world; the same config (seed included) gives the same output. */
export interface WorldConfig {
  seed: number;
  /** ISO-8601 instant at which day 0 starts (normally a midnight UTC). */
  start: string;
  days: number;
  readers: number;
  /** New articles per day (each day varies by a few percent around this). */
  articlesPerDay: number;
  publishers: number;
  topics: readonly string[];
  /** Tokens per topic vocabulary (real seed words + generated pseudo-words). */
  vocabularyPerTopic: number;
  /** Share of readers per region (normalised). */
  regionShares: Record<Region, number>;
  /** Mean sessions per reader per day; each reader's own rate is heavy-tailed around it. */
  sessionsPerReaderPerDay: number;
  slateSize: { min: number; max: number };
  /** Articles published in the hours before day 0, so the first sessions have something to read. */
  warmupHours: number;
  /** Share of articles that get a revision (same articleId, new eventId, edited title). */
  revisionShare: number;
  /**
   * From this day (0-based) on, a story takes over: every reader's interests move towards
   * `driftTopics`, and publishers that cover them write `driftCoverage` of the new articles about them.
   */
  interestDriftFromDay: number | null;
  /** 0 = no shift, 1 = interests fully moved to the drift topics. */
  driftStrength: number;
  /** The topics the audience turns to (names among `topics`). */
  driftTopics: readonly string[];
  /** Share of each drifted day's new articles about the drift topics, by publishers that cover them. */
  driftCoverage: number;
  /**
   * A topic the world had no articles, words or readers for before `interestDriftFromDay` (an
   * outbreak, a war no one saw coming): when set, the story is about it instead of `driftTopics`,
   * every publisher covers it by volume, and a model trained before the story has never seen it.
   */
  breakingTopic: string | null;
  /** On this day (0-based) only `volumeDropFactor` of the normal traffic happens: reads and new articles. */
  volumeDropOnDay: number | null;
  volumeDropFactor: number;
  /** Share of interaction records replaced by corrupted raw strings. */
  corruptedShare: number;
}

export const defaultStart = '2026-11-01T00:00:00.000Z';

const base: Omit<WorldConfig, 'days' | 'readers' | 'articlesPerDay' | 'publishers'> = {
  seed: 42,
  start: defaultStart,
  topics: defaultTopics,
  vocabularyPerTopic: 300,
  regionShares: { 'latin-america': 0.4, africa: 0.25, 'north-america': 0.35 },
  // Calibrated so that the full-day preset gives ~5 million reads for 521,000 readers.
  sessionsPerReaderPerDay: 3.8,
  slateSize: { min: 10, max: 20 },
  warmupHours: 6,
  revisionShare: 0.02,
  interestDriftFromDay: null,
  driftStrength: 0.8,
  driftTopics: ['health', 'world'],
  driftCoverage: 0.5,
  breakingTopic: null,
  volumeDropOnDay: null,
  volumeDropFactor: 0.1,
  corruptedShare: 0,
};

export const presets: Record<PresetName, WorldConfig> = {
  /** For unit tests: generated in well under a second. */
  small: { ...base, days: 2, readers: 200, articlesPerDay: 100, publishers: 12 },
  /** The pilot: 15,000 readers, 7 days of history. */
  pilot: { ...base, days: 7, readers: 15_000, articlesPerDay: 5_000, publishers: 60 },
  /** One day of the full company: 521,000 readers, 144,000 new articles (~5 million reads). */
  'full-day': { ...base, days: 1, readers: 521_000, articlesPerDay: 144_000, publishers: 400 },
};

/** Thrown for a config value out of range; `field` names it. */
export class WorldConfigError extends Error {
  override readonly name = 'WorldConfigError';
  constructor(
    readonly field: keyof WorldConfig | string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** A preset with overrides, checked. */
export function worldConfig(preset: PresetName, overrides: Partial<WorldConfig> = {}): WorldConfig {
  const config: WorldConfig = { ...presets[preset], ...stripUndefined(overrides) };
  validateWorldConfig(config);
  return config;
}

/** The start for "now": today's midnight UTC minus `days`, so the world ends at today's midnight. */
export function startForNow(days: number, now: Date = new Date()): string {
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(midnight - days * 86_400_000).toISOString();
}

/**
 * The start of a world of `days` days that ends now, to the minute: a service's default window
 * ("the last N days") holds all of it, and its last day is the world's last.
 */
export function startEndingNow(days: number, now: number = Date.now()): string {
  return new Date(Math.floor(now / 60_000) * 60_000 - days * 86_400_000).toISOString();
}

export function validateWorldConfig(c: WorldConfig): void {
  const int = (field: keyof WorldConfig, value: number, min: number, max = Number.MAX_SAFE_INTEGER) => {
    if (!Number.isInteger(value) || value < min || value > max)
      throw new WorldConfigError(field, `expected an integer from ${min} to ${max}, got ${value}`);
  };
  const share = (field: keyof WorldConfig, value: number) => {
    if (!(value >= 0 && value <= 1))
      throw new WorldConfigError(field, `expected a number from 0 to 1, got ${value}`);
  };
  int('seed', c.seed, 0, 2 ** 32 - 1);
  if (Number.isNaN(Date.parse(c.start)))
    throw new WorldConfigError('start', `expected an ISO-8601 date, got "${c.start}"`);
  int('days', c.days, 1, 3650);
  int('readers', c.readers, 1, 999_999);
  int('articlesPerDay', c.articlesPerDay, 1, 999_999);
  int('publishers', c.publishers, 1, 60_000);
  if (c.topics.length < 2 || c.topics.length > 255)
    throw new WorldConfigError('topics', 'expected 2 to 255 topics');
  if (new Set(c.topics).size !== c.topics.length)
    throw new WorldConfigError('topics', 'topic names must be unique');
  int('vocabularyPerTopic', c.vocabularyPerTopic, 20, 100_000);
  for (const region of regions) {
    if (!(c.regionShares[region] >= 0))
      throw new WorldConfigError('regionShares', `missing share for ${region}`);
  }
  if (!(regions.reduce((s, r) => s + c.regionShares[r], 0) > 0))
    throw new WorldConfigError('regionShares', 'shares must not all be 0');
  if (!(c.sessionsPerReaderPerDay > 0 && c.sessionsPerReaderPerDay <= 1000))
    throw new WorldConfigError('sessionsPerReaderPerDay', 'expected a number above 0 (at most 1000)');
  int('slateSize', c.slateSize.min, 1, 200);
  if (!Number.isInteger(c.slateSize.max) || c.slateSize.max < c.slateSize.min || c.slateSize.max > 200)
    throw new WorldConfigError('slateSize', 'expected min <= max <= 200');
  if (!(c.warmupHours >= 0 && c.warmupHours <= 48))
    throw new WorldConfigError('warmupHours', 'expected 0 to 48');
  share('revisionShare', c.revisionShare);
  if (c.interestDriftFromDay !== null) int('interestDriftFromDay', c.interestDriftFromDay, 0, c.days - 1);
  share('driftStrength', c.driftStrength);
  if (
    c.interestDriftFromDay !== null &&
    (c.driftTopics.length === 0 ||
      c.driftTopics.some((t) => !c.topics.includes(t)) ||
      new Set(c.driftTopics).size !== c.driftTopics.length)
  )
    throw new WorldConfigError(
      'driftTopics',
      `expected distinct topics of the world, got ${c.driftTopics.join(', ')}`,
    );
  share('driftCoverage', c.driftCoverage);
  if (c.breakingTopic !== null) {
    if (c.interestDriftFromDay === null)
      throw new WorldConfigError('breakingTopic', 'a breaking topic needs the day its story starts (interestDriftFromDay)');
    const name = c.breakingTopic;
    if (!/^[a-z][a-z-]{1,39}$/.test(name) || c.topics.includes(name) || isSeedWord(name))
      throw new WorldConfigError(
        'breakingTopic',
        `expected a new lower-case topic name, not a topic or word of the world, got "${name}"`,
      );
  }
  if (c.volumeDropOnDay !== null) int('volumeDropOnDay', c.volumeDropOnDay, 0, c.days - 1);
  share('volumeDropFactor', c.volumeDropFactor);
  share('corruptedShare', c.corruptedShare);
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

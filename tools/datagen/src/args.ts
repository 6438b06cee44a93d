import {
  PresetName,
  WorldConfig,
  WorldConfigError,
  presetNames,
  presets,
  startForNow,
  worldConfig,
} from '@newsroom/datagen';

export const usage = `usage:
  datagen world --preset small|pilot|full-day [--seed 42] [--start now|ISO-8601] [--days N]
                [--drift-from-day N [--breaking-topic NAME]] [--volume-drop-day N [--volume-drop-factor 0.1]]
                [--corrupt SHARE] [--reads-only] [--truth-out FILE] [--dry-run] [--batch-size N] [--in-flight N]
  datagen mind --news news.tsv --behaviors behaviors.tsv [--read-dwell SECONDS] [--no-history]
               [--dry-run] [--batch-size N] [--in-flight N]

  world  publishes a synthetic news world (articles.raw, then interactions.raw, day by day);
         --breaking-topic makes the drift a story about a topic the world never had before
         --reads-only leaves out impressions and clicks (a producer without impression logs)
  mind   imports the Microsoft News Dataset (MIND) format
  --dry-run generates and counts without Kafka. Environment: KAFKA_BROKERS, KAFKA_TOPIC_PREFIX.`;

/** A bad command line; the message names the flag. The CLI exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

interface Common {
  dryRun: boolean;
  batchSize: number;
  inFlight: number;
}

export type Command =
  | { command: 'help' }
  | ({
      command: 'world';
      preset: PresetName;
      config: WorldConfig;
      truthOut?: string;
      readsOnly: boolean;
    } & Common)
  | ({
      command: 'mind';
      news: string;
      behaviors: string;
      history: boolean;
      readDwellSeconds?: number;
    } & Common);

type FlagKind = 'value' | 'switch';
const worldFlags: Record<string, FlagKind> = {
  '--preset': 'value',
  '--seed': 'value',
  '--start': 'value',
  '--days': 'value',
  '--drift-from-day': 'value',
  '--breaking-topic': 'value',
  '--volume-drop-day': 'value',
  '--volume-drop-factor': 'value',
  '--corrupt': 'value',
  '--reads-only': 'switch',
  '--truth-out': 'value',
  '--dry-run': 'switch',
  '--batch-size': 'value',
  '--in-flight': 'value',
};
const mindFlags: Record<string, FlagKind> = {
  '--news': 'value',
  '--behaviors': 'value',
  '--read-dwell': 'value',
  '--no-history': 'switch',
  '--dry-run': 'switch',
  '--batch-size': 'value',
  '--in-flight': 'value',
};

/** Which flag sets each config field, to name it in errors. */
const flagOfField: Partial<Record<keyof WorldConfig, string>> = {
  seed: '--seed',
  start: '--start',
  days: '--days',
  interestDriftFromDay: '--drift-from-day',
  breakingTopic: '--breaking-topic',
  volumeDropOnDay: '--volume-drop-day',
  volumeDropFactor: '--volume-drop-factor',
  corruptedShare: '--corrupt',
};

function parseFlags(args: string[], allowed: Record<string, FlagKind>): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const kind = allowed[name];
    if (!kind) throw new UsageError(`${name}: unknown flag`);
    if (flags.has(name)) throw new UsageError(`${name}: given twice`);
    if (kind === 'switch') {
      if (eq > 0) throw new UsageError(`${name}: takes no value`);
      flags.set(name, 'true');
    } else if (eq > 0) {
      flags.set(name, arg.slice(eq + 1));
    } else {
      const value = args[i + 1];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`${name}: expects a value`);
      flags.set(name, value);
      i++;
    }
  }
  return flags;
}

function integer(flags: Map<string, string>, name: string, min: number, max: number): number | undefined {
  const text = flags.get(name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < min || value > max) {
    throw new UsageError(`${name}: expected an integer from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

function number(flags: Map<string, string>, name: string, min: number, max: number): number | undefined {
  const text = flags.get(name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new UsageError(`${name}: expected a number from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

function common(flags: Map<string, string>): Common {
  return {
    dryRun: flags.has('--dry-run'),
    batchSize: integer(flags, '--batch-size', 1, 100_000) ?? 2_000,
    inFlight: integer(flags, '--in-flight', 1, 64) ?? 4,
  };
}

/** Parses the command line (without `node main.js`); throws UsageError naming the bad flag. */
export function parseCommand(argv: string[], now: Date = new Date()): Command {
  const [command, ...args] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h')
    return { command: 'help' };
  if (command === 'world') return parseWorld(parseFlags(args, worldFlags), now);
  if (command === 'mind') return parseMind(parseFlags(args, mindFlags));
  throw new UsageError(`unknown command "${command}" (expected world or mind)`);
}

function parseWorld(flags: Map<string, string>, now: Date): Command {
  const preset = flags.get('--preset');
  if (preset === undefined) throw new UsageError(`--preset: required (${presetNames.join(', ')})`);
  if (!presetNames.includes(preset as PresetName)) {
    throw new UsageError(`--preset: expected one of ${presetNames.join(', ')}, got "${preset}"`);
  }
  const name = preset as PresetName;
  const days = integer(flags, '--days', 1, 3650) ?? presets[name].days;
  let start: string | undefined;
  const startText = flags.get('--start');
  if (startText === 'now') start = startForNow(days, now);
  else if (startText !== undefined) {
    const ms = /^\d{4}-\d{2}-\d{2}/.test(startText) ? Date.parse(startText) : NaN;
    if (Number.isNaN(ms))
      throw new UsageError(`--start: expected "now" or an ISO-8601 date, got "${startText}"`);
    start = new Date(ms).toISOString();
  }
  if (flags.has('--volume-drop-factor') && !flags.has('--volume-drop-day')) {
    throw new UsageError('--volume-drop-factor: needs --volume-drop-day');
  }
  const overrides: Partial<WorldConfig> = {
    seed: integer(flags, '--seed', 0, 2 ** 32 - 1),
    start,
    days,
    interestDriftFromDay: integer(flags, '--drift-from-day', 0, 3650),
    breakingTopic: flags.get('--breaking-topic'),
    volumeDropOnDay: integer(flags, '--volume-drop-day', 0, 3650),
    volumeDropFactor: number(flags, '--volume-drop-factor', 0, 1),
    corruptedShare: number(flags, '--corrupt', 0, 1),
  };
  let config: WorldConfig;
  try {
    config = worldConfig(name, overrides);
  } catch (error) {
    if (error instanceof WorldConfigError) {
      const flag = flagOfField[error.field as keyof WorldConfig] ?? error.field;
      throw new UsageError(`${flag}: ${error.message.slice(error.field.length + 2)}`);
    }
    throw error;
  }
  const truthOut = flags.get('--truth-out');
  if (truthOut === '') throw new UsageError('--truth-out: expected a file path');
  return {
    command: 'world',
    preset: name,
    config,
    truthOut,
    readsOnly: flags.has('--reads-only'),
    ...common(flags),
  };
}

function parseMind(flags: Map<string, string>): Command {
  const news = flags.get('--news');
  const behaviors = flags.get('--behaviors');
  if (!news) throw new UsageError('--news: required (path to news.tsv)');
  if (!behaviors) throw new UsageError('--behaviors: required (path to behaviors.tsv)');
  return {
    command: 'mind',
    news,
    behaviors,
    history: !flags.has('--no-history'),
    readDwellSeconds: number(flags, '--read-dwell', 0, 86_400),
    ...common(flags),
  };
}

import { presets } from '@newsroom/datagen';
import { UsageError, parseCommand } from './args';

describe('datagen command line', () => {
  const now = new Date('2026-03-10T15:04:05Z');

  it('builds the world config from a preset and flags', () => {
    const command = parseCommand(
      [
        'world',
        '--preset',
        'small',
        '--seed=7',
        '--days',
        '3',
        '--drift-from-day',
        '2',
        '--volume-drop-day',
        '1',
        '--volume-drop-factor',
        '0.2',
        '--corrupt',
        '0.01',
        '--truth-out',
        't.jsonl',
        '--reads-only',
        '--dry-run',
      ],
      now,
    );
    expect(command).toMatchObject({
      command: 'world',
      preset: 'small',
      truthOut: 't.jsonl',
      readsOnly: true,
      dryRun: true,
      batchSize: 2000,
      inFlight: 4,
      config: {
        ...presets.small,
        seed: 7,
        days: 3,
        interestDriftFromDay: 2,
        volumeDropOnDay: 1,
        volumeDropFactor: 0.2,
        corruptedShare: 0.01,
      },
    });
  });

  it("takes --start now as midnight UTC the preset's days ago, or an ISO date", () => {
    expect(parseCommand(['world', '--preset', 'pilot', '--start', 'now'], now)).toMatchObject({
      config: { start: '2026-03-03T00:00:00.000Z' },
    });
    expect(parseCommand(['world', '--preset', 'pilot', '--start', 'now', '--days', '2'], now)).toMatchObject({
      config: { start: '2026-03-08T00:00:00.000Z' },
    });
    expect(parseCommand(['world', '--preset', 'small', '--start', '2026-01-05'], now)).toMatchObject({
      config: { start: '2026-01-05T00:00:00.000Z' },
    });
  });

  it.each([
    [['world'], /^--preset: required/],
    [['world', '--preset', 'huge'], /^--preset: expected one of small, pilot, full-day/],
    [['world', '--preset', 'small', '--seed', 'abc'], /^--seed: /],
    [['world', '--preset', 'small', '--start', 'yesterday'], /^--start: /],
    [
      ['world', '--preset', 'small', '--drift-from-day', '2'],
      /^--drift-from-day: expected an integer from 0 to 1/,
    ],
    [
      ['world', '--preset', 'small', '--volume-drop-factor', '0.1'],
      /^--volume-drop-factor: needs --volume-drop-day/,
    ],
    [
      ['world', '--preset', 'small', '--breaking-topic', 'pandemic'],
      /^--breaking-topic: a breaking topic needs the day its story starts/,
    ],
    [['world', '--preset', 'small', '--corrupt', '1.5'], /^--corrupt: /],
    [['world', '--preset', 'small', '--seeds', '1'], /^--seeds: unknown flag/],
    [['world', '--preset'], /^--preset: expects a value/],
    [['world', '--preset', 'small', '--dry-run=yes'], /^--dry-run: takes no value/],
    [['mind', '--news', 'n.tsv'], /^--behaviors: required/],
    [['mind', '--news', 'n.tsv', '--behaviors', 'b.tsv', '--read-dwell', '-1'], /^--read-dwell: /],
    [['worlds'], /^unknown command "worlds"/],
  ])('rejects %j naming the flag', (argv, message) => {
    expect(() => parseCommand(argv as string[], now)).toThrow(UsageError);
    expect(() => parseCommand(argv as string[], now)).toThrow(message as RegExp);
  });

  it('parses the MIND import', () => {
    expect(
      parseCommand(['mind', '--news', 'n.tsv', '--behaviors', 'b.tsv', '--no-history', '--read-dwell', '30']),
    ).toEqual({
      command: 'mind',
      news: 'n.tsv',
      behaviors: 'b.tsv',
      history: false,
      readDwellSeconds: 30,
      dryRun: false,
      batchSize: 2000,
      inFlight: 4,
    });
  });
});

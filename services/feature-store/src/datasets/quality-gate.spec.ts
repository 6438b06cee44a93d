import { configSchema } from '../config';
import { FixtureRead, offlineData } from './offline-data.fixture';
import { qualityChecks } from './quality-gate';

const DAY = 86_400_000;
const config = { ...configSchema.parse({}), DATASET_GATE_MIN_READS: 1 };
const start = Date.parse('2026-11-01T00:00:00Z');
const articles = [
  { id: 'a1', category: 'sports' },
  { id: 'a2', category: 'politics' },
];
const window = {
  start: start + 7 * DAY,
  end: start + 8 * DAY,
  validationFrom: start + 8 * DAY - 6 * 3_600_000,
};

/** `perDay[d]` reads on day d, spread over the day. */
function reads(perDay: number[], extra: Partial<FixtureRead> = {}): FixtureRead[] {
  return perDay.flatMap((count, d) =>
    Array.from({ length: count }, (_, i) => ({
      user: `u${i % 10}`,
      article: i % 2 ? 'a1' : 'a2',
      at: start + d * DAY + i * 60_000,
      ...extra,
    })),
  );
}
const byName = (checks: ReturnType<typeof qualityChecks>, name: string) =>
  checks.find((c) => c.name === name)!;

describe('qualityChecks', () => {
  it('passes a window whose volume matches the preceding days', () => {
    const checks = qualityChecks(
      offlineData(articles, reads([100, 100, 100, 100, 100, 100, 100, 100])),
      window,
      config,
    );
    expect(checks.every((c) => c.passed)).toBe(true);
    expect(byName(checks, 'volume').value).toBe(1);
  });

  it('fails a window with a tenth of the expected volume, and one with five times', () => {
    const thin = qualityChecks(
      offlineData(articles, reads([100, 100, 100, 100, 100, 100, 100, 10])),
      window,
      config,
    );
    expect(byName(thin, 'volume')).toMatchObject({ passed: false, value: 0.1 });
    const flood = qualityChecks(
      offlineData(articles, reads([20, 20, 20, 20, 20, 20, 20, 100])),
      window,
      config,
    );
    expect(byName(flood, 'volume')).toMatchObject({ passed: false, value: 5 });
  });

  it('without a day of history, only the minimum number of reads applies', () => {
    const checks = qualityChecks(offlineData(articles, reads([0, 0, 0, 0, 0, 0, 0, 5])), window, config);
    expect(byName(checks, 'volume')).toMatchObject({ passed: true, value: null });
    expect(
      qualityChecks(offlineData(articles, reads([0, 0, 0, 0, 0, 0, 0, 5])), window, {
        ...config,
        DATASET_GATE_MIN_READS: 6,
      }).find((c) => !c.passed)?.name,
    ).toBe('min-reads');
  });

  it('measures unknown articles, missing regions, long dwell, duplicates and unseen categories', () => {
    const history = reads([100, 100, 100, 100, 100, 100, 100, 0]);
    const day = window.start + 3_600_000;
    const windowReads: FixtureRead[] = [
      ...Array.from({ length: 80 }, (_, i) => ({ user: `u${i}`, article: 'a1', at: day + i * 1000 })),
      ...Array.from({ length: 10 }, (_, i) => ({ user: `v${i}`, article: 'unknown', at: day + i * 1000 })),
      ...Array.from({ length: 5 }, (_, i) => ({
        user: `w${i}`,
        article: 'a1',
        at: day + i * 1000,
        region: null,
      })),
      ...Array.from({ length: 3 }, (_, i) => ({
        user: `x${i}`,
        article: 'a3',
        at: day + i * 1000,
        dwell: 7_200,
      })),
      // A repeat of the first read: same reader, article and instant.
      { user: 'u0', article: 'a1', at: day },
      { user: 'y', article: 'a3', at: day },
    ];
    const checks = qualityChecks(
      offlineData([...articles, { id: 'a3', category: 'weather' }], [...history, ...windowReads]),
      window,
      config,
    );
    expect(windowReads).toHaveLength(100);
    expect(byName(checks, 'unknown-article-share')).toMatchObject({ value: 0.1, passed: false });
    expect(byName(checks, 'missing-region-share')).toMatchObject({ value: 0.05, passed: true });
    expect(byName(checks, 'dwell-out-of-range-share')).toMatchObject({ value: 0.03, passed: false });
    expect(byName(checks, 'duplicate-share')).toMatchObject({ value: 0.01, passed: true });
    expect(byName(checks, 'unseen-category-share')).toMatchObject({ value: 0.04, passed: true });
  });

  it('ignores impressions and clicks', () => {
    const events = [
      ...reads([100, 100, 100, 100, 100, 100, 100, 100]),
      ...reads([0, 0, 0, 0, 0, 0, 0, 1000], { kind: 0 }),
    ];
    expect(byName(qualityChecks(offlineData(articles, events), window, config), 'volume').value).toBe(1);
  });
});

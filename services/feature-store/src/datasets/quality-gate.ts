import { QualityCheck } from '@newsroom/contracts';
import { z } from 'zod';
import { FeatureStoreConfig } from '../config';
import { OfflineData } from './offline-store';
import { roundFeature } from '../feature-definitions/reader-profile';
import { SnapshotWindow } from './snapshot-window';

export type QualityCheckResult = z.infer<typeof QualityCheck>;
export type GateConfig = Pick<
  FeatureStoreConfig,
  | 'DATASET_GATE_MIN_VOLUME_RATIO'
  | 'DATASET_GATE_MAX_VOLUME_RATIO'
  | 'DATASET_GATE_BASELINE_DAYS'
  | 'DATASET_GATE_MIN_READS'
  | 'DATASET_GATE_MAX_NULL_SHARE'
  | 'DATASET_GATE_MAX_DWELL_SECONDS'
  | 'DATASET_GATE_MAX_DWELL_OUT_OF_RANGE_SHARE'
  | 'DATASET_GATE_MAX_DUPLICATE_SHARE'
  | 'DATASET_GATE_MAX_UNSEEN_CATEGORY_SHARE'
>;

const READ = 2;
const DAY = 86_400_000;

function check(
  name: string,
  value: number | null,
  min: number | null,
  max: number | null,
  detail: string,
): QualityCheckResult {
  const rounded = value === null ? null : roundFeature(value);
  const passed = rounded === null || ((min === null || rounded >= min) && (max === null || rounded <= max));
  return { name, passed, value: rounded, min, max, detail };
}

/**
 * The data-quality gate a window's reads must pass before they become a dataset: volume against the
 * preceding days, unknown articles and missing regions, dwell range, duplicates, unseen categories.
 */
export function qualityChecks(
  data: OfflineData,
  window: SnapshotWindow,
  config: GateConfig,
): QualityCheckResult[] {
  const baselineStart = window.start - config.DATASET_GATE_BASELINE_DAYS * DAY;
  const categoryOf = (article: number) => data.articleVersions[article][0]?.category;
  const seenBefore = new Set<string>();
  const repeats = new Set<string>();
  let reads = 0;
  let baselineReads = 0;
  let firstRead = Infinity;
  let unknownArticle = 0;
  let missingRegion = 0;
  let longDwell = 0;
  let duplicates = 0;
  const windowCategories: (string | undefined)[] = [];
  for (let i = 0; i < data.count; i++) {
    if (data.kind[i] !== READ) continue;
    const t = data.time[i];
    firstRead = Math.min(firstRead, t);
    if (t < window.start) {
      if (t >= baselineStart) baselineReads += 1;
      const category = categoryOf(data.article[i]);
      if (category !== undefined) seenBefore.add(category);
      continue;
    }
    if (t >= window.end) continue;
    reads += 1;
    const category = categoryOf(data.article[i]);
    if (category === undefined) unknownArticle += 1;
    windowCategories.push(category);
    if (data.region[i] < 0) missingRegion += 1;
    if (data.dwell[i] > config.DATASET_GATE_MAX_DWELL_SECONDS) longDwell += 1;
    const key = `${data.user[i]}:${data.article[i]}:${t}`;
    if (repeats.has(key)) duplicates += 1;
    else repeats.add(key);
  }
  const share = (n: number) => (reads === 0 ? null : n / reads);
  const windowDays = (window.end - window.start) / DAY;
  // The expectation is the daily mean over the baseline days that have data; under a day of
  // history says nothing about a daily rhythm, so then only the minimum applies.
  const baselineDays = (window.start - Math.max(baselineStart, firstRead)) / DAY;
  const expected =
    baselineReads > 0 && baselineDays >= 1 ? (baselineReads / baselineDays) * windowDays : null;
  const unseen =
    seenBefore.size === 0
      ? null
      : windowCategories.filter((c) => c !== undefined && !seenBefore.has(c)).length;

  return [
    check('min-reads', reads, config.DATASET_GATE_MIN_READS, null, 'reads in the window'),
    check(
      'volume',
      expected === null ? null : reads / expected,
      config.DATASET_GATE_MIN_VOLUME_RATIO,
      config.DATASET_GATE_MAX_VOLUME_RATIO,
      expected === null
        ? 'no reads before the window to compare with'
        : `${reads} reads against ${Math.round(expected)} expected from the daily mean of the preceding days`,
    ),
    check(
      'unknown-article-share',
      share(unknownArticle),
      null,
      config.DATASET_GATE_MAX_NULL_SHARE,
      'reads of articles without features',
    ),
    check(
      'missing-region-share',
      share(missingRegion),
      null,
      config.DATASET_GATE_MAX_NULL_SHARE,
      'reads without a region',
    ),
    check(
      'dwell-out-of-range-share',
      share(longDwell),
      null,
      config.DATASET_GATE_MAX_DWELL_OUT_OF_RANGE_SHARE,
      `reads with dwell above ${config.DATASET_GATE_MAX_DWELL_SECONDS} s`,
    ),
    check(
      'duplicate-share',
      share(duplicates),
      null,
      config.DATASET_GATE_MAX_DUPLICATE_SHARE,
      'reads repeating another (same reader, article and instant)',
    ),
    check(
      'unseen-category-share',
      unseen === null ? null : share(unseen),
      null,
      config.DATASET_GATE_MAX_UNSEEN_CATEGORY_SHARE,
      unseen === null
        ? 'no reads before the window to compare with'
        : 'reads in categories never read before the window',
    ),
  ];
}

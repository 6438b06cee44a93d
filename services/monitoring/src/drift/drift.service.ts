import { Inject, Injectable } from '@nestjs/common';
import { quotedSchema } from '@newsroom/persistence';
import { SERVICE_CONFIG } from '@newsroom/platform';
import { DataSource } from 'typeorm';
import { round4 } from '../report-rounding';
import { MonitoringConfig } from '../config';
import { Champion } from '../lineage/lineage.service';
import { HOUR_MS, floorHour } from '../observations/observation-fold';
import { HourlyCounts, TimeWindow } from '../observations/hourly-counts';
import { StreamWatermarks } from '../observations/stream-watermarks';
import { DriftFeature, driftFeatures } from './drift-features';
import { DriftReport, FeatureDrift } from './drift-report';
import { jensenShannonDistance, normalisedWasserstein } from './drift-statistics';

/**
 * Data drift: each monitored feature's distribution over the champion's training window (the
 * reference) against the sliding window of whole hours up to the reads' watermark (the current data), from the
 * hourly counters. A feature drifts when its distance reaches the threshold; the data drifts when
 * the drifted share of the features judged reaches the share threshold (Evidently's defaults:
 * 0.1 and 0.5). A feature with fewer than MONITORING_DRIFT_MIN_SAMPLES observations on either
 * side is not judged, and the data is judged only when at least half of the features are.
 */
@Injectable()
export class DriftService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly counts: HourlyCounts,
    private readonly watermarks: StreamWatermarks,
    @Inject(SERVICE_CONFIG) private readonly config: MonitoringConfig,
  ) {}

  /** The report for the champion now, or null without a reference window or any read. */
  async measure(champion: Champion): Promise<DriftReport | null> {
    const watermark = await this.watermarks.watermark('reads');
    if (!champion.trainingWindow || !watermark) return null;
    // Whole hours only: a partial last hour would make readers look less active than they are.
    const to = new Date(floorHour(watermark.getTime()));
    const current: TimeWindow = {
      from: new Date(to.getTime() - this.config.MONITORING_DRIFT_WINDOW_HOURS * HOUR_MS),
      to,
    };
    const reference: TimeWindow = { from: champion.trainingWindow.start, to: champion.trainingWindow.end };
    const features: FeatureDrift[] = [];
    for (const feature of driftFeatures) features.push(await this.featureDrift(feature, reference, current));
    const judged = features.filter((f) => f.verdict !== 'insufficient-data');
    const drifted = judged.filter((f) => f.verdict === 'drifted');
    const driftedShare = judged.length > 0 ? drifted.length / judged.length : 0;
    const minJudged = Math.ceil(driftFeatures.length / 2);
    return {
      createdAt: new Date().toISOString(),
      modelVersion: champion.modelVersion,
      reference: { from: reference.from.toISOString(), to: reference.to.toISOString() },
      current: { from: current.from.toISOString(), to: current.to.toISOString() },
      features,
      driftedShare,
      shareThreshold: this.config.MONITORING_DRIFT_SHARE_THRESHOLD,
      minJudged,
      drifted: judged.length >= minJudged && driftedShare >= this.config.MONITORING_DRIFT_SHARE_THRESHOLD,
    };
  }

  async save(report: DriftReport): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO ${this.schema}.drift_reports (created_at, model_version, drifted, report) VALUES ($1, $2, $3, $4)`,
      [report.createdAt, report.modelVersion, report.drifted, JSON.stringify(report)],
    );
  }

  async latest(): Promise<DriftReport | null> {
    const [row]: { report: DriftReport }[] = await this.dataSource.query(
      `SELECT report FROM ${this.schema}.drift_reports ORDER BY report_id DESC LIMIT 1`,
    );
    return row?.report ?? null;
  }

  /** Reports newest first, before `before` when given. */
  async history(limit: number, before?: Date): Promise<DriftReport[]> {
    const rows: { report: DriftReport }[] = await this.dataSource.query(
      `SELECT report FROM ${this.schema}.drift_reports WHERE ($2::timestamptz IS NULL OR created_at < $2)
       ORDER BY report_id DESC LIMIT $1`,
      [limit, before ?? null],
    );
    return rows.map((r) => r.report);
  }

  /** Deletes reports older than the retention; returns how many. */
  async prune(retentionDays: number): Promise<number> {
    const [, deleted] = await this.dataSource.query(
      `DELETE FROM ${this.schema}.drift_reports WHERE created_at < now() - make_interval(days => $1)`,
      [retentionDays],
    );
    return deleted as number;
  }

  private get schema(): string {
    return quotedSchema(this.dataSource);
  }

  private async featureDrift(
    feature: DriftFeature,
    reference: TimeWindow,
    current: TimeWindow,
  ): Promise<FeatureDrift> {
    const threshold = this.config.MONITORING_DRIFT_FEATURE_THRESHOLD;
    const minSamples = this.config.MONITORING_DRIFT_MIN_SAMPLES;
    let value: number;
    let referenceCount: number;
    let currentCount: number;
    if (feature.kind === 'categorical') {
      const [a, b] = [
        await this.counts.byKey(feature.metric, reference),
        await this.counts.byKey(feature.metric, current),
      ];
      [referenceCount, currentCount] = [sum(a.values()), sum(b.values())];
      value = jensenShannonDistance(a, b);
    } else {
      const [a, b] = feature.metric
        ? [
            binCounts(feature.bins.centres.length, await this.counts.byKey(feature.metric, reference)),
            binCounts(feature.bins.centres.length, await this.counts.byKey(feature.metric, current)),
          ]
        : [
            readerBins(feature, await this.counts.readsPerReader(reference)),
            readerBins(feature, await this.counts.readsPerReader(current)),
          ];
      [referenceCount, currentCount] = [sum(a), sum(b)];
      value = normalisedWasserstein(feature.bins, a, b);
    }
    const judged = referenceCount >= minSamples && currentCount >= minSamples && Number.isFinite(value);
    return {
      name: feature.name,
      kind: feature.kind,
      method: feature.kind === 'categorical' ? 'jensen-shannon' : 'wasserstein-normed',
      value: judged ? round4(value) : null,
      threshold,
      verdict: !judged ? 'insufficient-data' : value >= threshold ? 'drifted' : 'stable',
      referenceCount,
      currentCount,
    };
  }
}

function binCounts(bins: number, byKey: Map<string, number>): number[] {
  const counts = new Array<number>(bins).fill(0);
  for (const [key, value] of byKey) counts[Number(key)] += value;
  return counts;
}

function readerBins(feature: DriftFeature & { kind: 'numeric' }, readers: Map<number, number>): number[] {
  const counts = new Array<number>(feature.bins.centres.length).fill(0);
  for (const [reads, n] of readers) counts[feature.bins.indexOf(reads)] += n;
  return counts;
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

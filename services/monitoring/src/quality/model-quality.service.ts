import { Inject, Injectable } from '@nestjs/common';
import { quotedSchema } from '@newsroom/persistence';
import { SERVICE_CONFIG } from '@newsroom/platform';
import { DataSource } from 'typeorm';
import { round4 } from '../report-rounding';
import { MonitoringConfig } from '../config';
import { HOUR_MS, NO_REGION, floorHour } from '../observations/observation-fold';
import { HourlyCounts, TimeWindow } from '../observations/hourly-counts';
import { StreamWatermarks } from '../observations/stream-watermarks';
import { ModelQualityReport, OnlineQuality } from './model-quality';

/** Articles published this long before a window's end are the pool coverage is measured against. */
const COVERAGE_POOL_MS = 48 * HOUR_MS;

interface QualityRow {
  model_version: string | null;
  source: string;
  region: string | null;
  all_regions: number;
  lists: number;
  hit_rate: number;
  mrr: number;
  dwell: number;
  distinct_articles: number;
}

/**
 * Online model quality from ground truth: the lists served over MONITORING_QUALITY_WINDOW_HOURS
 * whose horizon has passed (by the reads' watermark), per model version and source, overall and per
 * region; each version against the fallback served meanwhile (the control group), against what
 * evaluation measured offline, and against its own first window with enough lists.
 */
@Injectable()
export class ModelQualityService {
  private latest?: ModelQualityReport;

  constructor(
    private readonly dataSource: DataSource,
    private readonly counts: HourlyCounts,
    private readonly watermarks: StreamWatermarks,
    @Inject(SERVICE_CONFIG) private readonly config: MonitoringConfig,
  ) {}

  private get schema(): string {
    return quotedSchema(this.dataSource);
  }

  /** The report now, or null before any read. */
  async measure(): Promise<ModelQualityReport | null> {
    const watermark = await this.watermarks.watermark('reads');
    if (!watermark) return null;
    const horizonMs = this.config.MONITORING_QUALITY_HORIZON_HOURS * HOUR_MS;
    const to = new Date(floorHour(watermark.getTime() - horizonMs));
    const window: TimeWindow = {
      from: new Date(to.getTime() - this.config.MONITORING_QUALITY_WINDOW_HOURS * HOUR_MS),
      to,
    };
    const groups = await this.groups(window);
    const fallback =
      groups.find((g) => g.source === 'fallback' && g.region === null && g.modelVersion === null) ?? null;
    const offline = await this.offline();
    const versions = [];
    for (const personalized of groups.filter((g) => g.source === 'personalized' && g.region === null)) {
      const modelVersion = personalized.modelVersion ?? 'unknown';
      const judged = personalized.lists >= this.config.MONITORING_QUALITY_MIN_LISTS;
      const baseline = judged ? await this.baseline(modelVersion, personalized, window) : null;
      const recall = offline.get(modelVersion)?.['recallAt10'];
      versions.push({
        modelVersion,
        personalized,
        fallback,
        liftOverFallback:
          fallback && fallback.hitRateAt10 > 0
            ? round4(personalized.hitRateAt10 / fallback.hitRateAt10)
            : null,
        offline: offline.get(modelVersion) ?? null,
        onlineOverOfflineRecall: recall ? round4(personalized.hitRateAt10 / recall) : null,
        baseline,
        hitRateChange:
          baseline && baseline.hitRateAt10 > 0
            ? round4(personalized.hitRateAt10 / baseline.hitRateAt10 - 1)
            : null,
      });
    }
    this.latest = {
      createdAt: new Date().toISOString(),
      window: { from: window.from.toISOString(), to: window.to.toISOString() },
      horizonHours: this.config.MONITORING_QUALITY_HORIZON_HOURS,
      minLists: this.config.MONITORING_QUALITY_MIN_LISTS,
      groups,
      versions,
    };
    return this.latest;
  }

  /** The last report measured (by the job, every check), without measuring again. */
  lastReport(): ModelQualityReport | null {
    return this.latest ?? null;
  }

  private async groups(window: TimeWindow): Promise<OnlineQuality[]> {
    const rows: QualityRow[] = await this.dataSource.query(
      `WITH lists AS (
         SELECT * FROM ${this.schema}.served_lists WHERE served_at >= $1 AND served_at < $2
       ), quality AS (
         SELECT model_version, source, region, GROUPING(region) AS all_regions, count(*)::int AS lists,
                avg((cardinality(read_ranks) > 0)::int)::float8 AS hit_rate,
                avg(CASE WHEN cardinality(read_ranks) > 0 THEN 1.0 / read_ranks[1] ELSE 0 END)::float8 AS mrr,
                avg(read_dwell_seconds)::float8 AS dwell
         FROM lists GROUP BY GROUPING SETS ((model_version, source), (model_version, source, region))
       ), articles AS (
         SELECT model_version, source, region, GROUPING(region) AS all_regions,
                count(DISTINCT article_id)::int AS distinct_articles
         FROM lists CROSS JOIN LATERAL unnest(article_ids) AS article_id
         GROUP BY GROUPING SETS ((model_version, source), (model_version, source, region))
       )
       SELECT q.*, coalesce(a.distinct_articles, 0) AS distinct_articles
       FROM quality q LEFT JOIN articles a ON a.model_version IS NOT DISTINCT FROM q.model_version
         AND a.source = q.source AND a.region IS NOT DISTINCT FROM q.region AND a.all_regions = q.all_regions
       ORDER BY q.model_version NULLS LAST, q.source, q.all_regions DESC, q.region NULLS FIRST`,
      [window.from, window.to],
    );
    const [{ pool }]: { pool: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS pool FROM ${this.schema}.articles WHERE published_at >= $1 AND published_at < $2`,
      [new Date(window.to.getTime() - COVERAGE_POOL_MS), window.to],
    );
    return rows.map((r) => ({
      modelVersion: r.model_version,
      source: r.source,
      region: r.all_regions ? null : (r.region ?? NO_REGION),
      lists: r.lists,
      hitRateAt10: round4(r.hit_rate),
      mrr: round4(r.mrr),
      dwellSecondsPerList: round4(r.dwell),
      coverage: pool > 0 ? round4(r.distinct_articles / pool) : 0,
    }));
  }

  private async offline(): Promise<Map<string, Record<string, number>>> {
    const rows: { model_version: string; metrics: Record<string, number> }[] = await this.dataSource.query(
      `SELECT model_version, evaluation->'metrics' AS metrics FROM ${this.schema}.models WHERE evaluation IS NOT NULL`,
    );
    return new Map(rows.map((r) => [r.model_version, r.metrics]));
  }

  /** The version's first judged window (recorded the first time one is seen). */
  private async baseline(modelVersion: string, now: OnlineQuality, window: TimeWindow) {
    await this.dataSource.query(
      `INSERT INTO ${this.schema}.quality_baselines (model_version, hit_rate, mrr, lists, window_from, window_to)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
      [modelVersion, now.hitRateAt10, now.mrr, now.lists, window.from, window.to],
    );
    const [row]: { hit_rate: number; mrr: number; lists: number; window_from: Date; window_to: Date }[] =
      await this.dataSource.query(`SELECT * FROM ${this.schema}.quality_baselines WHERE model_version = $1`, [
        modelVersion,
      ]);
    return {
      hitRateAt10: row.hit_rate,
      mrr: row.mrr,
      lists: row.lists,
      window: { from: row.window_from.toISOString(), to: row.window_to.toISOString() },
    };
  }
}

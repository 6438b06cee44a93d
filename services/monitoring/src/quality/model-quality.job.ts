import { Inject, Injectable } from '@nestjs/common';
import { gauge } from '@newsroom/observability';
import { PeriodicJob, SERVICE_CONFIG } from '@newsroom/platform';
import { AlertsService } from '../alerts/alerts.service';
import { MonitoringConfig } from '../config';
import { ModelQualityReport } from './model-quality';
import { ModelQualityService } from './model-quality.service';

const online = {
  hitRate: gauge(
    'monitoring_online_hit_rate',
    'Share of served lists with an item read within the horizon, per model version and source',
    ['model_version', 'source'],
  ),
  mrr: gauge('monitoring_online_mrr', 'Mean reciprocal rank of the reads of served lists', [
    'model_version',
    'source',
  ]),
  lists: gauge('monitoring_online_lists', 'Served lists judged in the window', ['model_version', 'source']),
};
const offline = gauge(
  'monitoring_offline_metric',
  "A version's offline metric, as evaluation measured it on its held-out day",
  ['model_version', 'metric'],
);

/**
 * Model drift, from ground truth: every MONITORING_CHECK_INTERVAL_MS, a `model` alert for a version
 * whose personalized lists do not beat the fallback served meanwhile, or whose hit rate fell more
 * than MONITORING_QUALITY_MAX_DROP below its first window's — each judged only on enough lists on
 * both sides. Alerts of versions no longer served resolve at once; a window too thin to judge
 * leaves a version's alerts as they are.
 */
@Injectable()
export class ModelQualityJob extends PeriodicJob {
  constructor(
    private readonly quality: ModelQualityService,
    private readonly alerts: AlertsService,
    @Inject(SERVICE_CONFIG) private readonly config: MonitoringConfig,
  ) {
    super('ModelQualityJob', config.MONITORING_CHECK_INTERVAL_MS);
  }

  protected async runOnce(): Promise<void> {
    await this.check();
  }

  async check(): Promise<ModelQualityReport | null> {
    const report = await this.quality.measure();
    if (!report) return null;
    this.export(report);
    const minLists = this.config.MONITORING_QUALITY_MIN_LISTS;
    const keys: string[] = [];
    for (const v of report.versions) {
      const versus = `model:fallback:${v.modelVersion}`;
      const drop = `model:drop:${v.modelVersion}`;
      // A version still served keeps its alerts' hysteresis even on a window too thin to judge.
      keys.push(versus, drop);
      if (!v.personalized || v.personalized.lists < minLists) continue;
      if (
        v.fallback &&
        v.fallback.lists >= minLists &&
        v.liftOverFallback !== null &&
        v.liftOverFallback <= 1
      ) {
        await this.alerts.raise({
          dedupKey: versus,
          type: 'model',
          severity: 'critical',
          subject: v.modelVersion,
          message:
            `${v.modelVersion} does not beat the fallback online: hit rate@10 ${v.personalized.hitRateAt10} ` +
            `against ${v.fallback.hitRateAt10} over ${v.personalized.lists} and ${v.fallback.lists} lists`,
          details: { window: report.window, personalized: v.personalized, fallback: v.fallback },
        });
      } else await this.alerts.clear(versus);
      if (v.hitRateChange !== null && v.hitRateChange < -this.config.MONITORING_QUALITY_MAX_DROP) {
        await this.alerts.raise({
          dedupKey: drop,
          type: 'model',
          severity: 'warning',
          subject: v.modelVersion,
          message:
            `${v.modelVersion}'s online hit rate@10 fell ${Math.round(-v.hitRateChange * 100)}% since its first ` +
            `window (${v.baseline?.hitRateAt10} → ${v.personalized.hitRateAt10})`,
          details: { window: report.window, baseline: v.baseline, personalized: v.personalized },
        });
      } else await this.alerts.clear(drop);
    }
    await this.alerts.clearOthers('model:', keys);
    return report;
  }

  /** The versions in this window only: a version no longer served leaves the gauges. */
  private export(report: ModelQualityReport): void {
    for (const g of [online.hitRate, online.mrr, online.lists, offline]) g.reset();
    for (const v of report.versions) {
      for (const q of [v.personalized, v.fallback]) {
        if (!q) continue;
        const labels = { model_version: v.modelVersion, source: q.source };
        online.hitRate.set(labels, q.hitRateAt10);
        online.mrr.set(labels, q.mrr);
        online.lists.set(labels, q.lists);
      }
      for (const [metric, value] of Object.entries(v.offline ?? {}))
        offline.set({ model_version: v.modelVersion, metric }, value);
    }
  }
}

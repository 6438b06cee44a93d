import { Inject, Injectable } from '@nestjs/common';
import { gauge } from '@newsroom/observability';
import { PeriodicJob, SERVICE_CONFIG } from '@newsroom/platform';
import { AlertsService } from '../alerts/alerts.service';
import { MonitoringConfig } from '../config';
import { LineageService } from '../lineage/lineage.service';
import { DAY_MS } from '../observations/observation-fold';
import { DriftReport } from './drift-report';
import { DriftService } from './drift.service';

const featureDistance = gauge(
  'monitoring_drift_distance',
  "Each feature's drift distance against the champion's training window (absent: too little data to judge)",
  ['feature', 'method'],
);
const featureThreshold = gauge('monitoring_drift_threshold', 'The distance at which a feature drifts', [
  'feature',
]);
const driftedShare = gauge('monitoring_drift_drifted_share', 'Features drifted over features judged');
const dataDrifted = gauge('monitoring_data_drifted', '1 while the data as a whole drifts, else 0');

/**
 * Checks data drift every MONITORING_CHECK_INTERVAL_MS: stores the report when it changed, and
 * fires a `drift` alert about the champion while the data drifts (training starts a run on it:
 * the loop is closed), resolved once it no longer does. A replaced champion's alert resolves at once.
 */
@Injectable()
export class DriftJob extends PeriodicJob {
  private lastSaved?: string;
  private lastPruned = 0;

  constructor(
    private readonly lineage: LineageService,
    private readonly drift: DriftService,
    private readonly alerts: AlertsService,
    @Inject(SERVICE_CONFIG) private readonly config: MonitoringConfig,
  ) {
    super('DriftJob', config.MONITORING_CHECK_INTERVAL_MS);
  }

  protected async runOnce(): Promise<void> {
    await this.check();
    if (Date.now() - this.lastPruned > DAY_MS / 24) {
      await this.drift.prune(this.config.MONITORING_REPORT_RETENTION_DAYS);
      this.lastPruned = Date.now();
    }
  }

  async check(): Promise<DriftReport | null> {
    const champion = await this.lineage.champion();
    if (!champion) return null;
    const dedupKey = `drift:${champion.modelVersion}`;
    await this.alerts.clearOthers('drift:', [dedupKey]);
    const report = await this.drift.measure(champion);
    if (!report) return null;
    this.export(report);
    const fingerprint = JSON.stringify({ ...report, createdAt: undefined });
    if (fingerprint !== this.lastSaved) {
      await this.drift.save(report);
      this.lastSaved = fingerprint;
    }
    if (!report.drifted) {
      await this.alerts.clear(dedupKey);
      return report;
    }
    const drifted = report.features.filter((f) => f.verdict === 'drifted');
    const judged = report.features.filter((f) => f.verdict !== 'insufficient-data').length;
    await this.alerts.raise({
      dedupKey,
      type: 'drift',
      severity: 'warning',
      subject: champion.modelVersion,
      message:
        `data drift against the training window of ${champion.modelVersion}: ${drifted.length} of ${judged} ` +
        `features drifted (${drifted.map((f) => `${f.name} ${f.value}`).join(', ')})`,
      details: {
        modelVersion: champion.modelVersion,
        driftedShare: report.driftedShare,
        reference: report.reference,
        current: report.current,
        drifted: drifted.map((f) => ({ name: f.name, value: f.value, threshold: f.threshold })),
      },
    });
    return report;
  }

  private export(report: DriftReport): void {
    featureDistance.reset();
    for (const f of report.features) {
      featureThreshold.set({ feature: f.name }, f.threshold);
      if (f.value !== null) featureDistance.set({ feature: f.name, method: f.method }, f.value);
    }
    driftedShare.set(report.driftedShare);
    dataDrifted.set(report.drifted ? 1 : 0);
  }
}

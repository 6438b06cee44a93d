import { Inject, Injectable } from '@nestjs/common';
import { PeriodicJob, SERVICE_CONFIG } from '@newsroom/platform';
import { AlertsService } from '../alerts/alerts.service';
import { MonitoringConfig } from '../config';
import { LineageService } from '../lineage/lineage.service';
import { DAY_MS } from '../observations/observation-fold';
import { DriftReport } from './drift-report';
import { DriftService } from './drift.service';

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
}

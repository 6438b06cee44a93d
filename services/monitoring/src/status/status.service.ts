import { Injectable } from '@nestjs/common';
import { AlertsService } from '../alerts/alerts.service';
import { DriftService } from '../drift/drift.service';
import { LineageService } from '../lineage/lineage.service';
import { PipelineService } from '../pipeline/pipeline.service';
import { ModelQualityService } from '../quality/model-quality.service';
import { VitalsService } from '../vitals/vitals.service';
import { StatusData } from './status-page';

/** Seconds between the page's own refreshes. */
const REFRESH_SECONDS = 30;

/** Gathers what the status page shows from the services that own each part. */
@Injectable()
export class StatusService {
  constructor(
    private readonly vitals: VitalsService,
    private readonly pipeline: PipelineService,
    private readonly lineage: LineageService,
    private readonly quality: ModelQualityService,
    private readonly drift: DriftService,
    private readonly alerts: AlertsService,
  ) {}

  /**
   * What the jobs last computed, and the rest read now; a part that cannot be read is shown as
   * unavailable instead of failing the page. Loading the page measures nothing and writes nothing.
   */
  async gather(): Promise<StatusData> {
    const [services, champion, drift, alerts] = await Promise.allSettled([
      this.vitals.health(),
      this.lineage.champion(),
      this.drift.latest(),
      this.alerts.list({ state: 'firing', recentHours: 24, limit: 100 }),
    ]);
    const unavailable: string[] = [];
    const value = <T>(result: PromiseSettledResult<T>, part: string, fallback: T): T => {
      if (result.status === 'fulfilled') return result.value;
      unavailable.push(`${part}: ${(result.reason as Error).message}`);
      return fallback;
    };
    return {
      generatedAt: new Date(),
      refreshSeconds: REFRESH_SECONDS,
      services: value(services, 'services', []),
      pipeline: this.pipeline.lastState(),
      champion: value(champion, 'champion', null),
      quality: this.quality.lastReport(),
      drift: value(drift, 'drift', null),
      alerts: value(alerts, 'alerts', []),
      unavailable,
    };
  }
}

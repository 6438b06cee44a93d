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

  async gather(): Promise<StatusData> {
    const [services, pipeline, champion, quality, drift, alerts] = await Promise.all([
      this.vitals.health(),
      this.pipeline.state(),
      this.lineage.champion(),
      this.quality.measure(),
      this.drift.latest(),
      this.alerts.list({ state: 'firing', recentHours: 24, limit: 100 }),
    ]);
    return {
      generatedAt: new Date(),
      refreshSeconds: REFRESH_SECONDS,
      services,
      pipeline,
      champion,
      quality,
      drift,
      alerts,
    };
  }
}

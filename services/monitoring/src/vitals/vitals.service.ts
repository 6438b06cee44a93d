import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_CONFIG } from '@newsroom/platform';
import { MonitoringConfig } from '../config';
import { ServiceHealth, liveInstances, serviceHealth } from './service-health';
import { ServiceVitalsStore } from './service-vitals.store';

/** The services' health as their vitals tell it, over the SLA window ending now. */
@Injectable()
export class VitalsService {
  constructor(
    private readonly store: ServiceVitalsStore,
    @Inject(SERVICE_CONFIG) private readonly config: MonitoringConfig,
  ) {}

  async health(now = Date.now()): Promise<ServiceHealth[]> {
    const windowStart = now - this.config.MONITORING_SLA_WINDOW_MINUTES * 60_000;
    const [latest, baselines] = await Promise.all([
      this.store.latest(),
      this.store.baselines(new Date(windowStart)),
    ]);
    return serviceHealth(latest, baselines, {
      now,
      windowStart,
      silentIntervals: this.config.MONITORING_INSTANCE_SILENT_INTERVALS,
    });
  }

  /** The instances of a service alive now (e.g. the serving replicas that must confirm a takedown). */
  async liveInstances(service: string, now = Date.now()): Promise<string[]> {
    return liveInstances(await this.store.latest(), service, {
      now,
      silentIntervals: this.config.MONITORING_INSTANCE_SILENT_INTERVALS,
    });
  }

  prune(before: Date): Promise<void> {
    return this.store.prune(before);
  }
}

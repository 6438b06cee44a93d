import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { SERVICE_CONFIG, cronSchedule } from '@newsroom/platform';
import type { Cron } from 'croner';
import { DataSource } from 'typeorm';
import { TrainingConfig } from '../config';
import { TrainingRunsService } from '../runs/training-runs.service';

/**
 * Scheduled pull: at each slot of TRAINING_SCHEDULE_CRON (UTC) a run is queued that first requests
 * a fresh snapshot. The slot is its trigger key, so with several replicas each slot runs once.
 */
@Injectable()
export class TrainingSchedule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(TrainingSchedule.name);
  private cron?: Cron;

  constructor(
    private readonly dataSource: DataSource,
    private readonly runs: TrainingRunsService,
    @Inject(SERVICE_CONFIG) private readonly config: TrainingConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.TRAINING_SCHEDULE_CRON) return;
    this.cron = cronSchedule(this.config.TRAINING_SCHEDULE_CRON, 'scheduled training', this.logger, (slot) =>
      this.onSlot(slot),
    );
  }

  beforeApplicationShutdown(): void {
    this.cron?.stop();
  }

  private async onSlot(slot: Date): Promise<void> {
    try {
      const { created } = await this.dataSource.transaction((manager) =>
        this.runs.enqueue(manager, {
          trigger: 'schedule',
          key: `schedule:${slot.toISOString()}`,
          reason: `scheduled at ${slot.toISOString()}`,
        }),
      );
      if (created) this.logger.log(`scheduled run for ${slot.toISOString()} queued`);
    } catch (error) {
      this.logger.error(`scheduled run for ${slot.toISOString()} not queued: ${(error as Error).message}`);
    }
  }
}

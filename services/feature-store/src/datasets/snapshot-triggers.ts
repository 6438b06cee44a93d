import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { quotedSchema } from '@newsroom/persistence';
import { SERVICE_CONFIG, cronSchedule } from '@newsroom/platform';
import type { Cron } from 'croner';
import { Subscription, throttleTime } from 'rxjs';
import { DataSource } from 'typeorm';
import { FeatureStoreConfig } from '../config';
import { IngestProgress } from '../online/ingest-progress';
import { DatasetTrigger, DatasetsService } from './datasets.service';
import { snapshotWindow } from './snapshot-window';

/**
 * The automatic snapshot triggers. Push: after DATASET_PUSH_EVERY_INTERACTIONS new interactions or
 * DATASET_PUSH_EVERY_ARTICLES new articles (counted in the database, so replicas and restarts
 * agree). Scheduled pull: DATASET_SCHEDULE_CRON; each slot runs on one replica only (the first to
 * claim it). A trigger while a snapshot of this replica is under way waits for it and runs once after.
 */
@Injectable()
export class SnapshotTriggers implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SnapshotTriggers.name);
  private subscription?: Subscription;
  private cron?: Cron;
  private running?: Promise<void>;
  private pending?: DatasetTrigger;

  constructor(
    private readonly dataSource: DataSource,
    private readonly datasets: DatasetsService,
    private readonly progress: IngestProgress,
    @Inject(SERVICE_CONFIG) private readonly config: FeatureStoreConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.DATASET_PUSH_EVERY_INTERACTIONS > 0 || this.config.DATASET_PUSH_EVERY_ARTICLES > 0) {
      this.subscription = this.progress.advanced
        .pipe(throttleTime(1_000, undefined, { leading: true, trailing: true }))
        .subscribe(() => void this.checkPushPolicy());
    }
    if (this.config.DATASET_SCHEDULE_CRON) {
      this.cron = cronSchedule(
        this.config.DATASET_SCHEDULE_CRON,
        'scheduled snapshots',
        this.logger,
        (slot) => this.onSchedule(slot),
      );
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.subscription?.unsubscribe();
    this.cron?.stop();
    this.pending = undefined;
    await this.running;
  }

  async checkPushPolicy(): Promise<void> {
    const [counts] = await this.dataSource.query(
      `SELECT interactions_since, articles_since FROM ${quotedSchema(this.dataSource)}.snapshot_policy`,
    );
    const { DATASET_PUSH_EVERY_INTERACTIONS: everyInteractions, DATASET_PUSH_EVERY_ARTICLES: everyArticles } =
      this.config;
    if (
      (everyInteractions > 0 && Number(counts.interactions_since) >= everyInteractions) ||
      (everyArticles > 0 && Number(counts.articles_since) >= everyArticles)
    ) {
      this.request('push');
    }
  }

  private async onSchedule(slot: Date): Promise<void> {
    const claimed: unknown[] = await this.dataSource.query(
      `INSERT INTO ${quotedSchema(this.dataSource)}.schedule_slots (slot) VALUES ($1) ON CONFLICT DO NOTHING RETURNING slot`,
      [slot],
    );
    if (claimed.length > 0) this.request('schedule');
  }

  /**
   * Starts a snapshot now, or once the one under way has finished; repeated requests coalesce. A
   * push queued meanwhile is checked again then: the finished snapshot may have covered it.
   */
  private request(trigger: DatasetTrigger): void {
    if (this.running) {
      if (this.pending !== 'schedule') this.pending = trigger;
      return;
    }
    this.running = this.run(trigger).finally(() => {
      this.running = undefined;
      const next = this.pending;
      this.pending = undefined;
      if (next === 'push') void this.checkPushPolicy();
      else if (next) this.request(next);
    });
  }

  private async run(trigger: DatasetTrigger): Promise<void> {
    try {
      const window = snapshotWindow({}, this.config, Date.now());
      const result = await this.datasets.snapshot(trigger, window);
      this.logger.log(`${trigger} snapshot: ${result.outcome}`);
    } catch (error) {
      this.logger.error(`${trigger} snapshot failed: ${(error as Error).message}`);
    }
  }
}

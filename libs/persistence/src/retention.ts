import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { quotedSchema } from './data-source';

export interface RetentionOptions {
  /** Published outbox rows are kept this long, for audit. */
  keepPublishedOutboxMs: number;
  /** Inbox entries must outlive any redelivery: keep them longer than the topics' retention. */
  keepInboxMs: number;
  intervalMs: number;
}

/** Deletes old published outbox rows and old inbox entries, so neither table grows without bound. */
export class RetentionJob {
  private readonly logger = new Logger(RetentionJob.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: RetentionOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.runOnce().catch((error: Error) => this.logger.warn(`retention run failed: ${error.message}`));
    }, this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async runOnce(): Promise<{ outbox: number; inbox: number }> {
    const s = quotedSchema(this.dataSource);
    const [, outbox] = await this.dataSource.query(
      `DELETE FROM ${s}.outbox WHERE published_at < now() - ($1::double precision * interval '1 millisecond')`,
      [this.options.keepPublishedOutboxMs],
    );
    const [, inbox] = await this.dataSource.query(
      `DELETE FROM ${s}.inbox WHERE processed_at < now() - ($1::double precision * interval '1 millisecond')`,
      [this.options.keepInboxMs],
    );
    return { outbox, inbox };
  }
}

import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { ServingResponse, newEvent, topics } from '@newsroom/contracts';
import { EventPublisher, OutboundMessage } from '@newsroom/messaging';
import { counter } from '@newsroom/observability';
import { SERVICE_CONFIG } from '@newsroom/platform';
import { ServingConfig } from '../config';

const dropped = counter(
  'serving_audit_dropped_total',
  'recommendations.served events that could not be published',
);

/**
 * `recommendations.served`, off the latency path: responses wait in memory and go to Kafka in
 * batches (every SERVING_AUDIT_FLUSH_MS, or at SERVING_AUDIT_BATCH), and once more at shutdown.
 * A failed batch is kept for the next flush, up to ten batches' worth.
 */
@Injectable()
export class ServedLog implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ServedLog.name);
  private pending: OutboundMessage[] = [];
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ServingConfig,
    private readonly publisher: EventPublisher,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.flush(), this.config.SERVING_AUDIT_FLUSH_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  record(requestId: string, response: ServingResponse): void {
    this.pending.push({
      key: response.userId,
      value: newEvent(
        topics.recommendationsServed.name,
        {
          requestId,
          userId: response.userId,
          modelVersion: response.modelVersion,
          source: response.source,
          items: response.items,
        },
        'serving',
      ),
    });
    if (this.pending.length >= this.config.SERVING_AUDIT_BATCH) void this.flush();
  }

  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.pending.length === 0) return;
      const batch = this.pending;
      this.pending = [];
      try {
        await this.publisher.publish(topics.recommendationsServed, batch as never);
      } catch (error) {
        const keep = [...batch, ...this.pending];
        const limit = this.config.SERVING_AUDIT_BATCH * 10;
        if (keep.length > limit) dropped.inc(keep.length - limit);
        this.pending = keep.slice(-limit);
        this.logger.warn(
          `recommendations.served not published (${batch.length} kept): ${(error as Error).message}`,
        );
      }
    });
    return this.flushing;
  }
}

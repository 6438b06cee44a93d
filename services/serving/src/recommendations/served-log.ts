import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { MESSAGING_OPTIONS, MessagingOptions } from '@newsroom/messaging';
import { counter } from '@newsroom/observability';
import { SERVICE_CONFIG } from '@newsroom/platform';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ServingConfig } from '../config';
import { ServedBatchWriter, ServedLogReply, ServedLogRequest } from './served-log-protocol';
import { FilteredItem } from './response-draft';

/** What the served record adds to the response as sent: the list's lineage, the items passed over. */
export interface ServedTrail {
  datasetId: string | undefined;
  featureSchemaVersion: number | undefined;
  filtered: readonly FilteredItem[];
}

const published = counter('serving_audit_published_total', 'recommendations.served events published');
const dropped = counter(
  'serving_audit_dropped_total',
  'recommendations.served events dropped (Kafka unreachable too long)',
);

/**
 * `recommendations.served`, off the latency path: a response is recorded in memory, handed to
 * the audit thread (served-log.worker.js, next to main.js) every SERVING_AUDIT_FLUSH_MS or at
 * SERVING_AUDIT_BATCH records, and published there in batches; at shutdown the rest is flushed.
 */
@Injectable()
export class ServedLog implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ServedLog.name);
  private readonly batch = new ServedBatchWriter();
  private timer?: NodeJS.Timeout;
  private worker?: Worker;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ServingConfig,
    @Inject(MESSAGING_OPTIONS) private readonly messaging: MessagingOptions,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = new Worker(join(__dirname, 'served-log.worker.js'), {
      workerData: {
        brokers: this.messaging.brokers,
        security: this.messaging.security,
        clientId: this.messaging.clientId,
        topicPrefix: this.messaging.topicPrefix,
        maxPending: this.config.SERVING_AUDIT_BATCH * 50,
      },
    });
    this.worker.on('message', (reply: ServedLogReply) => {
      if (reply.type === 'published') published.inc(reply.count);
      if (reply.type === 'dropped') dropped.inc(reply.count);
      if (reply.type === 'failed')
        this.logger.warn(`recommendations.served not published yet: ${reply.message}`);
    });
    this.worker.on('error', (error) => this.logger.error(`audit thread failed: ${error.message}`));
    this.timer = setInterval(() => this.flush(), this.config.SERVING_AUDIT_FLUSH_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.flush();
    const worker = this.worker;
    if (!worker) return;
    await new Promise<void>((resolve) => {
      worker.on('message', (reply: ServedLogReply) => reply.type === 'stopped' && resolve());
      worker.once('exit', () => resolve());
      worker.postMessage({ type: 'stop' } satisfies ServedLogRequest);
    });
    await worker.terminate();
  }

  /** A response as sent (its JSON body, without explanations), with its trail. */
  record(
    requestId: string,
    userId: string,
    region: string | undefined,
    body: string,
    trail: ServedTrail,
  ): void {
    const servedAt = new Date().toISOString();
    this.batch.add(userId, servedAt, servedPayload(requestId, region, servedAt, trail, body));
    if (this.batch.size >= this.config.SERVING_AUDIT_BATCH) this.flush();
  }

  private flush(): void {
    if (!this.worker) return;
    const batch = this.batch.take();
    if (batch) this.worker.postMessage({ type: 'records', batch } satisfies ServedLogRequest);
  }
}

/**
 * The `recommendations.served` payload as JSON: the response body with the request id, the region
 * asked for, the time served, the list's lineage and the items passed over, put in front of it
 * (the body is not parsed again).
 */
export function servedPayload(
  requestId: string,
  region: string | undefined,
  servedAt: string,
  { datasetId, featureSchemaVersion, filtered }: ServedTrail,
  body: string,
): string {
  return (
    `{"requestId":${JSON.stringify(requestId)},` +
    (region === undefined ? '' : `"region":${JSON.stringify(region)},`) +
    `"servedAt":"${servedAt}",` +
    (datasetId === undefined ? '' : `"datasetId":${JSON.stringify(datasetId)},`) +
    (featureSchemaVersion === undefined ? '' : `"featureSchemaVersion":${featureSchemaVersion},`) +
    `"filtered":${filtered.length === 0 ? '[]' : JSON.stringify(filtered)},` +
    body.slice(1)
  );
}

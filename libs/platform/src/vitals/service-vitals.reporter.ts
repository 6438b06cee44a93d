import { BeforeApplicationShutdown, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { TopicPayload, newEvent, topics } from '@newsroom/contracts';
import { EventPublisher } from '@newsroom/messaging';
import { apiRequestCounts, metricsRegistry } from '@newsroom/observability';
import { outboxBacklogMetrics } from '@newsroom/persistence';
import { PeriodicTask } from '../periodic-task';
import { ServiceConfig } from '../service-config';
import { serviceInstanceName } from './service-instance';

type ServiceVitals = TopicPayload<typeof topics.serviceVitals>;

/** The last report may not hold up a shutdown: a broker that is down would. */
const LAST_REPORT_TIMEOUT_MS = 2_000;

/**
 * Publishes this instance's vitals on `service.vitals` every VITALS_INTERVAL_MS, and a last report
 * as it shuts down, so that monitoring can judge the service's SLA and tell a replica that stopped
 * from one that died. The figures are the ones on /metrics, read back from the registry.
 */
export class ServiceVitalsReporter implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ServiceVitalsReporter.name);
  private readonly instance: string;
  private readonly task: PeriodicTask;

  constructor(
    private readonly service: string,
    private readonly config: ServiceConfig,
    private readonly publisher: EventPublisher,
    /** When this instance started: part of its name (see SERVICE_INSTANCE). */
    private readonly startedAt = new Date().toISOString(),
  ) {
    this.instance = serviceInstanceName(service, startedAt);
    this.task = new PeriodicTask('ServiceVitals', config.VITALS_INTERVAL_MS, () => this.report(false));
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`not sent within ${LAST_REPORT_TIMEOUT_MS} ms`)),
        LAST_REPORT_TIMEOUT_MS,
      );
    });
    try {
      // One limit for both: a periodic report in flight while the broker is away can take tens of
      // seconds, and the shutdown must not wait for it.
      await Promise.race([this.task.stop().then(() => this.report(true)), late]);
    } catch (error) {
      this.logger.warn(`the last vitals report was not sent: ${(error as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }

  async vitals(stopping: boolean): Promise<ServiceVitals> {
    const requests = await apiRequestCounts();
    return {
      service: this.service,
      instance: this.instance,
      startedAt: this.startedAt,
      intervalMs: this.config.VITALS_INTERVAL_MS,
      stopping,
      sloAvailabilityTarget: this.config.SLO_AVAILABILITY_TARGET,
      requests: {
        succeeded: requests.succeeded,
        rejected: requests.rejected,
        failed: requests.failed,
        timedOut: requests['timed-out'],
      },
      outbox: await outboxBacklog(),
    };
  }

  private async report(stopping: boolean): Promise<void> {
    const payload = await this.vitals(stopping);
    await this.publisher.publish(topics.serviceVitals, [
      { key: this.instance, value: newEvent(topics.serviceVitals.name, payload, this.service) },
    ]);
  }
}

async function outboxBacklog(): Promise<ServiceVitals['outbox']> {
  const read = async (name: string) => {
    const metric = metricsRegistry.getSingleMetric(name);
    return metric ? ((await metric.get()).values[0]?.value ?? 0) : undefined;
  };
  const pending = await read(outboxBacklogMetrics.pending);
  const oldestSeconds = await read(outboxBacklogMetrics.oldestSeconds);
  return pending === undefined || oldestSeconds === undefined ? null : { pending, oldestSeconds };
}

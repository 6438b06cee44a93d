/**
 * The outbox relay in a worker thread: encoding and sending to Kafka then runs beside the service's
 * main thread (consumers, HTTP) instead of competing with it. Metrics go back to the main thread.
 */
import { createKafka, EventPublisher } from '@newsroom/messaging';
import { startTracing, stopTracing } from '@newsroom/observability/tracing';
import { parentPort, workerData } from 'node:worker_threads';
import { createSchemaDataSource } from './data-source';
import { OutboxRelay } from './outbox-relay';
import type { RelayWorkerData, RelayWorkerMessage } from './outbox-relay-thread';

async function main(): Promise<void> {
  const data = workerData as RelayWorkerData;
  const port = parentPort;
  if (!port) throw new Error('outbox-relay.worker must run in a worker thread');
  const post = (message: RelayWorkerMessage) => port.postMessage(message);
  // A thread has OpenTelemetry's no-op API until it starts an SDK of its own: without one the
  // relay's publish would be in no trace and leave each event's trace where its request was.
  startTracing(data.clientId);
  const dataSource = await createSchemaDataSource({
    url: data.databaseUrl,
    schema: data.schema,
    poolSize: 2,
    applicationName: `${data.clientId}-outbox-relay`,
  }).initialize();
  const publisher = new EventPublisher(
    createKafka({ brokers: data.brokers, security: data.security, clientId: `${data.clientId}-outbox` }),
    data.topicPrefix,
  );
  const relay = new OutboxRelay(dataSource, publisher, data.relay, {
    relayed: (topic, count) => post({ type: 'relayed', topic, count }),
    failed: () => post({ type: 'failed' }),
    backlog: (pending, oldestSeconds) => post({ type: 'backlog', pending, oldestSeconds }),
  });
  relay.start();
  port.on('message', async (message: string) => {
    if (message !== 'stop') return;
    await relay.stop();
    await publisher.disconnect();
    await dataSource.destroy();
    await stopTracing();
    post({ type: 'stopped' });
  });
  post({ type: 'started' });
}

main().catch((error: Error) => {
  parentPort?.postMessage({ type: 'fatal', message: error.message } satisfies RelayWorkerMessage);
});

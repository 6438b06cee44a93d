// The audit log's Kafka producer in a worker thread: sending a `recommendations.served` event
// per response costs more than answering it, so it runs beside the thread that answers readers.
import { parseMessage, topics } from '@newsroom/contracts';
import { EventPublisher, createKafka } from '@newsroom/messaging';
import { randomUUID } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import {
  ServedLogReply,
  ServedLogRequest,
  ServedLogWorkerData,
  ServedRecord,
  readServedBatch,
} from './served-log-protocol';

const port = parentPort;
if (!port) throw new Error('served-log.worker must run in a worker thread');
const data = workerData as ServedLogWorkerData;
const post = (reply: ServedLogReply) => port.postMessage(reply);
const topic = topics.recommendationsServed;
const publisher = new EventPublisher(
  createKafka({ brokers: data.brokers, security: data.security, clientId: `${data.clientId}-served-log` }),
  data.topicPrefix,
);

let pending: ServedRecord[] = [];
let sending: Promise<void> = Promise.resolve();

function send(): Promise<void> {
  sending = sending.then(async () => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    try {
      const messages = batch.map(([userId, at, payload]) => ({
        key: userId,
        value:
          `{"eventId":"${randomUUID()}","type":"${topic.name}","schemaVersion":1,` +
          `"occurredAt":"${at}","producer":"serving","payload":${payload}}`,
      }));
      // Built by one piece of code: checking the first of each batch catches a shape gone wrong.
      parseMessage(topic, messages[0].key, JSON.parse(messages[0].value), 'recommendations.served');
      await publisher.publishSerialized(topic.name, messages);
      post({ type: 'published', count: batch.length });
    } catch (error) {
      // Kept for the next attempt, newest first when there is too much.
      pending = [...batch, ...pending];
      if (pending.length > data.maxPending) {
        post({ type: 'dropped', count: pending.length - data.maxPending });
        pending = pending.slice(-data.maxPending);
      }
      post({ type: 'failed', message: (error as Error).message });
    }
  });
  return sending;
}

// A failed batch is tried again with the next records, or after a second when none come.
setInterval(() => void send(), 1_000).unref();

port.on('message', (request: ServedLogRequest) => {
  if (request.type === 'records') {
    pending.push(...readServedBatch(request.batch));
    void send();
  } else {
    void send()
      .then(() => publisher.disconnect())
      .finally(() => post({ type: 'stopped' }));
  }
});

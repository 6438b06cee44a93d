import { ContractViolationError, topicExamples, topics } from '@newsroom/contracts';
import { Kafka } from 'kafkajs';
import { EventPublisher } from './event-publisher';

describe('EventPublisher', () => {
  const sent: unknown[] = [];
  const fakeKafka = {
    producer: () => ({
      connect: async () => undefined,
      disconnect: async () => undefined,
      send: async (r: unknown) => sent.push(r),
    }),
  } as unknown as Kafka;
  const publisher = new EventPublisher(fakeKafka, 'tenant.');

  beforeEach(() => sent.splice(0));

  it('refuses a value that breaks the contract, naming the message and field, and sends nothing', async () => {
    const good = topicExamples.interactionsRaw;
    const bad = { key: 'user-1', value: { ...good.value, dwellSeconds: -3 } };
    await expect(publisher.publish(topics.interactionsRaw, [good, bad])).rejects.toThrow(
      ContractViolationError,
    );
    await expect(publisher.publish(topics.interactionsRaw, [good, bad])).rejects.toThrow(
      /message 1 .*dwellSeconds/,
    );
    expect(sent).toHaveLength(0);
  });

  it('sends valid values as JSON to the prefixed topic with acks from all replicas', async () => {
    await publisher.publish(topics.interactionsRaw, [topicExamples.interactionsRaw]);
    expect(sent).toEqual([
      expect.objectContaining({
        topic: 'tenant.interactions.raw',
        acks: -1,
        messages: [expect.objectContaining({ key: 'user-1', value: expect.any(String) })],
      }),
    ]);
    const [request] = sent as { messages: { value: string }[] }[];
    expect(JSON.parse(request.messages[0].value)).toEqual(topicExamples.interactionsRaw.value);
  });

  it('sends one request at a time when publishes overlap, and a failed send does not stop the next', async () => {
    let inFlight = 0;
    let most = 0;
    const order: string[] = [];
    const slowKafka = {
      producer: () => ({
        connect: async () => undefined,
        disconnect: async () => undefined,
        send: async (r: { messages: { key: string }[] }) => {
          most = Math.max(most, ++inFlight);
          await new Promise((resolve) => setTimeout(resolve, 5));
          inFlight--;
          order.push(r.messages[0].key);
          if (r.messages[0].key === 'fails') throw new Error('broker said no');
        },
      }),
    } as unknown as Kafka;
    const serial = new EventPublisher(slowKafka, '');
    const message = (key: string) => ({ key, value: '{}' });
    const results = await Promise.allSettled(
      ['a', 'fails', 'b', 'c'].map((key) => serial.publishSerialized('interactions.raw', [message(key)])),
    );
    expect(most).toBe(1);
    expect(order).toEqual(['a', 'fails', 'b', 'c']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
  });
});

describe('EventPublisher after the broker forgot acknowledged records', () => {
  /** A producer whose first send fails with `failure`; every call is recorded in `calls`. */
  function publisherFailingOnce(failure: Error, calls: string[]): EventPublisher {
    let failures = 1;
    const kafka = {
      producer: () => ({
        connect: async () => void calls.push('connect'),
        disconnect: async () => void calls.push('disconnect'),
        send: async () => {
          calls.push('send');
          if (failures-- > 0) throw failure;
        },
      }),
    } as unknown as Kafka;
    return new EventPublisher(kafka, '');
  }
  const example = topicExamples.interactionsRaw;

  it('reconnects (a new producer id, numbered afresh) once a send fails out of sequence', async () => {
    const calls: string[] = [];
    const outOfSequence = Object.assign(new Error('The broker received an out of order sequence number'), {
      type: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
    });
    const publisher = publisherFailingOnce(new Error('retries exceeded', { cause: outOfSequence }), calls);
    await expect(publisher.publish(topics.interactionsRaw, [example])).rejects.toThrow('retries exceeded');
    await publisher.publish(topics.interactionsRaw, [example]);
    expect(calls).toEqual(['connect', 'send', 'disconnect', 'connect', 'send']);
  });

  it('keeps its connection for any other failure', async () => {
    const calls: string[] = [];
    const timeout = Object.assign(new Error('timeout'), { type: 'REQUEST_TIMED_OUT' });
    const publisher = publisherFailingOnce(timeout, calls);
    await expect(publisher.publish(topics.interactionsRaw, [example])).rejects.toThrow('timeout');
    await publisher.publish(topics.interactionsRaw, [example]);
    expect(calls).toEqual(['connect', 'send', 'send']);
  });
});

// Tracing first, as in every service's main.ts: the W3C propagator must be registered.
import { startTracing, stopTracing } from '@newsroom/observability/tracing';
startTracing('platform-test');

import { Controller, DynamicModule, Module } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { deadLetterTopicName, newEvent, topicExamples, topics } from '@newsroom/contracts';
import {
  ConsumeTopic,
  EventPublisher,
  KafkaMessageContext,
  KafkaTransport,
  deadLetterHeaders,
  physicalTopic,
} from '@newsroom/messaging';
import { TestTopics, createTestTopics, readMessages } from '@newsroom/messaging/testing';
import { testServers, uniqueName, waitFor } from '@newsroom/testing';
import { trace } from '@opentelemetry/api';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { createServiceApp, serviceEnv } from '../src';

const topic = topics.articlesFlagged;
type Flag = z.infer<typeof topic.value>;

/** What the consumer under test saw, for the assertions. */
const seen: { articleId: string; traceId?: string; headers: Record<string, string> }[] = [];
let slowHandlerStarted = false;
let slowHandlerFinished = false;

@Controller()
class FlagsConsumer {
  @ConsumeTopic(topic)
  async onFlag(@Payload() event: Flag, @Ctx() context: KafkaMessageContext): Promise<void> {
    const { articleId } = event.payload;
    if (articleId === 'art-poison')
      throw new Error(`cannot flag ${articleId}: moderation store is read-only`);
    if (articleId === 'art-slow') {
      slowHandlerStarted = true;
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      slowHandlerFinished = true;
    }
    seen.push({
      articleId,
      traceId: trace.getActiveSpan()?.spanContext().traceId,
      headers: context.message.headers,
    });
  }
}

@Module({ controllers: [FlagsConsumer] })
class FlagsModule {}

describe('a service consuming through KafkaTransport (NestJS microservice)', () => {
  let testTopics: TestTopics;
  let app: NestFastifyApplication;
  let transport: KafkaTransport;
  const schema = uniqueName('platform');
  const groupId = uniqueName('flags');
  const configSchema = z.object(serviceEnv(3999));

  beforeAll(async () => {
    // The service's own topic, and the one every service reports its vitals on.
    testTopics = await createTestTopics([topic, topics.serviceVitals], 1);
    const config = configSchema.parse({
      KAFKA_BROKERS: testServers().kafkaBrokers,
      DATABASE_URL: testServers().databaseUrl,
      DB_SCHEMA: schema,
      KAFKA_TOPIC_PREFIX: testTopics.prefix,
      KAFKA_GROUP_ID: groupId,
      KAFKA_HANDLER_MAX_ATTEMPTS: '2',
      KAFKA_RETRY_BACKOFF_MS: '10',
      LOG_LEVEL: 'fatal',
    });
    ({ app, transport } = await createServiceApp(
      {
        name: 'platform-test',
        description: 'test',
        schema,
        migrations: [],
        configSchema,
        createModule: (): DynamicModule => ({ module: FlagsModule }),
      },
      config,
    ));
    await app.init();
  });

  afterAll(async () => {
    await transport.close();
    await app.close();
    const db = await new DataSource({ type: 'postgres', url: testServers().databaseUrl }).initialize();
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.destroy();
    await testTopics.remove();
    await stopTracing();
  });

  const flag = (articleId: string) =>
    newEvent(topic.name, { ...topicExamples.articlesFlagged.value.payload, articleId }, 'platform-test');

  it('delivers validated events to @ConsumeTopic handlers, continuing the publisher’s trace', async () => {
    const publisher = app.get(EventPublisher);
    const tracer = trace.getTracer('test');
    const traceId = await tracer.startActiveSpan('moderation request', async (span) => {
      await publisher.publish(topic, [{ key: 'art-1', value: flag('art-1') }]);
      span.end();
      return span.spanContext().traceId;
    });
    const delivered = await waitFor('art-1 handled', () => seen.find((s) => s.articleId === 'art-1'));
    expect(delivered.headers['traceparent']).toContain(traceId);
    expect(delivered.traceId).toBe(traceId);
  });

  it('dead-letters a failing handler with its own error message, not a generic one', async () => {
    await app.get(EventPublisher).publish(topic, [{ key: 'art-poison', value: flag('art-poison') }]);
    const [dead] = await readMessages(
      testTopics.kafka,
      physicalTopic(testTopics.prefix, deadLetterTopicName(topic.name)),
      1,
    );
    expect(dead.headers[deadLetterHeaders.error]).toBe(
      'cannot flag art-poison: moderation store is read-only',
    );
    expect(dead.headers[deadLetterHeaders.attempts]).toBe('2');
  });

  it('on close, finishes the in-flight handler and commits its offset', async () => {
    await app.get(EventPublisher).publish(topic, [{ key: 'art-slow', value: flag('art-slow') }]);
    await waitFor('slow handler started', () => slowHandlerStarted);
    await transport.close();
    expect(slowHandlerFinished).toBe(true);
    const admin = testTopics.kafka.admin();
    await admin.connect();
    const [offsets] = await admin.fetchOffsets({
      groupId,
      topics: [physicalTopic(testTopics.prefix, topic.name)],
    });
    const ends = await admin.fetchTopicOffsets(physicalTopic(testTopics.prefix, topic.name));
    await admin.disconnect();
    expect(offsets.partitions[0].offset).toBe(ends[0].high);
  });
});

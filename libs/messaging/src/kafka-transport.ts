import { Logger } from '@nestjs/common';
import { BaseRpcContext, CustomTransportStrategy, EventPattern, Server } from '@nestjs/microservices';
import { TopicDefinition, topicByName } from '@newsroom/contracts';
import { Kafka } from 'kafkajs';
import { isObservable, lastValueFrom } from 'rxjs';
import { ConsumerRunner, DependencyWait, Subscription } from './consumer-runner';
import { EventPublisher } from './event-publisher';
import { InboundMessage } from './message';
import { MessagingOptions } from './messaging-config';

/** The context of a consumed record, for handlers that need more than its value (`@Ctx()`). */
export class KafkaMessageContext extends BaseRpcContext<[InboundMessage]> {
  get message(): InboundMessage {
    return this.args[0];
  }
}

/** Marks a consumer method as the handler of a contract topic; its value arrives validated. */
export const ConsumeTopic = (topic: TopicDefinition) => EventPattern(topic.name);

/**
 * Marks a consumer method as the handler of whole fetched batches of a topic (a `MessageBatch`),
 * for bulk writes. With `deliverInvalid`, invalid records come in `batch.invalid` instead of the DLQ.
 */
export const ConsumeTopicBatch = (topic: TopicDefinition, options: { deliverInvalid?: boolean } = {}) =>
  EventPattern(topic.name, { batch: true, deliverInvalid: options.deliverInvalid ?? false });

/**
 * A NestJS transport strategy on top of ConsumerRunner: `@ConsumeTopic` methods in `*.consumer.ts`
 * classes become subscriptions of one consumer group, with Nest's pipes, guards and interceptors.
 */
export class KafkaTransport extends Server implements CustomTransportStrategy {
  private runner?: ConsumerRunner;
  private readonly nestLogger = new Logger('KafkaTransport');

  constructor(
    private readonly kafka: Kafka,
    private readonly publisher: EventPublisher,
    private readonly options: MessagingOptions,
    private readonly onFatal?: (error: Error) => void,
  ) {
    super();
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const subscriptions: Subscription[] = [...this.getHandlers().entries()].map(([pattern, handler]) => {
        const topic = topicByName(pattern);
        if (!topic) throw new Error(`@ConsumeTopic(${pattern}): not a topic of libs/contracts`);
        const invoke = async (data: unknown, context: BaseRpcContext) => {
          const result = await handler(data, context);
          if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
        };
        if (handler.extras?.['batch']) {
          return {
            topic: topic.name,
            schema: topic.value,
            accept: topic.accept,
            deliverInvalid: Boolean(handler.extras['deliverInvalid']),
            batchHandler: (batch) => invoke(batch, new BaseRpcContext([batch])),
          };
        }
        return {
          topic: topic.name,
          schema: topic.value,
          accept: topic.accept,
          handler: (message) => invoke(message.value, new KafkaMessageContext([message])),
        };
      });
      this.runner = new ConsumerRunner(
        this.kafka,
        this.publisher,
        { ...this.options, onFatal: this.onFatal, logger: this.nestLogger },
        subscriptions,
      );
      await this.runner.start();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  /** This service's consumer lag per topic and partition (records not yet handled); [] before it started. */
  async lag(): Promise<{ topic: string; partition: number; lag: number }[]> {
    return (await this.runner?.lag()) ?? [];
  }

  /** Set while a handler waits for an unavailable dependency (readiness reports it). */
  get waitingOnDependency(): DependencyWait | undefined {
    return this.runner?.waitingOnDependency;
  }

  /** Stop consuming: the in-flight record finishes and its offset is committed before this resolves. */
  async close(): Promise<void> {
    await this.runner?.stop();
  }

  on(): never {
    throw new Error('KafkaTransport has no events to listen to');
  }

  unwrap<T>(): T {
    return this.kafka as T;
  }
}

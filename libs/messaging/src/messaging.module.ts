import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { CONSUMER_HEALTH_PROBE, HealthProbe, KAFKA_HEALTH_PROBE } from '@newsroom/observability';
import { Admin, Kafka } from 'kafkajs';
import { EventPublisher } from './event-publisher';
import { createKafka } from './kafka-client';
import { KafkaTransport } from './kafka-transport';
import { MessagingOptions } from './messaging-config';

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');
export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');

/** Answers readiness checks with a cluster metadata request over one long-lived admin connection. */
@Injectable()
export class KafkaHealthProbe implements HealthProbe, OnApplicationShutdown {
  private admin?: Promise<Admin>;

  constructor(@Inject(KAFKA_CLIENT) private readonly kafka: Kafka) {}

  async ping(): Promise<void> {
    this.admin ??= (async () => {
      const admin = this.kafka.admin();
      await admin.connect();
      return admin;
    })().catch((error) => {
      this.admin = undefined;
      throw error;
    });
    await (await this.admin).describeCluster();
  }

  async onApplicationShutdown(): Promise<void> {
    const admin = await this.admin?.catch(() => undefined);
    await admin?.disconnect();
  }
}

/** Not ready while a handler, or the consumer, waits for an unavailable dependency: its records are not moving. */
@Injectable()
export class ConsumerHealthProbe implements HealthProbe {
  constructor(private readonly transport: KafkaTransport) {}

  async ping(): Promise<void> {
    const wait = this.transport.waitingOnDependency;
    if (wait) {
      const seconds = Math.round((Date.now() - wait.since) / 1000);
      throw new Error(`${wait.what} waits for a dependency for ${seconds} s: ${wait.error}`);
    }
  }
}

@Injectable()
export class PublisherLifecycle implements OnApplicationShutdown {
  constructor(private readonly publisher: EventPublisher) {}
  onApplicationShutdown(): Promise<void> {
    return this.publisher.disconnect();
  }
}

@Global()
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingOptions): DynamicModule {
    return {
      module: MessagingModule,
      providers: [
        { provide: MESSAGING_OPTIONS, useValue: options },
        { provide: KAFKA_CLIENT, useFactory: () => createKafka(options) },
        {
          provide: EventPublisher,
          inject: [KAFKA_CLIENT],
          useFactory: (kafka: Kafka) => new EventPublisher(kafka, options.topicPrefix),
        },
        PublisherLifecycle,
        KafkaHealthProbe,
        { provide: KAFKA_HEALTH_PROBE, useExisting: KafkaHealthProbe },
        {
          provide: KafkaTransport,
          inject: [KAFKA_CLIENT, EventPublisher],
          useFactory: (kafka: Kafka, publisher: EventPublisher) =>
            new KafkaTransport(kafka, publisher, options),
        },
        ConsumerHealthProbe,
        { provide: CONSUMER_HEALTH_PROBE, useExisting: ConsumerHealthProbe },
      ],
      exports: [
        MESSAGING_OPTIONS,
        KAFKA_CLIENT,
        EventPublisher,
        KAFKA_HEALTH_PROBE,
        CONSUMER_HEALTH_PROBE,
        KafkaTransport,
      ],
    };
  }
}

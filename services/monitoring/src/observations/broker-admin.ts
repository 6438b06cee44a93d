import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { KAFKA_CLIENT, MESSAGING_OPTIONS, MessagingOptions, physicalTopic } from '@newsroom/messaging';
import { Admin, Kafka } from 'kafkajs';

/** One admin connection to the broker, opened on first use (and again after a failure to connect). */
@Injectable()
export class BrokerAdmin implements OnApplicationShutdown {
  private admin?: Promise<Admin>;

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
  ) {}

  /** The topic's name on the broker (with the deployment's prefix). */
  physical(topic: string): string {
    return physicalTopic(this.options.topicPrefix, topic);
  }

  /** Monitoring's own consumer group. */
  get groupId(): string {
    return this.options.groupId;
  }

  get topicPrefix(): string {
    return this.options.topicPrefix;
  }

  connected(): Promise<Admin> {
    this.admin ??= (async () => {
      const admin = this.kafka.admin();
      await admin.connect();
      return admin;
    })().catch((error: unknown) => {
      this.admin = undefined;
      throw error;
    });
    return this.admin;
  }

  async onApplicationShutdown(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    if (admin) await (await admin.catch(() => undefined))?.disconnect();
  }
}

import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { TopicValue, topics } from '@newsroom/contracts';
import { ConsumeTopicBatch, MessageBatch } from '@newsroom/messaging';
import { ServiceVitalsStore } from './service-vitals.store';

/** Every service instance's vitals, as they report them. */
@Controller()
export class VitalsConsumer {
  constructor(private readonly store: ServiceVitalsStore) {}

  @ConsumeTopicBatch(topics.serviceVitals)
  onVitals(@Payload() batch: MessageBatch<TopicValue<typeof topics.serviceVitals>>): Promise<void> {
    return this.store.record(
      batch.messages.map(({ value }) => ({ vitals: value.payload, reportedAt: value.occurredAt })),
    );
  }
}

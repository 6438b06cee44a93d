import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { TopicValue, topics } from '@newsroom/contracts';
import { ConsumeTopicBatch, MessageBatch } from '@newsroom/messaging';
import { TakedownsService } from './takedowns.service';

/** Flags (with their takedown ids) and the holders' confirmations, assembled into receipts. */
@Controller()
export class TakedownsConsumer {
  constructor(private readonly takedowns: TakedownsService) {}

  @ConsumeTopicBatch(topics.articlesFlagged)
  onDecided(@Payload() batch: MessageBatch<TopicValue<typeof topics.articlesFlagged>>): Promise<void> {
    return this.takedowns.decided(
      batch.messages.map((m) => ({ payload: m.value.payload, occurredAt: m.value.occurredAt })),
    );
  }

  @ConsumeTopicBatch(topics.takedownConfirmed)
  onConfirmed(@Payload() batch: MessageBatch<TopicValue<typeof topics.takedownConfirmed>>): Promise<void> {
    return this.takedowns.confirmed(batch.messages.map((m) => m.value.payload));
  }
}

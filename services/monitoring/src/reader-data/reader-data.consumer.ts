import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { TopicValue, topics } from '@newsroom/contracts';
import { ConsumeTopic, ConsumeTopicBatch, MessageBatch } from '@newsroom/messaging';
import { ReaderDataResponder } from '@newsroom/platform';
import { MonitoringReaderData } from './monitoring-reader-data';
import { ReaderDataRequestsService } from './reader-data-requests.service';

/** Monitoring answers reader-data requests for its own tables and keeps every holder's confirmation. */
@Controller()
export class ReaderDataConsumer {
  constructor(
    private readonly responder: ReaderDataResponder,
    private readonly monitoring: MonitoringReaderData,
    private readonly requests: ReaderDataRequestsService,
  ) {}

  @ConsumeTopic(topics.readerDataRequested)
  onRequest(@Payload() event: TopicValue<typeof topics.readerDataRequested>): Promise<void> {
    return this.responder.respond(event.payload, this.monitoring);
  }

  @ConsumeTopicBatch(topics.readerDataConfirmed)
  onConfirmed(@Payload() batch: MessageBatch<TopicValue<typeof topics.readerDataConfirmed>>): Promise<void> {
    return this.requests.confirmed(batch.messages.map((m) => m.value.payload));
  }
}

import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { TopicValue, newEvent, topics } from '@newsroom/contracts';
import { ConsumeTopic, ConsumeTopicBatch, MessageBatch } from '@newsroom/messaging';
import { Outbox } from '@newsroom/persistence';
import { ReaderDataResponder } from '@newsroom/platform';
import { MonitoringReaderData } from './monitoring-reader-data';
import { ReaderDataRequestsService } from './reader-data-requests.service';

/** Monitoring answers reader-data requests for its own tables and keeps every holder's confirmation. */
@Controller()
export class ReaderDataConsumer {
  constructor(
    private readonly responder: ReaderDataResponder,
    private readonly outbox: Outbox,
    private readonly monitoring: MonitoringReaderData,
    private readonly requests: ReaderDataRequestsService,
  ) {}

  @ConsumeTopic(topics.readerDataRequested)
  onRequest(@Payload() event: TopicValue<typeof topics.readerDataRequested>): Promise<void> {
    return this.responder.respond(event.payload, this.monitoring, (manager, confirmed) =>
      this.outbox.enqueue(manager, topics.readerDataConfirmed, [
        { key: confirmed.userId, value: newEvent(topics.readerDataConfirmed.name, confirmed, 'monitoring') },
      ]),
    );
  }

  @ConsumeTopicBatch(topics.readerDataConfirmed)
  onConfirmed(@Payload() batch: MessageBatch<TopicValue<typeof topics.readerDataConfirmed>>): Promise<void> {
    return this.requests.confirmed(batch.messages.map((m) => m.value.payload));
  }
}

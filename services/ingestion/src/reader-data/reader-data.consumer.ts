import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { TopicValue, newEvent, topics } from '@newsroom/contracts';
import { ConsumeTopic } from '@newsroom/messaging';
import { Outbox } from '@newsroom/persistence';
import { ReaderDataResponder } from '@newsroom/platform';
import { WarehouseReaderData } from './warehouse-reader-data';

/** A reader's export or erasure request, answered for the warehouse. */
@Controller()
export class ReaderDataConsumer {
  constructor(
    private readonly responder: ReaderDataResponder,
    private readonly outbox: Outbox,
    private readonly warehouse: WarehouseReaderData,
  ) {}

  @ConsumeTopic(topics.readerDataRequested)
  onRequest(@Payload() event: TopicValue<typeof topics.readerDataRequested>): Promise<void> {
    return this.responder.respond(event.payload, this.warehouse, (manager, confirmed) =>
      this.outbox.enqueue(manager, topics.readerDataConfirmed, [
        { key: confirmed.userId, value: newEvent(topics.readerDataConfirmed.name, confirmed, 'ingestion') },
      ]),
    );
  }
}

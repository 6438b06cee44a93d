import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { TopicValue, newEvent, topics } from '@newsroom/contracts';
import { ConsumeTopic } from '@newsroom/messaging';
import { Outbox } from '@newsroom/persistence';
import { ReaderDataResponder } from '@newsroom/platform';
import { ServingReaderData } from './serving-reader-data';

/** A reader's export or erasure request, answered by this replica (each consumes in its own group). */
@Controller()
export class ReaderDataConsumer {
  constructor(
    private readonly responder: ReaderDataResponder,
    private readonly outbox: Outbox,
    private readonly serving: ServingReaderData,
  ) {}

  @ConsumeTopic(topics.readerDataRequested)
  onRequest(@Payload() event: TopicValue<typeof topics.readerDataRequested>): Promise<void> {
    return this.responder.respond(event.payload, this.serving, (manager, confirmed) =>
      this.outbox.enqueue(manager, topics.readerDataConfirmed, [
        { key: confirmed.userId, value: newEvent(topics.readerDataConfirmed.name, confirmed, 'serving') },
      ]),
    );
  }
}

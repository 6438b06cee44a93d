import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { TopicValue, newEvent, topics } from '@newsroom/contracts';
import { ConsumeTopic } from '@newsroom/messaging';
import { Outbox } from '@newsroom/persistence';
import { ReaderDataResponder } from '@newsroom/platform';
import { FeatureStoreReaderData } from './feature-store-reader-data';

/** A reader's export or erasure request, answered for the feature store. */
@Controller()
export class ReaderDataConsumer {
  constructor(
    private readonly responder: ReaderDataResponder,
    private readonly outbox: Outbox,
    private readonly features: FeatureStoreReaderData,
  ) {}

  @ConsumeTopic(topics.readerDataRequested)
  onRequest(@Payload() event: TopicValue<typeof topics.readerDataRequested>): Promise<void> {
    return this.responder.respond(event.payload, this.features, (manager, confirmed) =>
      this.outbox.enqueue(manager, topics.readerDataConfirmed, [
        {
          key: confirmed.userId,
          value: newEvent(topics.readerDataConfirmed.name, confirmed, 'feature-store'),
        },
      ]),
    );
  }
}

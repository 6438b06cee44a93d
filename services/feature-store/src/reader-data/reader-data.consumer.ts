import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { TopicValue, topics } from '@newsroom/contracts';
import { ConsumeTopic } from '@newsroom/messaging';
import { ReaderDataResponder } from '@newsroom/platform';
import { FeatureStoreReaderData } from './feature-store-reader-data';

/** A reader's export or erasure request, answered for the feature store. */
@Controller()
export class ReaderDataConsumer {
  constructor(
    private readonly responder: ReaderDataResponder,
    private readonly features: FeatureStoreReaderData,
  ) {}

  @ConsumeTopic(topics.readerDataRequested)
  onRequest(@Payload() event: TopicValue<typeof topics.readerDataRequested>): Promise<void> {
    return this.responder.respond(event.payload, this.features);
  }
}

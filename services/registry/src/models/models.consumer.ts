import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { TopicValue, topics } from '@newsroom/contracts';
import { ConsumeTopic } from '@newsroom/messaging';
import { ModelsService } from './models.service';

/** Every `model.trained` becomes a candidate version; its `model.evaluated` promotes or rejects it. */
@Controller()
export class ModelsConsumer {
  constructor(private readonly models: ModelsService) {}

  @ConsumeTopic(topics.modelTrained)
  onTrained(@Payload() event: TopicValue<typeof topics.modelTrained>): Promise<void> {
    return this.models.registerTrained(event.payload);
  }

  @ConsumeTopic(topics.modelEvaluated)
  onEvaluated(@Payload() event: TopicValue<typeof topics.modelEvaluated>): Promise<void> {
    return this.models.registerEvaluated(event.payload);
  }
}

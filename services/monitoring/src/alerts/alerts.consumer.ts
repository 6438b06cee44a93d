import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { TopicValue, topics } from '@newsroom/contracts';
import { ConsumeTopic } from '@newsroom/messaging';
import { AlertsService } from './alerts.service';

/** Alerts other services raise (the feature store's snapshot gate) join monitoring's own in one list. */
@Controller()
export class AlertsConsumer {
  constructor(private readonly alerts: AlertsService) {}

  @ConsumeTopic(topics.monitoringAlert)
  onAlert(@Payload() event: TopicValue<typeof topics.monitoringAlert>): Promise<void> {
    return this.alerts.recordExternal(event.payload, event.producer);
  }
}

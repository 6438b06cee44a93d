import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { Interaction, topics } from '@newsroom/contracts';
import { ConsumeTopicBatch, MessageBatch } from '@newsroom/messaging';
import { DataSource } from 'typeorm';
import { RejectionsService } from '../rejections/rejections.service';
import { InteractionsService } from './interactions.service';

@Controller()
export class InteractionsConsumer {
  constructor(
    private readonly interactions: InteractionsService,
    private readonly rejections: RejectionsService,
    private readonly dataSource: DataSource,
  ) {}

  /** A fetched batch of `interactions.raw`: valid records stored, invalid ones rejected, in one transaction. */
  @ConsumeTopicBatch(topics.interactionsRaw, { deliverInvalid: true })
  async onInteractions(@Payload() batch: MessageBatch<Interaction>): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await this.interactions.store(
        manager,
        batch.messages.map((m) => m.value),
        'kafka',
      );
      await this.rejections.record(manager, 'interaction', batch.invalid);
    });
  }
}

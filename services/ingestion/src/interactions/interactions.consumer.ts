import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { Interaction, topics } from '@newsroom/contracts';
import { ConsumeTopicBatch, MessageBatch } from '@newsroom/messaging';
import { DataSource } from 'typeorm';
import { FieldWarnings, carrying } from '../quality/field-warnings';
import { RejectionsService } from '../rejections/rejections.service';
import { InteractionsService } from './interactions.service';

@Controller()
export class InteractionsConsumer {
  constructor(
    private readonly interactions: InteractionsService,
    private readonly rejections: RejectionsService,
    private readonly fieldWarnings: FieldWarnings,
    private readonly dataSource: DataSource,
  ) {}

  /**
   * A fetched batch of `interactions.raw`: valid records stored (field warnings counted), invalid
   * ones rejected, in one transaction.
   */
  @ConsumeTopicBatch(topics.interactionsRaw, { deliverInvalid: true })
  async onInteractions(@Payload() batch: MessageBatch<Interaction>): Promise<void> {
    const warnings = batch.messages.map((m) => this.fieldWarnings.ofInteraction(m.value, m.warnings));
    await this.dataSource.transaction(async (manager) => {
      await this.interactions.store(
        manager,
        batch.messages.map((m, i) => carrying(m.value, warnings[i])),
        'kafka',
      );
      await this.rejections.record(manager, 'interaction', batch.invalid);
    });
    this.fieldWarnings.count('interaction', 'kafka', warnings.flat());
  }
}

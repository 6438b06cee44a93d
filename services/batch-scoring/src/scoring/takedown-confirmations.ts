import { Inject, Injectable } from '@nestjs/common';
import { takedownConfirmations, topics } from '@newsroom/contracts';
import { Outbox } from '@newsroom/persistence';
import { SERVICE_INSTANCE } from '@newsroom/platform';
import { EntityManager } from 'typeorm';
import { ModerationOutcome } from '../feature-state/feature-state.service';

/**
 * Batch scoring's part of a takedown's receipt: `articles.takedown-confirmed` through the outbox,
 * in the transaction that stored the flag and took the article out of every stored list, so it is
 * sent if and only if that committed.
 */
@Injectable()
export class TakedownConfirmations {
  constructor(
    private readonly outbox: Outbox,
    @Inject(SERVICE_INSTANCE) private readonly instance: string,
  ) {}

  async confirm(manager: EntityManager, takedowns: ModerationOutcome['takedowns']): Promise<void> {
    await this.outbox.enqueue(
      manager,
      topics.takedownConfirmed,
      takedownConfirmations(takedowns, { holder: 'batch-scoring', instance: this.instance }),
    );
  }
}

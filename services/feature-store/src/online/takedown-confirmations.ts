import { Inject, Injectable } from '@nestjs/common';
import { takedownConfirmations, topics } from '@newsroom/contracts';
import { Outbox } from '@newsroom/persistence';
import { SERVICE_INSTANCE } from '@newsroom/platform';
import { EntityManager } from 'typeorm';
import { Takedown } from './article-features.service';

/**
 * The feature store's part of a takedown's receipt: `articles.takedown-confirmed` through the
 * outbox, in the transaction that stored the flag, so it is sent if and only if the flag holds.
 */
@Injectable()
export class TakedownConfirmations {
  constructor(
    private readonly outbox: Outbox,
    @Inject(SERVICE_INSTANCE) private readonly instance: string,
  ) {}

  async confirm(manager: EntityManager, takedowns: readonly Takedown[]): Promise<void> {
    await this.outbox.enqueue(
      manager,
      topics.takedownConfirmed,
      takedownConfirmations(takedowns, { holder: 'feature-store', instance: this.instance }),
    );
  }
}

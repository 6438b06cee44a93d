import { Inject, Injectable } from '@nestjs/common';
import { derivedEventId, newEvent, topics } from '@newsroom/contracts';
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
    const confirmedAt = new Date().toISOString();
    await this.outbox.enqueue(
      manager,
      topics.takedownConfirmed,
      takedowns.map(({ takedownId, articleId }) => ({
        key: articleId,
        value: newEvent(
          topics.takedownConfirmed.name,
          { takedownId, articleId, holder: 'feature-store', instance: this.instance, confirmedAt },
          'feature-store',
          { eventId: derivedEventId(`${topics.takedownConfirmed.name}:${takedownId}:feature-store`) },
        ),
      })),
    );
  }
}

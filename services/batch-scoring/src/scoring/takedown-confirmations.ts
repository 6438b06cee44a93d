import { Inject, Injectable } from '@nestjs/common';
import { derivedEventId, newEvent, topics } from '@newsroom/contracts';
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
    const confirmedAt = new Date().toISOString();
    await this.outbox.enqueue(
      manager,
      topics.takedownConfirmed,
      takedowns.map(({ takedownId, articleId }) => ({
        key: articleId,
        value: newEvent(
          topics.takedownConfirmed.name,
          { takedownId, articleId, holder: 'batch-scoring', instance: this.instance, confirmedAt },
          'batch-scoring',
          { eventId: derivedEventId(`${topics.takedownConfirmed.name}:${takedownId}:batch-scoring`) },
        ),
      })),
    );
  }
}

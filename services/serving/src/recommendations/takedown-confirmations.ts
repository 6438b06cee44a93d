import { Inject, Injectable } from '@nestjs/common';
import { takedownConfirmations, topics } from '@newsroom/contracts';
import { counter } from '@newsroom/observability';
import { Outbox } from '@newsroom/persistence';
import { SERVICE_INSTANCE } from '@newsroom/platform';
import { EntityManager } from 'typeorm';
import { Takedown } from './recommendation-index';

const confirmed = counter(
  'serving_takedowns_confirmed_total',
  'Takedowns this replica confirmed (its index holds the flag)',
);

/**
 * This replica's part of a takedown's receipt: `articles.takedown-confirmed` (holder `serving`,
 * this instance's name) through the outbox, once the flag is in this replica's index — each
 * replica consumes flags in its own group and confirms for itself. A redelivered flag confirms
 * again under the same event id; the receipt keeps the first.
 */
@Injectable()
export class TakedownConfirmations {
  constructor(
    private readonly outbox: Outbox,
    @Inject(SERVICE_INSTANCE) private readonly instance: string,
  ) {}

  async confirm(manager: EntityManager, takedowns: readonly Takedown[]): Promise<void> {
    if (takedowns.length === 0) return;
    await this.outbox.enqueue(
      manager,
      topics.takedownConfirmed,
      takedownConfirmations(takedowns, { holder: 'serving', instance: this.instance }),
    );
    confirmed.inc(takedowns.length);
  }
}

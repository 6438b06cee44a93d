import { z } from 'zod';
import { derivedEventId, newEvent } from './envelope';
import { TakedownConfirmed, takedownHolders } from './events';
import { topics } from './topics';

type Holder = (typeof takedownHolders)[number];

/**
 * Holders that confirm once per replica, because each replica holds its own copy (serving's
 * in-memory index); the others hold the article once, in their database.
 */
const perReplicaHolders: readonly Holder[] = ['serving'];

/**
 * One holder's `articles.takedown-confirmed` records for the takedowns it has just applied, keyed by
 * article. The event id is derived from the takedown and the holder (and the replica, for serving),
 * so a redelivered flag confirms again under the same id and the receipt keeps the first.
 */
export function takedownConfirmations(
  takedowns: readonly { takedownId: string; articleId: string }[],
  by: { holder: Holder; instance: string },
  confirmedAt = new Date().toISOString(),
) {
  const name = topics.takedownConfirmed.name;
  return takedowns.map(({ takedownId, articleId }) => {
    const payload: z.infer<typeof TakedownConfirmed> = { takedownId, articleId, ...by, confirmedAt };
    const identity = [
      name,
      takedownId,
      by.holder,
      ...(perReplicaHolders.includes(by.holder) ? [by.instance] : []),
    ];
    return {
      key: articleId,
      value: newEvent(name, payload, by.holder, { eventId: derivedEventId(identity.join(':')) }),
    };
  });
}

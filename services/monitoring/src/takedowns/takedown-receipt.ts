import { takedownHolders } from '@newsroom/contracts';

/** A flag with a takedown id, as monitoring recorded it. */
export interface Takedown {
  takedownId: string;
  articleId: string;
  reason: string;
  actor: string;
  flaggedAt: string;
  /** The serving replicas live when the article was flagged: each must confirm for its own index. */
  expectedServing: string[];
}

export interface TakedownConfirmation {
  holder: string;
  instance: string;
  confirmedAt: string;
}

export interface HolderState {
  holder: string;
  /** null for a holder not heard from yet. */
  instance: string | null;
  /** null while pending. */
  confirmedAt: string | null;
}

export interface TakedownReceipt {
  takedownId: string;
  articleId: string;
  reason: string;
  actor: string;
  flaggedAt: string;
  complete: boolean;
  /** When the last expected holder confirmed; null until every one has. */
  completedAt: string | null;
  holders: HolderState[];
  /** Times the article was served after the flag (until an unflag lifted it), from the audit trail. */
  impressionsAfterFlag: number;
}

const byTime = (a: TakedownConfirmation, b: TakedownConfirmation) =>
  a.confirmedAt < b.confirmedAt ? -1 : a.confirmedAt > b.confirmedAt ? 1 : 0;

/**
 * Each holder's state for a takedown: the feature store and batch scoring (whichever instance
 * confirms, once for the service), and each serving replica expected — plus any replica that
 * confirmed without being expected (it started as the flag went out). Complete when every expected
 * holder has confirmed; completed when the last of them did.
 */
export function holderStates(
  takedown: Pick<Takedown, 'expectedServing'>,
  confirmations: readonly TakedownConfirmation[],
): Pick<TakedownReceipt, 'holders' | 'complete' | 'completedAt'> {
  const sorted = [...confirmations].sort(byTime);
  const holders: HolderState[] = [];
  const required: (TakedownConfirmation | undefined)[] = [];
  for (const holder of takedownHolders) {
    const heard = sorted.filter((c) => c.holder === holder);
    if (holder === 'serving') {
      for (const instance of [...takedown.expectedServing].sort()) {
        const confirmation = heard.find((c) => c.instance === instance);
        required.push(confirmation);
        holders.push({ holder, instance, confirmedAt: confirmation?.confirmedAt ?? null });
      }
      for (const c of heard.filter((c) => !takedown.expectedServing.includes(c.instance)))
        holders.push({ holder, instance: c.instance, confirmedAt: c.confirmedAt });
      continue;
    }
    required.push(heard[0]);
    if (heard.length === 0) holders.push({ holder, instance: null, confirmedAt: null });
    for (const c of heard) holders.push({ holder, instance: c.instance, confirmedAt: c.confirmedAt });
  }
  const times = required.map((c) => c?.confirmedAt);
  if (!times.every((t): t is string => t !== undefined))
    return { holders, complete: false, completedAt: null };
  return { holders, complete: true, completedAt: times.reduce((a, b) => (b > a ? b : a)) };
}

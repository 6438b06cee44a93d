import { ReaderDataHolder, readerDataHolders } from '@newsroom/contracts';

export interface ReaderDataConfirmation {
  holder: ReaderDataHolder;
  instance: string;
  records: number;
  part: { uri: string; sha256: string } | null;
  confirmedAt: string;
}

export interface ReaderDataReceipt {
  requestId: string;
  userId: string;
  action: 'export' | 'erasure';
  requestedAt: string;
  actor: string;
  /** Every expected holder has confirmed. */
  complete: boolean;
  completedAt: string | null;
  holders: {
    holder: ReaderDataHolder;
    instance: string | null;
    records: number | null;
    confirmedAt: string | null;
  }[];
}

/** Holders whose replicas each hold the reader's data in memory, so each confirms for itself. */
const perInstanceHolders: readonly ReaderDataHolder[] = ['serving'];

/**
 * The receipt of a request from its confirmations: one line per holder (per expected instance for
 * serving), pending where it has not confirmed; a serving replica that confirmed without being
 * expected (started since) is listed too. Complete once every expected line is confirmed.
 */
export function readerDataReceipt(
  request: Omit<ReaderDataReceipt, 'complete' | 'completedAt' | 'holders'> & { expectedInstances: string[] },
  confirmations: readonly ReaderDataConfirmation[],
): ReaderDataReceipt {
  const lines: ReaderDataReceipt['holders'] = [];
  for (const holder of readerDataHolders) {
    const confirmed = confirmations.filter((c) => c.holder === holder);
    const line = (c: ReaderDataConfirmation | undefined, instance: string | null) => ({
      holder,
      instance: c?.instance ?? instance,
      records: c?.records ?? null,
      confirmedAt: c?.confirmedAt ?? null,
    });
    if (!perInstanceHolders.includes(holder)) {
      const first = [...confirmed].sort((a, b) => a.confirmedAt.localeCompare(b.confirmedAt))[0];
      lines.push(line(first, null));
      continue;
    }
    const instances = [...new Set([...request.expectedInstances, ...confirmed.map((c) => c.instance)])];
    if (instances.length === 0) lines.push(line(undefined, null));
    for (const instance of instances.sort())
      lines.push(
        line(
          confirmed.find((c) => c.instance === instance),
          instance,
        ),
      );
  }
  const complete = lines.every((l) => l.confirmedAt !== null);
  const { expectedInstances: _expected, ...rest } = request;
  return {
    ...rest,
    complete,
    completedAt: complete
      ? (lines
          .map((l) => l.confirmedAt as string)
          .sort()
          .at(-1) ?? null)
      : null,
    holders: lines,
  };
}

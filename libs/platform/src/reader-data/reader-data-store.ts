import { ReaderDataHolder } from '@newsroom/contracts';
import { EntityManager } from 'typeorm';

/** What one holder keeps about a reader: the parts of an export, by table or kind. */
export type ReaderDataDocument = Record<string, unknown[]>;

/**
 * How a service finds and erases what it stores about one reader, inside the transaction that
 * also confirms it. Erasure removes a reader's own rows; where a record must outlive them (the
 * audit trail, quality figures), it is anonymised instead (`erasedReaderId`).
 */
export interface ReaderDataStore {
  readonly holder: ReaderDataHolder;
  exportReader(manager: EntityManager, userId: string): Promise<ReaderDataDocument>;
  /** The number of records removed or anonymised. */
  eraseReader(manager: EntityManager, userId: string, requestId: string): Promise<number>;
  /** After the transaction commits: drop what is held in memory (serving's index). */
  afterErasure?(userId: string): void;
}

import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { quotedSchema } from './data-source';

/**
 * Remembers which events a consumer has handled. Claim inside the transaction that does the
 * handler's work: a redelivered event finds its id taken and changes nothing.
 */
@Injectable()
export class Inbox {
  /** Returns the ids among `eventIds` not handled before by `consumer`, and marks them handled. */
  async claim(manager: EntityManager, consumer: string, eventIds: string[]): Promise<Set<string>> {
    if (eventIds.length === 0) return new Set();
    const table = `${quotedSchema(manager.connection)}.inbox`;
    const rows: { event_id: string }[] = await manager.query(
      `INSERT INTO ${table} (consumer, event_id)
       SELECT $1, id FROM unnest($2::text[]) AS id
       ON CONFLICT DO NOTHING RETURNING event_id`,
      [consumer, [...new Set(eventIds)]],
    );
    return new Set(rows.map((r) => r.event_id));
  }

  /**
   * The events among `events` not handled before by `consumer`, each once (its first occurrence:
   * a record redelivered within the same batch is handled once, not twice), and marks them handled.
   */
  async claimEvents<T extends { eventId: string }>(
    manager: EntityManager,
    consumer: string,
    events: readonly T[],
  ): Promise<T[]> {
    const fresh = await this.claim(
      manager,
      consumer,
      events.map((e) => e.eventId),
    );
    return events.filter((e) => fresh.delete(e.eventId));
  }

  async claimOne(manager: EntityManager, consumer: string, eventId: string): Promise<boolean> {
    return (await this.claim(manager, consumer, [eventId])).has(eventId);
  }
}

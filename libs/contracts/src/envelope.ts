import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * Every internal event travels in this envelope; `eventId` is the idempotency key of consumers.
 * Unknown fields are tolerated (and dropped) so that versions can roll out one service at a time.
 */
export function eventEnvelope<T extends string, P extends z.ZodType>(type: T, payload: P) {
  return z.object({
    eventId: z.uuid(),
    type: z.literal(type),
    schemaVersion: z.number().int().positive(),
    occurredAt: z.iso.datetime({ offset: true }),
    producer: z.string().min(1),
    payload,
  });
}

export interface EventEnvelope<T extends string = string, P = unknown> {
  eventId: string;
  type: T;
  schemaVersion: number;
  occurredAt: string;
  producer: string;
  payload: P;
}

/** Wraps a payload in a new envelope; the topic's name is the event type. */
export function newEvent<T extends string, P>(
  type: T,
  payload: P,
  producer: string,
  { eventId = crypto.randomUUID() as string, occurredAt = new Date().toISOString() } = {},
): EventEnvelope<T, P> {
  return {
    eventId,
    type,
    schemaVersion: 1,
    occurredAt,
    producer,
    payload,
  };
}

/**
 * A UUID derived from a name (sha256, RFC 9562 version 8): the event a stored record produces has
 * the same id however often it is (re)published, so consumers can de-duplicate it.
 */
export function derivedEventId(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

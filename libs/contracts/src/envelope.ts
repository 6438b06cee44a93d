import { z } from 'zod';

/** Every internal event travels in this envelope; `eventId` is the idempotency key of consumers. */
export function eventEnvelope<T extends string, P extends z.ZodType>(type: T, payload: P) {
  return z.strictObject({
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
export function newEvent<T extends string, P>(type: T, payload: P, producer: string): EventEnvelope<T, P> {
  return {
    eventId: crypto.randomUUID(),
    type,
    schemaVersion: 1,
    occurredAt: new Date().toISOString(),
    producer,
    payload,
  };
}

import { Injectable } from '@nestjs/common';
import { TopicDefinition, parseMessage } from '@newsroom/contracts';
import { OutboundMessage } from '@newsroom/messaging';
import { context, propagation } from '@opentelemetry/api';
import { EntityManager } from 'typeorm';
import { z } from 'zod';
import { quotedSchema, schemaOf } from './data-source';
import { outboxChannel } from './outbox-signal';

/** The trace of the transaction that writes an event; the relay publishes it under this trace. */
function activeTrace(): Record<string, string> {
  const trace: Record<string, string> = {};
  propagation.inject(context.active(), trace);
  return trace;
}

/**
 * Writes events into the outbox table inside the caller's transaction, so an event exists if and
 * only if the business rows it describes were committed. OutboxRelay publishes them afterwards.
 */
@Injectable()
export class Outbox {
  /**
   * Enqueues messages that the database builds from rows it holds: `select` (a query over the
   * caller's `params`, as $1, $2…) yields `key text` and `value json` (never null) columns, in the
   * order they are to be published. For events whose bulk is already in a table — a takedown rewrites ~1,800
   * lists of ~15 kB, which need not travel to the service and back to be announced. The first
   * message is checked against the topic's contract (the code that builds them all is one query);
   * returns how many were enqueued.
   */
  async enqueueSelected<T extends TopicDefinition>(
    manager: EntityManager,
    topic: T,
    select: string,
    params: readonly unknown[],
  ): Promise<number> {
    const table = `${quotedSchema(manager.connection)}.outbox`;
    const n = params.length;
    const [first]: { key: string; value: string; enqueued: number }[] = await manager.query(
      `WITH selected AS (${select}),
         inserted AS (
           INSERT INTO ${table} (topic, key, value, headers)
           SELECT $${n + 1}, key, value::text, $${n + 2}::jsonb FROM selected
           RETURNING id, key, value),
         notified AS (SELECT pg_notify($${n + 3}, '') WHERE EXISTS (SELECT 1 FROM inserted))
       SELECT key, value, (SELECT count(*) FROM inserted)::int AS enqueued
       FROM inserted, (SELECT count(*) FROM notified) AS n ORDER BY id LIMIT 1`,
      [...params, topic.name, JSON.stringify(activeTrace()), outboxChannel(schemaOf(manager.connection))],
    );
    if (!first) return 0;
    parseMessage(topic, first.key, JSON.parse(first.value), `outbox message 0 for ${topic.name}`);
    return first.enqueued;
  }

  async enqueue<T extends TopicDefinition>(
    manager: EntityManager,
    topic: T,
    messages: OutboundMessage<z.input<T['value']>>[],
    { validate = 'all' }: { validate?: 'all' | 'first' } = {},
  ): Promise<void> {
    if (messages.length === 0) return;
    const trace = activeTrace();
    // 'first' is for hot paths whose events are all built by the same code from input already
    // validated at the edge: checking one per batch catches a shape the code got wrong.
    const rows = messages.map((message, index) => ({
      key: message.key,
      value:
        validate === 'all' || index === 0
          ? parseMessage(topic, message.key, message.value, `outbox message ${index} for ${topic.name}`)
          : message.value,
      headers: message.headers ? { ...trace, ...message.headers } : trace,
    }));
    const table = `${quotedSchema(manager.connection)}.outbox`;
    // All rows as one JSON parameter: native serialisation instead of one escaped array per column;
    // `json` (not jsonb) keeps each value's text exactly as serialised here. The notification (sent
    // at commit, once per transaction and channel) wakes the relay.
    await manager.query(
      `WITH rows AS (
         INSERT INTO ${table} (topic, key, value, headers)
         SELECT $1, key, value::text, headers FROM json_to_recordset($2::json) AS m(key text, value json, headers jsonb))
       SELECT pg_notify($3, '')`,
      [topic.name, JSON.stringify(rows), outboxChannel(schemaOf(manager.connection))],
    );
  }
}

import { Injectable } from '@nestjs/common';
import { TopicDefinition, parseMessage } from '@newsroom/contracts';
import { OutboundMessage } from '@newsroom/messaging';
import { context, propagation } from '@opentelemetry/api';
import { EntityManager } from 'typeorm';
import { z } from 'zod';
import { quotedSchema, schemaOf } from './data-source';
import { outboxChannel } from './outbox-signal';

/**
 * Writes events into the outbox table inside the caller's transaction, so an event exists if and
 * only if the business rows it describes were committed. OutboxRelay publishes them afterwards.
 */
@Injectable()
export class Outbox {
  async enqueue<T extends TopicDefinition>(
    manager: EntityManager,
    topic: T,
    messages: OutboundMessage<z.input<T['value']>>[],
    { validate = 'all' }: { validate?: 'all' | 'first' } = {},
  ): Promise<void> {
    if (messages.length === 0) return;
    // Keep the trace of the transaction that wrote the event; the relay publishes under it.
    const trace: Record<string, string> = {};
    propagation.inject(context.active(), trace);
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

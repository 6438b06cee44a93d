import { Injectable } from '@nestjs/common';
import { TopicDefinition, parseMessage } from '@newsroom/contracts';
import { OutboundMessage } from '@newsroom/messaging';
import { context, propagation } from '@opentelemetry/api';
import { EntityManager } from 'typeorm';
import { z } from 'zod';
import { quoteIdent, schemaOf } from './data-source';

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
  ): Promise<void> {
    if (messages.length === 0) return;
    // Keep the trace of the transaction that wrote the event; the relay publishes under it.
    const trace: Record<string, string> = {};
    propagation.inject(context.active(), trace);
    const values = messages.map((message, index) =>
      JSON.stringify(parseMessage(topic, message.key, message.value, `outbox message ${index} for ${topic.name}`)),
    );
    const table = `${quoteIdent(schemaOf(manager.connection))}.outbox`;
    // One array parameter per column, however many rows: cheap to bind and to parse.
    await manager.query(
      `INSERT INTO ${table} (topic, key, value, headers)
       SELECT $1, key, value, headers FROM unnest($2::text[], $3::text[], $4::jsonb[]) AS m(key, value, headers)`,
      [
        topic.name,
        messages.map((m) => m.key),
        values,
        messages.map((m) => JSON.stringify({ ...trace, ...m.headers })),
      ],
    );
  }
}

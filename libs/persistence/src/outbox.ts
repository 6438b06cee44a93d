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
    const params: unknown[] = [];
    const rows = messages.map((message, index) => {
      const value = parseMessage(
        topic,
        message.key,
        message.value,
        `outbox message ${index} for ${topic.name}`,
      );
      params.push(
        topic.name,
        message.key,
        JSON.stringify(value),
        JSON.stringify({ ...trace, ...message.headers }),
      );
      const p = params.length;
      return `($${p - 3}, $${p - 2}, $${p - 1}, $${p}::jsonb)`;
    });
    const table = `${quoteIdent(schemaOf(manager.connection))}.outbox`;
    await manager.query(
      `INSERT INTO ${table} (topic, key, value, headers) VALUES ${rows.join(', ')}`,
      params,
    );
  }
}

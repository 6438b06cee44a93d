import { Injectable } from '@nestjs/common';
import { TopicDefinition, describeFieldErrors, fieldErrors } from '@newsroom/contracts';
import { ContractViolationError, OutboundMessage } from '@newsroom/messaging';
import { context, propagation } from '@opentelemetry/api';
import { EntityManager } from 'typeorm';
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
    messages: OutboundMessage<import('zod').input<T['value']>>[],
  ): Promise<void> {
    if (messages.length === 0) return;
    // Keep the trace of the transaction that wrote the event; the relay publishes under it.
    const trace: Record<string, string> = {};
    propagation.inject(context.active(), trace);
    const params: unknown[] = [];
    const rows = messages.map((message, index) => {
      const key = topic.key.safeParse(message.key);
      const value = topic.value.safeParse(message.value);
      if (!key.success || !value.success) {
        const errors = [...(key.error ? fieldErrors(key.error) : []), ...(value.error ? fieldErrors(value.error) : [])];
        throw new ContractViolationError(`outbox message ${index} for ${topic.name}: ${describeFieldErrors(errors)}`);
      }
      params.push(topic.name, message.key, JSON.stringify(value.data), JSON.stringify({ ...trace, ...message.headers }));
      const p = params.length;
      return `($${p - 3}, $${p - 2}, $${p - 1}, $${p}::jsonb)`;
    });
    const table = `${quoteIdent(schemaOf(manager.connection))}.outbox`;
    await manager.query(`INSERT INTO ${table} (topic, key, value, headers) VALUES ${rows.join(', ')}`, params);
  }
}

import { Injectable } from '@nestjs/common';
import { quotedSchema } from '@newsroom/persistence';
import { ReaderDataDocument, ReaderDataStore, erasedReaderId } from '@newsroom/platform';
import { EntityManager } from 'typeorm';

/** Monitoring's tables that name readers, each with an index on the reader: what it stores about one. */
const readerTables = [
  { table: 'audit_responses', order: 'served_at, request_id' },
  { table: 'served_lists', order: 'served_at, request_id' },
  { table: 'reader_hours', order: 'hour' },
] as const;

/**
 * Monitoring's part of a reader's data: the responses they were served (the audit trail, and the
 * lists online quality is measured on) and their hourly reads (volume). Erasure anonymises rather
 * than deletes: the trail still proves who-was-shown-what to an auditor asking about an article,
 * and the figures computed from these rows (exposures, hit rates, active readers) stay what they
 * were, but nothing names the reader any more.
 */
@Injectable()
export class MonitoringReaderData implements ReaderDataStore {
  readonly holder = 'monitoring';

  async exportReader(manager: EntityManager, userId: string): Promise<ReaderDataDocument> {
    const s = quotedSchema(manager.connection);
    const document: ReaderDataDocument = {};
    for (const { table, order } of readerTables)
      document[table] = await manager.query(
        `SELECT * FROM ${s}.${table} WHERE user_id = $1 ORDER BY ${order}`,
        [userId],
      );
    return document;
  }

  async eraseReader(manager: EntityManager, userId: string, requestId: string): Promise<number> {
    const s = quotedSchema(manager.connection);
    const anonymous = erasedReaderId(userId, requestId);
    // An article's exposures name the reader too; they are found through the reader's responses
    // (by their keys), not by a scan of every day's exposures.
    const [, exposures] = await manager.query(
      `UPDATE ${s}.audit_exposures e SET user_id = $2
       FROM (SELECT r.served_at, r.request_id, item->>'articleId' AS article_id
             FROM ${s}.audit_responses r, jsonb_array_elements(r.items) AS item WHERE r.user_id = $1) x
       WHERE e.article_id = x.article_id AND e.served_at = x.served_at AND e.request_id = x.request_id`,
      [userId, anonymous],
    );
    let records = exposures;
    for (const { table } of readerTables) {
      const [, changed] = await manager.query(`UPDATE ${s}.${table} SET user_id = $2 WHERE user_id = $1`, [
        userId,
        anonymous,
      ]);
      records += changed;
    }
    return records;
  }
}

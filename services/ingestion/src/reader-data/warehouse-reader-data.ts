import { Injectable } from '@nestjs/common';
import { quotedSchema } from '@newsroom/persistence';
import { ReaderDataDocument, ReaderDataStore } from '@newsroom/platform';
import { EntityManager } from 'typeorm';

/** The warehouse's part of a reader's data: every interaction they made, as stored. */
@Injectable()
export class WarehouseReaderData implements ReaderDataStore {
  readonly holder = 'ingestion';

  async exportReader(manager: EntityManager, userId: string): Promise<ReaderDataDocument> {
    const interactions = await manager.query(
      `SELECT * FROM ${quotedSchema(manager.connection)}.interactions WHERE user_id = $1 ORDER BY occurred_at, event_id`,
      [userId],
    );
    return { interactions };
  }

  async eraseReader(manager: EntityManager, userId: string): Promise<number> {
    const [, removed] = await manager.query(
      `DELETE FROM ${quotedSchema(manager.connection)}.interactions WHERE user_id = $1`,
      [userId],
    );
    return removed;
  }
}

import { Injectable } from '@nestjs/common';
import { recommendationListSize } from '@newsroom/contracts';
import { DataSource } from 'typeorm';
import { ChangedRows } from './changed-rows';
import { ListItem } from './reader-lists';

export interface ReaderVector {
  vector: Float32Array;
  /** Score a new article must beat to enter the list (−∞ while the list is short). */
  threshold: number;
  articleIds: Set<string>;
}

/**
 * Every listed reader's vector under one model, in memory, with what it takes to enter their
 * list: what the freshness path scores a new article against. Kept up to date from the lists
 * table by what changed since the last look; starts over when the model changes.
 */
@Injectable()
export class ReaderVectors {
  private modelVersion?: string;
  private readonly readers = new Map<string, ReaderVector>();
  private readonly changes: ChangedRows<{
    user_id: string;
    model_version: string;
    vector: Buffer;
    items: ListItem[];
    changed_at: Date;
  }>;

  constructor(dataSource: DataSource) {
    this.changes = new ChangedRows(dataSource, 'lists', 'user_id, model_version, vector, items');
  }

  async current(modelVersion: string): Promise<ReadonlyMap<string, ReaderVector>> {
    if (modelVersion !== this.modelVersion) {
      this.readers.clear();
      this.changes.reset();
      this.modelVersion = modelVersion;
    }
    const rows = await this.changes.next();
    for (const row of rows) {
      if (row.model_version !== modelVersion) {
        this.readers.delete(row.user_id);
        continue;
      }
      const vector = new Float32Array(
        row.vector.buffer.slice(row.vector.byteOffset, row.vector.byteOffset + row.vector.byteLength),
      );
      this.readers.set(row.user_id, { vector, ...ReaderVectors.entry(row.items) });
    }
    return this.readers;
  }

  /** After this process changed a list: the next article sees it without waiting for a reload. */
  updated(userId: string, items: readonly ListItem[]): void {
    const reader = this.readers.get(userId);
    if (reader) Object.assign(reader, ReaderVectors.entry(items));
  }

  private static entry(items: readonly ListItem[]): Omit<ReaderVector, 'vector'> {
    return {
      threshold: items.length < recommendationListSize ? -Infinity : items[items.length - 1].score,
      articleIds: new Set(items.map((i) => i.articleId)),
    };
  }
}

import { Injectable } from '@nestjs/common';
import { recommendationListSize } from '@newsroom/contracts';
import { DataSource } from 'typeorm';
import { ChangedRows } from './changed-rows';
import { ListItem } from './reader-lists';

export interface ReaderVector {
  vector: Float32Array;
  /** The reader's coalition vectors and the baseline score they were explained from (explained lists). */
  explained?: { coalitions: Float32Array; baselineScore: number };
  /** Score a new article must beat to enter the list (−∞ while the list is short). */
  threshold: number;
  articleIds: Set<string>;
}

const floats = (bytes: Buffer) =>
  new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));

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
    reader_coalitions: Buffer | null;
    attribution_baseline: number | null;
    items: ListItem[];
    changed_at: Date;
  }>;

  constructor(dataSource: DataSource) {
    this.changes = new ChangedRows(
      dataSource,
      'lists',
      'user_id, model_version, vector, reader_coalitions, attribution_baseline, items',
    );
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
      const explained =
        row.reader_coalitions && row.attribution_baseline !== null
          ? { coalitions: floats(row.reader_coalitions), baselineScore: row.attribution_baseline }
          : undefined;
      this.readers.set(row.user_id, {
        vector: floats(row.vector),
        ...(explained ? { explained } : {}),
        ...ReaderVectors.entry(row.items),
      });
    }
    return this.readers;
  }

  /** A reader whose data was erased: their list is deleted, which the changed rows do not show. */
  forget(userId: string): void {
    this.readers.delete(userId);
  }

  /** After this process changed a list: the next article sees it without waiting for a reload. */
  updated(userId: string, items: readonly ListItem[]): void {
    const reader = this.readers.get(userId);
    if (reader) Object.assign(reader, ReaderVectors.entry(items));
  }

  private static entry(items: readonly ListItem[]): Pick<ReaderVector, 'threshold' | 'articleIds'> {
    return {
      threshold: items.length < recommendationListSize ? -Infinity : items[items.length - 1].score,
      articleIds: new Set(items.map((i) => i.articleId)),
    };
  }
}

import { Injectable } from '@nestjs/common';
import { quotedSchema } from '@newsroom/persistence';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { PinDto } from './dto/pin.dto';
import { PinRequest } from './dto/pin-request';

interface PinRow {
  pin_id: string;
  article_id: string;
  region: string | null;
  rank: number;
  note: string | null;
  created_by: string;
  created_at: Date;
  expires_at: Date;
}

const columns = 'pin_id, article_id, region, rank, note, created_by, created_at, expires_at';

const toPin = (row: PinRow): PinDto => ({
  pinId: row.pin_id,
  articleId: row.article_id,
  region: row.region,
  rank: row.rank,
  note: row.note,
  createdBy: row.created_by,
  createdAt: row.created_at.toISOString(),
  expiresAt: row.expires_at.toISOString(),
});

/** Editors' pins in the `serving` schema, shared by the replicas; a deleted pin is kept, marked. */
@Injectable()
export class PinsService {
  constructor(private readonly dataSource: DataSource) {}

  private get s(): string {
    return quotedSchema(this.dataSource);
  }

  async create(request: PinRequest, actor: string): Promise<PinDto> {
    const [row]: PinRow[] = await this.dataSource.query(
      `INSERT INTO ${this.s}.pins (pin_id, article_id, region, rank, note, created_by, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${columns}`,
      [
        randomUUID(),
        request.articleId,
        request.region ?? null,
        request.rank,
        request.note ?? null,
        actor,
        request.expiresAt,
      ],
    );
    return toPin(row);
  }

  /** Pins neither deleted nor expired, by rank, oldest first within a rank. */
  async inForce(): Promise<PinDto[]> {
    const rows: PinRow[] = await this.dataSource.query(
      `SELECT ${columns} FROM ${this.s}.pins WHERE deleted_at IS NULL AND expires_at > now()
       ORDER BY rank, created_at, pin_id`,
    );
    return rows.map(toPin);
  }

  /** Marks a pin in force deleted; false when there is none with this id. */
  async remove(pinId: string, actor: string): Promise<boolean> {
    const [, updated] = await this.dataSource.query(
      `UPDATE ${this.s}.pins SET deleted_at = now(), deleted_by = $2
       WHERE pin_id = $1 AND deleted_at IS NULL AND expires_at > now()`,
      [pinId, actor],
    );
    return updated > 0;
  }
}

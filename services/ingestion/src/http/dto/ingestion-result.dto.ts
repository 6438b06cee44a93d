import { ApiProperty } from '@nestjs/swagger';

export class ItemErrorDto {
  @ApiProperty({ description: 'Position of the item in the request (0 for a single object)' })
  index!: number;
  @ApiProperty({ example: 'dwellSeconds' })
  field!: string;
  @ApiProperty({ example: 'Too small: expected number to be >=0' })
  message!: string;
}

/** What a write request did: stored items, duplicates of earlier ones (by eventId), rejected items. */
export class IngestionResultDto {
  @ApiProperty({ description: 'Items stored by this request' })
  accepted!: number;
  @ApiProperty({ description: 'Valid items whose eventId was already stored: nothing changed' })
  duplicates!: number;
  @ApiProperty({ type: [ItemErrorDto], description: 'Invalid items, not stored; the others were' })
  rejected!: ItemErrorDto[];
}

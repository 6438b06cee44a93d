import { ApiProperty } from '@nestjs/swagger';

export class ItemErrorDto {
  @ApiProperty({ description: 'Position of the item in the request (0 for a single object)' })
  index!: number;
  @ApiProperty({ example: 'dwellSeconds' })
  field!: string;
  @ApiProperty({ example: 'Too small: expected number to be >=0' })
  message!: string;
}

export class ItemWarningDto extends ItemErrorDto {
  @ApiProperty({
    enum: ['invalid', 'unknown-field', 'unknown-value'],
    description:
      'invalid: an optional attribute that failed its check, dropped; unknown-field: not in the contract, ignored; ' +
      'unknown-value: valid but not configured (a region outside PLATFORM_REGIONS), kept as reported',
  })
  reason!: string;
}

/**
 * What a write request did: stored items, duplicates of earlier ones (by eventId), rejected items,
 * and fields of stored items not taken as sent.
 */
export class IngestionResultDto {
  @ApiProperty({ description: 'Items stored by this request' })
  accepted!: number;
  @ApiProperty({ description: 'Valid items whose eventId was already stored: nothing changed' })
  duplicates!: number;
  @ApiProperty({ type: [ItemErrorDto], description: 'Invalid items, not stored; the others were' })
  rejected!: ItemErrorDto[];
  @ApiProperty({ type: [ItemWarningDto], description: 'Fields of stored items not taken as sent' })
  warnings!: ItemWarningDto[];
}

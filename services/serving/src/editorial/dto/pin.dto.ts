import { ApiProperty } from '@nestjs/swagger';

/** A pin as the API shows it. */
export class PinDto {
  @ApiProperty({ format: 'uuid' })
  pinId!: string;
  @ApiProperty({ example: 'art-1' })
  articleId!: string;
  @ApiProperty({ type: String, nullable: true, example: 'africa', description: 'null: every region' })
  region!: string | null;
  @ApiProperty({ minimum: 1, maximum: 50, example: 1 })
  rank!: number;
  @ApiProperty({ type: String, nullable: true, example: 'election results' })
  note!: string | null;
  @ApiProperty({ description: "the name of the editor's API key", example: 'desk-a' })
  createdBy!: string;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiProperty({ format: 'date-time' })
  expiresAt!: string;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ModerationResultDto {
  @ApiProperty()
  articleId!: string;
  @ApiProperty()
  flagged!: boolean;
  @ApiPropertyOptional({
    format: 'uuid',
    example: '5f0c6d1e-2b3a-4c5d-8e9f-0a1b2c3d4e5f',
    description:
      "A flag's takedown: the holders' confirmations and monitoring's receipt carry it (absent on an unflag)",
  })
  takedownId?: string;
}

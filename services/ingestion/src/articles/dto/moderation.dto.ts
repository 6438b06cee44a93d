import { ApiProperty } from '@nestjs/swagger';

export class ModerationRequestDto {
  @ApiProperty({ example: 'misinformation: fabricated quote', description: 'Why, for the audit log' })
  reason!: string;
}

export class ModerationResultDto {
  @ApiProperty()
  articleId!: string;
  @ApiProperty()
  flagged!: boolean;
}

import { Body, Controller, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Interaction, topicExamples } from '@newsroom/contracts';
import {
  ApiKeyGuard,
  ApiZodBody,
  BodyCheckedPerRecord,
  RequireApiKey,
  SERVICE_CONFIG,
} from '@newsroom/platform';
import { DataSource } from 'typeorm';
import { IngestionConfig } from '../config';
import { IngestionResultDto } from '../http/dto/ingestion-result.dto';
import { ingestRequest, oneOrBatch } from '../http/ingestion-request';
import { FieldWarnings } from '../quality/field-warnings';
import { InteractionsService } from './interactions.service';

@ApiTags('ingestion')
@ApiSecurity('api-key')
@Controller('v1/interactions')
@UseGuards(ApiKeyGuard)
export class InteractionsController {
  constructor(
    private readonly interactions: InteractionsService,
    private readonly dataSource: DataSource,
    private readonly fieldWarnings: FieldWarnings,
    @Inject(SERVICE_CONFIG) private readonly config: IngestionConfig,
  ) {}

  @Post()
  @HttpCode(202)
  @RequireApiKey('producer')
  @BodyCheckedPerRecord()
  @ApiOperation({
    summary: 'Ingest reading events: one object, or { "items": [...] }',
    description:
      'Valid items are stored (idempotent by eventId) even when others in the batch are invalid; ' +
      'invalid items are listed in `rejected`. 400 when no item is valid. Only a missing or invalid required ' +
      'field rejects an item: an invalid optional attribute is dropped, an unknown field ignored and a region ' +
      'outside PLATFORM_REGIONS kept as reported, each listed in `warnings`.',
  })
  @ApiZodBody(oneOrBatch(Interaction), { items: [topicExamples.interactionsRaw.value] })
  @ApiResponse({ status: 202, type: IngestionResultDto })
  async ingest(@Body() body: unknown): Promise<IngestionResultDto> {
    const result = await ingestRequest(
      this.dataSource,
      (item) => this.fieldWarnings.acceptInteraction(item),
      body,
      this.config.INGESTION_MAX_BATCH_ITEMS,
      (manager, items) => this.interactions.store(manager, items, 'http'),
    );
    this.fieldWarnings.count('interaction', 'http', result.warnings);
    return result;
  }
}

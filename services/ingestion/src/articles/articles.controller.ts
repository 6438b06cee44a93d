import { Body, Controller, HttpCode, Inject, Param, Post, Req, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import {
  Article,
  ModerationRequest,
  describeFieldErrors,
  fieldErrors,
  topicExamples,
} from '@newsroom/contracts';
import {
  ApiKeyGuard,
  ApiZodBody,
  AuthenticatedRequest,
  BodyCheckedPerRecord,
  RequireApiKey,
  SERVICE_CONFIG,
} from '@newsroom/platform';
import { DataSource } from 'typeorm';
import { IngestionConfig } from '../config';
import { IngestionResultDto } from '../http/dto/ingestion-result.dto';
import { badRequest, ingestRequest, oneOrBatch } from '../http/ingestion-request';
import { FieldWarnings } from '../quality/field-warnings';
import { ArticlesService } from './articles.service';
import { ModerationResultDto } from './dto/moderation.dto';
import { ModerationService } from './moderation.service';

@ApiTags('ingestion')
@ApiSecurity('api-key')
@Controller('v1/articles')
@UseGuards(ApiKeyGuard)
export class ArticlesController {
  constructor(
    private readonly articles: ArticlesService,
    private readonly moderation: ModerationService,
    private readonly dataSource: DataSource,
    private readonly fieldWarnings: FieldWarnings,
    @Inject(SERVICE_CONFIG) private readonly config: IngestionConfig,
  ) {}

  @Post()
  @HttpCode(202)
  @RequireApiKey('producer')
  @BodyCheckedPerRecord()
  @ApiOperation({
    summary: 'Ingest articles: one object, or { "items": [...] }',
    description:
      'A new eventId for a known articleId is a new revision. Valid items are stored even when others ' +
      'in the batch are invalid; invalid items are listed in `rejected`. 400 when no item is valid. An invalid ' +
      'optional attribute is dropped and an unknown field ignored, each listed in `warnings`.',
  })
  @ApiZodBody(oneOrBatch(Article), { items: [topicExamples.articlesRaw.value] })
  @ApiResponse({ status: 202, type: IngestionResultDto })
  async ingest(@Body() body: unknown): Promise<IngestionResultDto> {
    const result = await ingestRequest(
      this.dataSource,
      (item) => this.fieldWarnings.acceptArticle(item),
      body,
      this.config.INGESTION_MAX_BATCH_ITEMS,
      (manager, items) => this.articles.store(manager, items, 'http'),
    );
    this.fieldWarnings.count('article', 'http', result.warnings);
    return result;
  }

  @Post(':articleId/flag')
  @HttpCode(200)
  @RequireApiKey('moderator')
  @ApiOperation({
    summary: 'Flag an article (e.g. misinformation): it leaves every recommendation list',
    description:
      'Answers with a `takedownId`: every holder of the article (the feature store, batch scoring, each ' +
      'serving replica) confirms its removal under it on `articles.takedown-confirmed`, and monitoring ' +
      'shows the receipt at `GET /v1/takedowns/{takedownId}`. An article not ingested yet can be flagged: ' +
      'it is flagged from the moment it arrives and never served.',
  })
  @ApiZodBody(ModerationRequest)
  @ApiResponse({ status: 200, type: ModerationResultDto })
  flag(@Param('articleId') articleId: string, @Body() body: unknown, @Req() request: AuthenticatedRequest) {
    return this.setFlag(articleId, true, body, request);
  }

  @Post(':articleId/unflag')
  @HttpCode(200)
  @RequireApiKey('moderator')
  @ApiOperation({ summary: 'Lift the flag of an article (no takedown id: nothing is removed)' })
  @ApiZodBody(ModerationRequest)
  @ApiResponse({ status: 200, type: ModerationResultDto })
  unflag(@Param('articleId') articleId: string, @Body() body: unknown, @Req() request: AuthenticatedRequest) {
    return this.setFlag(articleId, false, body, request);
  }

  private async setFlag(
    articleId: string,
    flagged: boolean,
    body: unknown,
    request: AuthenticatedRequest,
  ): Promise<ModerationResultDto> {
    const parsed = ModerationRequest.safeParse(body);
    if (!parsed.success) {
      const errors = fieldErrors(parsed.error);
      throw badRequest(describeFieldErrors(errors), errors);
    }
    return this.moderation.setFlag(articleId, flagged, parsed.data.reason, request.apiKeyName ?? 'unknown');
  }
}

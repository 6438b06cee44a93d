import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, ApiZodParam, ApiZodQuery, RequireApiKey, parseBody } from '@newsroom/platform';
import { AuditPage, AuditService, Exposure, Impression } from './audit.service';
import { ArticlePath, AuditQuery, UserPath } from './dto/audit-query';

const lineageExample = {
  modelVersion: 'v12',
  source: 'personalized',
  region: 'africa',
  datasetId: 'a3f1c9e07b5d42e8a6c0f3b1d9e7a5c3b1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6',
  featureSchemaVersion: 1,
  generatedAt: '2026-12-04T06:00:00.000Z',
};
const pageFields = { from: '2026-12-01T00:00:00.000Z', to: '2026-12-05T00:00:00.000Z', nextCursor: null };

/**
 * The "why shown" trail, behind an auditor key: every served response kept for
 * MONITORING_AUDIT_RETENTION_DAYS, read by article (who was shown it) or by reader (what they were
 * shown, and what was held back and why). Pages are in served order; follow `nextCursor`.
 */
@ApiTags('audit')
@ApiSecurity('api-key')
@Controller('v1/audit')
@UseGuards(ApiKeyGuard)
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get('articles/:articleId/exposures')
  @RequireApiKey('auditor')
  @ApiOperation({
    summary:
      'Who was shown an article, when, at which rank and score, from where (origin), under which model version, ' +
      'dataset and source, in which request',
  })
  @ApiZodParam('articleId', ArticlePath.shape.articleId)
  @ApiZodQuery(AuditQuery)
  @ApiOkResponse({
    schema: {
      example: {
        articleId: 'art-1',
        ...pageFields,
        items: [
          {
            servedAt: '2026-12-04T08:05:00.000Z',
            userId: 'user-1',
            requestId: '0b7c6f1e-9d2a-4e3b-8c5d-1a2b3c4d5e6f',
            rank: 1,
            score: 0.93,
            origin: 'list',
            ...lineageExample,
          },
        ],
      },
    },
  })
  async exposures(
    @Param('articleId') articleId: string,
    @Query() query: unknown,
  ): Promise<AuditPage<Exposure> & { articleId: string }> {
    const id = parseBody(ArticlePath, { articleId }).articleId;
    return { articleId: id, ...(await this.audit.exposures(id, parseBody(AuditQuery, query))) };
  }

  @Get('users/:userId/impressions')
  @RequireApiKey('auditor')
  @ApiOperation({
    summary:
      "A reader's served responses: each with its items (rank, score, origin), what was filtered out and why, " +
      'and the model version, dataset and source behind it',
  })
  @ApiZodParam('userId', UserPath.shape.userId)
  @ApiZodQuery(AuditQuery)
  @ApiOkResponse({
    schema: {
      example: {
        userId: 'user-1',
        ...pageFields,
        items: [
          {
            requestId: '0b7c6f1e-9d2a-4e3b-8c5d-1a2b3c4d5e6f',
            servedAt: '2026-12-04T08:05:00.000Z',
            ...lineageExample,
            items: [
              { rank: 1, articleId: 'art-1', score: 0.93, origin: 'list' },
              { rank: 2, articleId: 'art-9', score: 0.88, origin: 'fresh' },
            ],
            filtered: [
              { articleId: 'art-2', reason: 'flagged' },
              { articleId: 'art-4', reason: 'editorial-cap', rule: 'publisher:daily-planet' },
            ],
          },
        ],
      },
    },
  })
  async impressions(
    @Param('userId') userId: string,
    @Query() query: unknown,
  ): Promise<AuditPage<Impression> & { userId: string }> {
    const id = parseBody(UserPath, { userId }).userId;
    return { userId: id, ...(await this.audit.impressions(id, parseBody(AuditQuery, query))) };
  }
}

import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, ApiZodParam, ApiZodQuery, RequireApiKey, parseBody } from '@newsroom/platform';
import { TakedownPath, TakedownsQuery } from './dto/takedown-query';
import { TakedownReceipt } from './takedown-receipt';
import { TakedownsService } from './takedowns.service';

const receiptExample: TakedownReceipt = {
  takedownId: '5f0c6d1e-2b3a-4c5d-8e9f-0a1b2c3d4e5f',
  articleId: 'art-1',
  reason: 'misinformation',
  actor: 'moderator-1',
  flaggedAt: '2026-12-04T08:00:00.000Z',
  complete: true,
  completedAt: '2026-12-04T08:00:01.200Z',
  holders: [
    { holder: 'feature-store', instance: 'feature-store-6c1d-1', confirmedAt: '2026-12-04T08:00:00.400Z' },
    { holder: 'batch-scoring', instance: 'batch-scoring-2f8a-1', confirmedAt: '2026-12-04T08:00:00.900Z' },
    { holder: 'serving', instance: 'serving-7f9c-1', confirmedAt: '2026-12-04T08:00:00.300Z' },
    { holder: 'serving', instance: 'serving-7f9c-2', confirmedAt: '2026-12-04T08:00:01.200Z' },
  ],
  impressionsAfterFlag: 0,
};

/**
 * Takedown receipts, behind an auditor key: for each flag, every holder of the article (the
 * feature store, batch scoring, each serving replica live at flag time) and when it confirmed the
 * removal, and how often the article was still served after the flag (from the audit trail).
 */
@ApiTags('takedowns')
@ApiSecurity('api-key')
@Controller('v1/takedowns')
@UseGuards(ApiKeyGuard)
export class TakedownsController {
  constructor(private readonly takedowns: TakedownsService) {}

  @Get()
  @RequireApiKey('auditor')
  @ApiOperation({
    summary: "Takedowns' receipts, newest first: of one article (?articleId=), or the latest of all",
  })
  @ApiZodQuery(TakedownsQuery)
  @ApiOkResponse({ schema: { example: { items: [receiptExample] } } })
  async list(@Query() query: unknown): Promise<{ items: TakedownReceipt[] }> {
    const { articleId, limit } = parseBody(TakedownsQuery, query);
    return { items: await this.takedowns.list(articleId, limit) };
  }

  @Get(':takedownId')
  @RequireApiKey('auditor')
  @ApiOperation({
    summary:
      "A takedown's receipt: each holder's confirmation time (null while pending), complete once every expected " +
      'holder confirmed, and the impressions of the article recorded after the flag',
  })
  @ApiZodParam('takedownId', TakedownPath.shape.takedownId, 'the id the flag answered with')
  @ApiOkResponse({ schema: { example: receiptExample } })
  receipt(@Param('takedownId') takedownId: string): Promise<TakedownReceipt> {
    return this.takedowns.receipt(parseBody(TakedownPath, { takedownId }).takedownId);
  }
}

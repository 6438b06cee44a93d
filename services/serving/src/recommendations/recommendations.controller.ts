import { Controller, Get, Param, Query, Req, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ServingResponse, recommendationListSize, regions } from '@newsroom/contracts';
import { ApiKeyGuard, RequireApiKey, parseBody } from '@newsroom/platform';
import type { FastifyRequest } from 'fastify';
import { RecommendationsQuery, UserId } from './dto/recommendations-query';
import { RecommendationsService } from './recommendations.service';
import { ServedLog } from './served-log';

@ApiTags('recommendations')
@Controller('v1/users')
@UseGuards(ApiKeyGuard)
export class RecommendationsController {
  constructor(
    private readonly recommendations: RecommendationsService,
    private readonly served: ServedLog,
  ) {}

  @Get(':userId/recommendations')
  @RequireApiKey('reader')
  @ApiOperation({
    summary: "A reader's top articles",
    description:
      "The reader's precomputed list (source `personalized`) without flagged articles; readers without a list " +
      '(unknown, no reads yet, or before the first model) get fresh popular articles of their region (source `fallback`).',
  })
  @ApiParam({ name: 'userId' })
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: recommendationListSize, default: 10 },
  })
  @ApiQuery({ name: 'region', required: false, enum: regions, description: 'for the fallback' })
  @ApiHeader({ name: 'x-api-key', required: false, description: 'needed when SERVING_API_KEYS is set' })
  @ApiOkResponse({
    description: 'userId, modelVersion, generatedAt, source, items[{articleId, rank, score}]',
  })
  recommend(
    @Param('userId') userId: string,
    @Query() query: unknown,
    @Req() request: FastifyRequest,
  ): ServingResponse {
    const { limit, region } = parseBody(RecommendationsQuery, query);
    const response = this.recommendations.recommend(parseBody(UserId, userId), limit, region);
    this.served.record(String(request.id), response);
    return response;
  }
}

import { Controller, Get, Headers, NotFoundException, Param, Query, Res } from '@nestjs/common';
import {
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { parseBody } from '@newsroom/platform';
import type { FastifyReply } from 'fastify';
import { CardQuery, cardFormat, cardFormats } from './dto/card-format.dto';
import { ModelCard } from './model-card';
import { renderModelCardMarkdown } from './model-card-markdown';
import { ModelCardsService } from './model-cards.service';

@ApiTags('models')
@Controller('v1/models')
export class ModelCardsController {
  constructor(private readonly cards: ModelCardsService) {}

  @Get(':modelVersion/card')
  @ApiProduces('application/json', 'text/markdown')
  @ApiOperation({
    summary:
      "A version's model card: training window and sizes, dataset and lineage, parameters, metrics overall and per " +
      "slice against the baselines and the champion it was judged against, the gate's decision and reasons, online " +
      'quality since promotion (from monitoring; "unavailable" when it does not answer), the global importance of ' +
      'each feature group, and known limitations',
  })
  @ApiQuery({
    name: 'format',
    required: false,
    enum: cardFormats,
    description: 'overrides the Accept header',
  })
  @ApiHeader({ name: 'accept', required: false, description: 'text/markdown for Markdown; JSON otherwise' })
  @ApiOkResponse({ description: 'The card, as JSON or Markdown' })
  @ApiNotFoundResponse({ description: 'No such model version' })
  async card(
    @Param('modelVersion') modelVersion: string,
    @Query() query: unknown,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ModelCard | string> {
    const format = cardFormat(parseBody(CardQuery, query), accept);
    const card = await this.cards.card(modelVersion);
    if (!card) throw new NotFoundException(`no model version "${modelVersion}"`);
    reply.header('vary', 'accept');
    if (format === 'json') return card;
    reply.header('content-type', 'text/markdown; charset=utf-8');
    return renderModelCardMarkdown(card);
  }
}

import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Req,
  UseGuards,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import {
  ApiKeyGuard,
  ApiZodBody,
  AuthenticatedRequest,
  RequireApiKey,
  SERVICE_CONFIG,
  parseBody,
} from '@newsroom/platform';
import { defaultRegions } from '@newsroom/contracts';
import { ServingConfig } from '../config';
import { PinDto } from './dto/pin.dto';
import { PinIdParam, pinRequestSchema } from './dto/pin-request';
import { PinBoard } from './pin-board';
import { PinsService } from './pins.service';

/**
 * Editors' pins, behind a moderator key (SERVING_MODERATOR_API_KEYS) or an admin key. A change applies on this replica
 * before the answer, on the others within SERVING_PINS_RELOAD_MS.
 */
@ApiTags('editorial')
@ApiSecurity('api-key')
@Controller('v1/pins')
@UseGuards(ApiKeyGuard)
export class PinsController {
  private readonly pinRequest: ReturnType<typeof pinRequestSchema>;

  constructor(
    private readonly pins: PinsService,
    private readonly board: PinBoard,
    @Inject(SERVICE_CONFIG) config: ServingConfig,
  ) {
    this.pinRequest = pinRequestSchema(config.PLATFORM_REGIONS);
  }

  @Post()
  @HttpCode(201)
  @RequireApiKey('moderator')
  @ApiOperation({
    summary: 'Pin an article at a rank, for one region or every region, until it expires',
    description:
      'Applied after personalization: the article takes its rank in every response of the region (a request ' +
      'naming it with `?region=`; a pin without region applies to all requests) whose `limit` reaches the rank, ' +
      'moving from where it was in the list if it was there; pins sharing a rank take the next ranks, oldest ' +
      'first. A flagged article is never served, pinned or not. The item is served with origin `pinned` and its ' +
      'score in the list (0 when the list does not hold it).',
  })
  @ApiZodBody(pinRequestSchema(defaultRegions), {
    articleId: 'art-1',
    rank: 1,
    region: 'africa',
    expiresAt: '2026-12-05T08:00:00Z',
    note: 'election',
  })
  @ApiCreatedResponse({ type: PinDto })
  async create(@Body() body: unknown, @Req() request: AuthenticatedRequest): Promise<PinDto> {
    const pin = await this.pins.create(parseBody(this.pinRequest, body), request.apiKeyName ?? 'unknown');
    await this.board.reload();
    return pin;
  }

  @Get()
  @RequireApiKey('moderator')
  @ApiOperation({ summary: 'The pins in force (neither expired nor deleted), by rank' })
  @ApiOkResponse({ type: PinDto, isArray: true })
  list(): Promise<PinDto[]> {
    return this.pins.inForce();
  }

  @Delete(':pinId')
  @HttpCode(204)
  @RequireApiKey('moderator')
  @ApiOperation({ summary: 'Delete a pin in force (it is kept, marked deleted, with who deleted it)' })
  @ApiParam({ name: 'pinId', format: 'uuid' })
  @ApiNoContentResponse({ description: 'deleted' })
  async remove(@Param('pinId') pinId: string, @Req() request: AuthenticatedRequest): Promise<void> {
    const id = parseBody(PinIdParam, { pinId }).pinId;
    if (!(await this.pins.remove(id, request.apiKeyName ?? 'unknown')))
      throw new NotFoundException(`no pin "${id}" in force`);
    await this.board.reload();
  }
}

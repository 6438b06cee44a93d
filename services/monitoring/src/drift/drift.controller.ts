import { Controller, Get, NotFoundException, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { parseInstant } from '../time-query';
import { DriftReport } from './drift-report';
import { DriftService } from './drift.service';
import { IntQuery } from '@newsroom/platform';

@ApiTags('drift')
@Controller('v1/drift')
export class DriftController {
  constructor(private readonly drift: DriftService) {}

  @Get()
  @ApiOperation({
    summary:
      "The latest data-drift report: every feature's distance, threshold and verdict, the windows compared, and the verdict on the data",
  })
  @ApiResponse({ status: 404, description: 'no report yet: it needs a champion and reads since' })
  async latest(): Promise<DriftReport> {
    const report = await this.drift.latest();
    if (!report) throw new NotFoundException('no drift report yet: it needs a champion and reads since');
    return report;
  }

  @Get('history')
  @ApiOperation({
    summary: 'Earlier reports, newest first (?before= an ISO-8601 instant, ?limit= up to 500)',
  })
  async history(
    @IntQuery('limit', { fallback: 50, min: 1, max: 500 }) limit: number,
    @Query('before') before: string | undefined,
  ): Promise<{ items: DriftReport[] }> {
    const items = await this.drift.history(limit, parseInstant('before', before));
    return { items };
  }
}

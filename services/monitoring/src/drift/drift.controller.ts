import { Controller, DefaultValuePipe, Get, NotFoundException, ParseIntPipe, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { parseInstant } from '../time-query';
import { DriftReport } from './drift-report';
import { DriftService } from './drift.service';

@ApiTags('drift')
@Controller('v1/drift')
export class DriftController {
  constructor(private readonly drift: DriftService) {}

  @Get()
  @ApiOperation({
    summary:
      "The latest data-drift report: every feature's distance, threshold and verdict, the windows compared, and the verdict on the data",
  })
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
    @Query('limit', new DefaultValuePipe(50), ParseIntPipe) limit: number,
    @Query('before') before: string | undefined,
  ): Promise<{ items: DriftReport[] }> {
    const items = await this.drift.history(Math.min(Math.max(limit, 1), 500), parseInstant('before', before));
    return { items };
  }
}

import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RunView, ScoringRunsService } from './scoring-runs.service';

@ApiTags('scoring runs')
@Controller('v1/scoring-runs')
export class ScoringRunsController {
  constructor(private readonly runs: ScoringRunsService) {}

  @Get()
  @ApiOperation({ summary: 'The latest scoring runs, newest first, with their shards done' })
  list(): Promise<RunView[]> {
    return this.runs.list();
  }

  @Get(':runId')
  @ApiOperation({ summary: 'One scoring run' })
  async get(@Param('runId') runId: string): Promise<RunView> {
    const run = await this.runs.get(runId);
    if (!run) throw new NotFoundException(`no scoring run ${runId}`);
    return run;
  }
}

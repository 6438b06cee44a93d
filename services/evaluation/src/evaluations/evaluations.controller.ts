import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { IntQuery } from '@newsroom/platform';
import { Evaluation } from './evaluator';
import { EvaluationsService } from './evaluations.service';

@ApiTags('evaluations')
@Controller('v1/evaluations')
export class EvaluationsController {
  constructor(private readonly evaluations: EvaluationsService) {}

  @Get()
  @ApiOperation({ summary: 'The latest evaluations, newest first' })
  list(@IntQuery('limit', { fallback: 20, min: 1, max: 200 }) limit: number): Promise<Evaluation[]> {
    return this.evaluations.list(limit);
  }

  @Get(':modelVersion')
  @ApiOperation({
    summary:
      "A candidate's evaluation: its report, the champion's and the baselines' on the same held-out slice, overall and per slice, and the gate's reasons",
  })
  async get(@Param('modelVersion') modelVersion: string): Promise<Evaluation> {
    const evaluation = await this.evaluations.find(modelVersion);
    if (!evaluation) throw new NotFoundException(`no evaluation of model "${modelVersion}"`);
    return evaluation;
  }
}

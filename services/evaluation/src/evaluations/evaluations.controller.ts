import {
  Controller,
  DefaultValuePipe,
  Get,
  NotFoundException,
  Param,
  ParseIntPipe,
  Query,
} from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Evaluation } from './evaluator';
import { EvaluationsService } from './evaluations.service';

@ApiTags('evaluations')
@Controller('v1/evaluations')
export class EvaluationsController {
  constructor(private readonly evaluations: EvaluationsService) {}

  @Get()
  @ApiOperation({ summary: 'The latest evaluations, newest first' })
  list(@Query('limit', new DefaultValuePipe(20), ParseIntPipe) limit: number): Promise<Evaluation[]> {
    return this.evaluations.list(Math.min(Math.max(limit, 1), 200));
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

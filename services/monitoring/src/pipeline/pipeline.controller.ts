import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { PipelineState } from './pipeline-state';
import { PipelineService } from './pipeline.service';

@ApiTags('pipeline')
@Controller('v1/pipeline')
export class PipelineController {
  constructor(private readonly pipeline: PipelineService) {}

  @Get()
  @ApiOperation({
    summary:
      "The pipeline's health: the champion's age, the last snapshot, trained model and scoring run, candidates " +
      "rejected in a row, every service's consumer lag (and how long it has been stuck), and dead letters",
  })
  state(): Promise<PipelineState> {
    return this.pipeline.state();
  }
}

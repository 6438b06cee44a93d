import { Controller, Get, NotFoundException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ModelQualityReport } from './model-quality';
import { ModelQualityService } from './model-quality.service';

@ApiTags('model quality')
@Controller('v1/model-quality')
export class ModelQualityController {
  constructor(private readonly quality: ModelQualityService) {}

  @Get()
  @ApiOperation({
    summary:
      'Online quality of the lists served in the latest window whose horizon has passed: hit rate@10, MRR, dwell ' +
      'captured and coverage per model version and source, overall and per region; each version against the ' +
      'fallback (control group), its offline evaluation and its first window',
  })
  async latest(): Promise<ModelQualityReport> {
    const report = await this.quality.measure();
    if (!report)
      throw new NotFoundException('no model quality yet: it needs served lists and reads after them');
    return report;
  }
}

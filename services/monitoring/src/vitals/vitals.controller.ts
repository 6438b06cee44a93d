import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ServiceHealth } from './service-health';
import { VitalsService } from './vitals.service';

@ApiTags('services')
@Controller('v1/services')
export class VitalsController {
  constructor(private readonly vitals: VitalsService) {}

  @Get()
  @ApiOperation({
    summary:
      'Every service as its instances report it: live and silent instances, requests by outcome and availability ' +
      'over the SLA window against the objective, and the outbox backlog',
  })
  async services(): Promise<{ items: ServiceHealth[] }> {
    return { items: await this.vitals.health() };
  }
}

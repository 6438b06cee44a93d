import { Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { renderStatusPage } from './status-page';
import { StatusService } from './status.service';

@ApiTags('status')
@Controller()
export class StatusController {
  constructor(private readonly status: StatusService) {}

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-store')
  @ApiProduces('text/html')
  @ApiOperation({
    summary:
      "The status page: the flow from producers to serving with each stage's state and lag, the champion's offline and online metrics, open alerts, the latest drift and the SLA",
  })
  async page(): Promise<string> {
    return renderStatusPage(await this.status.gather());
  }
}

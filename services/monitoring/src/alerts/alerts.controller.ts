import { BadRequestException, Controller, DefaultValuePipe, Get, ParseIntPipe, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { alertStates, alertTypes } from '@newsroom/contracts';
import { AlertsService } from './alerts.service';

@ApiTags('alerts')
@Controller('v1/alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  @Get()
  @ApiOperation({
    summary:
      'Firing alerts, then those resolved in the last `recentHours` (default 24), newest first; ?state= and ?type= filter',
  })
  async list(
    @Query('state') state: string | undefined,
    @Query('type') type: string | undefined,
    @Query('recentHours', new DefaultValuePipe(24), ParseIntPipe) recentHours: number,
    @Query('limit', new DefaultValuePipe(100), ParseIntPipe) limit: number,
  ) {
    oneOf('state', state, alertStates);
    oneOf('type', type, alertTypes);
    const items = await this.alerts.list({
      state: state as (typeof alertStates)[number] | undefined,
      type,
      recentHours: Math.min(Math.max(recentHours, 0), 24 * 90),
      limit: Math.min(Math.max(limit, 1), 1000),
    });
    return { items };
  }
}

function oneOf(name: string, value: string | undefined, allowed: readonly string[]): void {
  if (value !== undefined && !allowed.includes(value))
    throw new BadRequestException(`${name}: expected one of ${allowed.join(', ')}`);
}

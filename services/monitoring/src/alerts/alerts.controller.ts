import {
  BadRequestException,
  Body,
  Controller,
  DefaultValuePipe,
  Get,
  HttpCode,
  ParseIntPipe,
  Post,
  Query,
} from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { alertStates, alertTypes } from '@newsroom/contracts';
import { parseBody } from '@newsroom/platform';
import { alertFromAlertmanager } from './alertmanager-alert';
import { AlertmanagerNotification } from './dto/alertmanager-notification';
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

  @Post('alertmanager')
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Alertmanager's webhook receiver (infra/alertmanager): what Prometheus fired and resolved joins the alert list, source `prometheus`",
  })
  @ApiBody({
    schema: {
      example: {
        version: '4',
        status: 'firing',
        alerts: [
          {
            status: 'firing',
            labels: {
              alertname: 'NewsroomTargetDown',
              severity: 'critical',
              type: 'pipeline',
              service: 'training',
            },
            annotations: { summary: 'training (training:3003) is down' },
            startsAt: '2026-12-04T04:30:15Z',
            fingerprint: 'a1b2c3d4e5f60718',
          },
        ],
      },
    },
  })
  async alertmanager(@Body() body: unknown): Promise<{ recorded: number }> {
    const notification = parseBody(AlertmanagerNotification, body);
    const receivedAt = new Date();
    for (const alert of notification.alerts)
      await this.alerts.recordExternal(alertFromAlertmanager(alert, receivedAt), 'prometheus');
    return { recorded: notification.alerts.length };
  }
}

function oneOf(name: string, value: string | undefined, allowed: readonly string[]): void {
  if (value !== undefined && !allowed.includes(value))
    throw new BadRequestException(`${name}: expected one of ${allowed.join(', ')}`);
}

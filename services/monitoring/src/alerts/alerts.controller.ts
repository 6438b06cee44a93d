import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { alertStates, alertTypes } from '@newsroom/contracts';
import { ApiZodBody, EnumQuery, IntQuery, parseBody } from '@newsroom/platform';
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
    @EnumQuery('state', alertStates) state: (typeof alertStates)[number] | undefined,
    @EnumQuery('type', alertTypes) type: (typeof alertTypes)[number] | undefined,
    @IntQuery('recentHours', { fallback: 24, min: 0, max: 24 * 90 }) recentHours: number,
    @IntQuery('limit', { fallback: 100, min: 1, max: 1000 }) limit: number,
  ) {
    const items = await this.alerts.list({
      state,
      type,
      recentHours,
      limit,
    });
    return { items };
  }

  @Post('alertmanager')
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Alertmanager's webhook receiver (infra/alertmanager): what Prometheus fired and resolved joins the alert list, source `prometheus`",
  })
  @ApiZodBody(AlertmanagerNotification, {
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
  })
  async alertmanager(@Body() body: unknown): Promise<{ recorded: number }> {
    const notification = parseBody(AlertmanagerNotification, body);
    const receivedAt = new Date();
    for (const alert of notification.alerts)
      await this.alerts.recordExternal(alertFromAlertmanager(alert, receivedAt), 'prometheus');
    return { recorded: notification.alerts.length };
  }
}

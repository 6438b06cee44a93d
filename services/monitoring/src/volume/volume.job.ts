import { Inject, Injectable } from '@nestjs/common';
import { gauge } from '@newsroom/observability';
import { PeriodicJob, SERVICE_CONFIG } from '@newsroom/platform';
import { AlertsService } from '../alerts/alerts.service';
import { MonitoringConfig } from '../config';
import { metrics } from '../drift/drift-features';
import { DAY_MS, floorHour } from '../observations/observation-fold';
import { HourlyCounts, TimeWindow } from '../observations/hourly-counts';
import { Stream, StreamWatermarks } from '../observations/stream-watermarks';
import { VolumeVerdict, volumeVerdict } from './volume-verdict';

const volumeLastDay = gauge(
  'monitoring_volume_last_day',
  'Events in the 24 h up to the last whole hour folded (by event time), per watched volume',
  ['volume'],
);
const volumeExpected = gauge(
  'monitoring_volume_expected',
  'The median of the same 24 h on the previous days: what the last day is judged against',
  ['volume'],
);
/** The volumes watched: what producers are expected to send every day. */
const watched = [
  { name: 'new articles', metric: metrics.newArticles, stream: 'articles' },
  { name: 'reads', metric: metrics.reads, stream: 'reads' },
] as const;

/**
 * Checks each watched volume over the 24 whole hours up to its stream's watermark against the same
 * hours of the previous days (the seed's "fewer new articles than expected in a day"): a drop or
 * a spike fires a `data-quality` alert, resolved once the volume is back within bounds. A previous
 * day counts only if monitoring saw that stream from its start (a partial first day is no baseline).
 */
@Injectable()
export class VolumeJob extends PeriodicJob {
  constructor(
    private readonly counts: HourlyCounts,
    private readonly watermarks: StreamWatermarks,
    private readonly alerts: AlertsService,
    @Inject(SERVICE_CONFIG) private readonly config: MonitoringConfig,
  ) {
    super('VolumeJob', config.MONITORING_CHECK_INTERVAL_MS);
  }

  protected async runOnce(): Promise<void> {
    await this.check();
  }

  async check(): Promise<Record<string, VolumeVerdict & { window: TimeWindow }>> {
    const verdicts: Record<string, VolumeVerdict & { window: TimeWindow }> = {};
    for (const volume of watched) {
      await this.checkSilence(volume.name, volume.stream);
      const [watermark, first] = [
        await this.watermarks.watermark(volume.stream),
        await this.counts.firstHour(volume.metric),
      ];
      if (!watermark || !first) continue;
      const to = floorHour(watermark.getTime());
      const window = { from: new Date(to - DAY_MS), to: new Date(to) };
      const previous: TimeWindow[] = [];
      for (let d = 1; d <= this.config.MONITORING_VOLUME_BASELINE_DAYS; d++) {
        const from = to - (d + 1) * DAY_MS;
        if (from >= first.getTime()) previous.push({ from: new Date(from), to: new Date(to - d * DAY_MS) });
      }
      const [current, ...baselines] = await this.counts.totals(volume.metric, [window, ...previous]);
      const verdict = volumeVerdict(current, baselines, {
        dropRatio: this.config.MONITORING_VOLUME_DROP_RATIO,
        spikeRatio: this.config.MONITORING_VOLUME_SPIKE_RATIO,
      });
      verdicts[volume.name] = { ...verdict, window };
      volumeLastDay.set({ volume: volume.name }, verdict.current);
      if (verdict.expected === null) volumeExpected.remove({ volume: volume.name });
      else volumeExpected.set({ volume: volume.name }, verdict.expected);
      const dedupKey = `volume:${volume.metric}`;
      if (verdict.state !== 'drop' && verdict.state !== 'spike') {
        await this.alerts.clear(dedupKey);
        continue;
      }
      const how = verdict.state === 'drop' ? 'fewer' : 'more';
      await this.alerts.raise({
        dedupKey,
        type: 'data-quality',
        severity: 'warning',
        subject: volume.name,
        message:
          `${how} ${volume.name} than expected: ${current} in the 24 h to ${window.to.toISOString()}, ` +
          `against ${verdict.expected} on the same hours of the previous ${verdict.baselineDays} day(s) (median)`,
        details: { ...verdict, window: { from: window.from.toISOString(), to: window.to.toISOString() } },
      });
    }
    return verdicts;
  }

  /**
   * A producer that stops altogether moves no watermark, so its volume check sees its last normal
   * day for ever: a stream with nothing new folded for MONITORING_STREAM_SILENT_MINUTES is an alert
   * of its own.
   */
  private async checkSilence(name: string, stream: Stream): Promise<void> {
    const last = await this.watermarks.lastFoldedAt(stream);
    const dedupKey = `silent:${stream}`;
    const minutes = last ? Math.floor((Date.now() - last.getTime()) / 60_000) : 0;
    if (!last || minutes < this.config.MONITORING_STREAM_SILENT_MINUTES) {
      await this.alerts.clear(dedupKey, { immediately: true });
      return;
    }
    await this.alerts.raise({
      dedupKey,
      type: 'data-quality',
      severity: 'warning',
      subject: name,
      message: `no ${name} have arrived for ${minutes} min (since ${last.toISOString()}): has a producer stopped?`,
      details: { stream, lastArrivalAt: last.toISOString(), silentMinutes: minutes },
    });
  }
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import { counter } from '@newsroom/observability';
import { SERVICE_CONFIG } from '@newsroom/platform';
import { z } from 'zod';
import { RegistryConfig } from '../config';
import { OnlineQuality } from './model-card';

const lookups = counter(
  'registry_card_online_quality_lookups_total',
  "Model cards' questions to monitoring's model quality, by what the card could say",
  ['status'],
);

const served = z.object({
  lists: z.number(),
  hitRateAt10: z.number(),
  mrr: z.number(),
  dwellSecondsPerList: z.number(),
  coverage: z.number(),
});
const window = z.object({ from: z.string(), to: z.string() });
/** The part of monitoring's GET /v1/model-quality a card reads (anything else in it is ignored). */
const ModelQualityAnswer = z.object({
  window,
  horizonHours: z.number(),
  versions: z.array(
    z.object({
      modelVersion: z.string(),
      personalized: served.nullable(),
      fallback: served.nullable(),
      liftOverFallback: z.number().nullable(),
      onlineOverOfflineRecall: z.number().nullable(),
      baseline: z.object({ hitRateAt10: z.number(), mrr: z.number(), lists: z.number(), window }).nullable(),
      hitRateChange: z.number().nullable(),
    }),
  ),
});

/**
 * Asks monitoring (REGISTRY_MONITORING_URL) how a version's lists fare with readers: a synchronous
 * question, asked only for a card, with a short timeout (REGISTRY_MONITORING_TIMEOUT_MS). Whatever
 * goes wrong — no answer in time, an error, an answer of another shape — the card says online
 * quality is unavailable, and why, rather than failing.
 */
@Injectable()
export class MonitoringQualityClient {
  private readonly logger = new Logger(MonitoringQualityClient.name);
  private readonly url: string;

  constructor(@Inject(SERVICE_CONFIG) private readonly config: RegistryConfig) {
    // Keep a path prefix of the base URL (monitoring behind a gateway).
    this.url = `${config.REGISTRY_MONITORING_URL.replace(/\/+$/, '')}/v1/model-quality`;
  }

  async onlineQuality(modelVersion: string): Promise<OnlineQuality> {
    const quality = await this.ask(modelVersion);
    lookups.inc({ status: quality.status });
    if (quality.status === 'unavailable')
      this.logger.warn(`online quality of ${modelVersion}: ${quality.reason}`);
    return quality;
  }

  private async ask(modelVersion: string): Promise<OnlineQuality> {
    const timeoutMs = this.config.REGISTRY_MONITORING_TIMEOUT_MS;
    const signal = AbortSignal.timeout(timeoutMs);
    let response: Response;
    try {
      response = await fetch(this.url, { headers: { accept: 'application/json' }, signal });
    } catch (error) {
      return { status: 'unavailable', reason: unreachable(error, this.url, timeoutMs) };
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      return response.status === 404
        ? { status: 'not-measured', reason: 'monitoring has measured no online quality yet' }
        : { status: 'unavailable', reason: `monitoring answered ${response.status}` };
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch (error) {
      return {
        status: 'unavailable',
        reason: signal.aborted
          ? `monitoring did not answer within ${timeoutMs} ms`
          : `monitoring's answer is not JSON: ${(error as Error).message}`,
      };
    }
    const parsed = ModelQualityAnswer.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return {
        status: 'unavailable',
        reason: `monitoring's answer is not a model-quality report (${issue.path.join('.') || '(root)'}: ${issue.message})`,
      };
    }
    const report = parsed.data;
    const version = report.versions.find((v) => v.modelVersion === modelVersion);
    if (!version) {
      return {
        status: 'not-measured',
        reason: `monitoring's latest window (${report.window.from} to ${report.window.to}) holds no lists of this version`,
      };
    }
    return {
      status: 'measured',
      window: report.window,
      horizonHours: report.horizonHours,
      personalized: version.personalized,
      fallback: version.fallback,
      liftOverFallback: version.liftOverFallback,
      onlineOverOfflineRecall: version.onlineOverOfflineRecall,
      firstWindow: version.baseline,
      hitRateChange: version.hitRateChange,
    };
  }
}

function unreachable(error: unknown, url: string, timeoutMs: number): string {
  const { name, message, cause } = error as Error & { cause?: { code?: string; message?: string } };
  if (name === 'TimeoutError') return `monitoring did not answer within ${timeoutMs} ms`;
  return `monitoring cannot be reached at ${url}: ${cause?.code ?? cause?.message ?? message}`;
}

import { env } from '@newsroom/config';
import { Region, defaultRegions, overallFallbackScope } from '@newsroom/contracts';
import { messagingEnv } from '@newsroom/messaging';
import { persistenceEnv } from '@newsroom/persistence';
import { z } from 'zod';

/** The environment every service reads; a service's own config.ts extends it with its own variables. */
export function serviceEnv(defaultPort: number) {
  return {
    PORT: env.port(defaultPort),
    HOST: z.string().min(1).default('0.0.0.0'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
    /** Longest a graceful shutdown may take before the process gives up and exits non-zero. */
    SHUTDOWN_TIMEOUT_MS: env.positiveInt(10_000),
    HTTP_BODY_LIMIT_BYTES: env.positiveInt(5 * 1024 * 1024),
    /** A request not answered within this is answered 503 (and counted `timed-out`). */
    HTTP_REQUEST_TIMEOUT_MS: env.positiveInt(30_000),
    /** The availability objective (the seed's 95%): exported as `slo_availability_target` for the alert rules. */
    SLO_AVAILABILITY_TARGET: z.coerce.number().gt(0).lt(1).default(0.95),
    /** How often each instance publishes its vitals (requests by outcome, outbox backlog) for monitoring. */
    VITALS_INTERVAL_MS: env.positiveInt(15_000),
    CODE_VERSION: z.string().min(1).default('dev'),
    /**
     * The regions this newsroom names its readers by (comma-separated): each gets its own fallback
     * list, metric label and evaluation slice. A record naming another region keeps it as reported
     * and counts a field warning; the regional fallback treats it as no region.
     */
    PLATFORM_REGIONS: env
      .list(defaultRegions.join(','))
      .pipe(z.array(Region))
      .refine((regions) => !regions.includes(overallFallbackScope), {
        message: `"${overallFallbackScope}" names the overall fallback, not a region`,
      }),
    ...messagingEnv,
    ...persistenceEnv,
  };
}

export type ServiceConfig = z.infer<z.ZodObject<ReturnType<typeof serviceEnv>>>;

export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');

/** Rules between variables that each look fine alone; each problem names its variable. */
export function serviceConfigProblems(config: ServiceConfig): { variable: string; message: string }[] {
  const problems: { variable: string; message: string }[] = [];
  if (config.KAFKA_HEARTBEAT_INTERVAL_MS * 3 > config.KAFKA_SESSION_TIMEOUT_MS) {
    problems.push({
      variable: 'KAFKA_HEARTBEAT_INTERVAL_MS',
      message: `must be at most a third of KAFKA_SESSION_TIMEOUT_MS (${config.KAFKA_SESSION_TIMEOUT_MS})`,
    });
  }
  const longestRetryPause = Math.min(
    config.KAFKA_RETRY_BACKOFF_MS * 2 ** (config.KAFKA_HANDLER_MAX_ATTEMPTS - 2),
    30_000,
  );
  if (config.KAFKA_HANDLER_STALL_MS <= longestRetryPause) {
    problems.push({
      variable: 'KAFKA_HANDLER_STALL_MS',
      message: `must exceed the longest retry pause (${longestRetryPause} ms), or a retry would look like a stall`,
    });
  }
  if (config.DB_POOL_SIZE < 2) {
    problems.push({
      variable: 'DB_POOL_SIZE',
      message: 'must be at least 2: migrations hold one connection for their lock',
    });
  }
  return problems;
}

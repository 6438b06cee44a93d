import { env } from '@newsroom/config';
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
    CODE_VERSION: z.string().min(1).default('dev'),
    ...messagingEnv,
    ...persistenceEnv,
  };
}

export type ServiceConfig = z.infer<z.ZodObject<ReturnType<typeof serviceEnv>>>;

export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
export const SERVICE_NAME = Symbol('SERVICE_NAME');

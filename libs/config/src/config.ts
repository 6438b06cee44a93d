import { z } from 'zod';

/** Thrown when the environment does not satisfy a service's schema; names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p.variable}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses environment variables with a zod object schema whose keys are the variable names.
 * Every problem is reported at once, each naming its variable, so an operator fixes them in one go.
 */
export function loadConfig<S extends z.ZodObject>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => ({
        variable: issue.path.map(String).join('.') || '(environment)',
        message: issue.message,
      })),
    );
  }
  return result.data;
}

/** Common variable types: environment values are strings, so numbers and booleans are coerced strictly. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback),
  positiveInt: (fallback: number) => z.coerce.number().int().positive().default(fallback),
  boolean: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0'], { message: 'expected true or false' })
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1'),
  list: (fallback: string) =>
    z
      .string()
      .default(fallback)
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.string()).min(1, 'expected a comma-separated list with at least one entry')),
  url: (fallback?: string) => (fallback === undefined ? z.url() : z.url().default(fallback)),
  /**
   * `name:key` pairs, comma-separated: the name is the actor in audit records; several keys at
   * once let keys be rotated without downtime.
   */
  apiKeys: (variable: string) =>
    z
      .string()
      .default('')
      .transform((value, ctx) => {
        const keys = value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
          .map((pair) => {
            const at = pair.indexOf(':');
            return { name: pair.slice(0, Math.max(at, 0)), key: pair.slice(at + 1) };
          });
        if (keys.some((k) => !k.name || k.key.length < 16)) {
          ctx.addIssue({
            code: 'custom',
            message: `${variable}: each entry is name:key with a key of at least 16 characters`,
          });
          return z.NEVER;
        }
        return keys;
      }),
  identifier: () =>
    z
      .string()
      .regex(/^[a-z_][a-z0-9_]*$/, 'expected a lower-case SQL identifier ([a-z_][a-z0-9_]*)')
      .max(63),
};

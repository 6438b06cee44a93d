import { createHash } from 'node:crypto';
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
   * API keys, comma-separated, each `name:sha256:<64 hex digits>` (the key's SHA-256: what a
   * deployment should store) or `name:<key>` (the key itself, at least 16 characters: handy on a
   * laptop). Parsed to names and digests only, so no key is held in memory. The name is the actor
   * in audit records; several keys per role at once let a key be rotated without downtime.
   */
  apiKeys: (variable: string) =>
    z
      .string()
      .default('')
      .transform((value, ctx) => {
        const entries = value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        const keys: ApiKeyDigest[] = [];
        for (const [index, entry] of entries.entries()) {
          const parsed = parseApiKey(entry, index + 1);
          if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: `${variable}: ${parsed}` });
          else keys.push(parsed);
        }
        return keys;
      }),
  identifier: () =>
    z
      .string()
      .regex(/^[a-z_][a-z0-9_]*$/, 'expected a lower-case SQL identifier ([a-z_][a-z0-9_]*)')
      .max(63),
};

/** A named API key as configuration holds it: its SHA-256, never the key. */
export interface ApiKeyDigest {
  name: string;
  /** SHA-256 of the key, lowercase hex. */
  sha256: string;
}

/** The SHA-256 of an API key, lowercase hex: what `name:sha256:<hex>` entries hold. */
export const apiKeyDigest = (key: string): string => createHash('sha256').update(key).digest('hex');

const hashedEntry = /^sha256:([0-9a-fA-F]{64})$/;

/**
 * One `name:sha256:<hex>` or `name:<key>` entry, or why it is not one. Errors name the entry by
 * its position, never by its text: an entry written the wrong way round would show its key.
 */
function parseApiKey(entry: string, position: number): ApiKeyDigest | string {
  const at = entry.indexOf(':');
  const name = entry.slice(0, Math.max(at, 0)).trim();
  const secret = entry.slice(at + 1);
  const which = `entry ${position}`;
  if (!name) return `${which} is not name:sha256:<64 hex digits> or name:<key>`;
  const hashed = hashedEntry.exec(secret);
  if (hashed) return { name, sha256: hashed[1].toLowerCase() };
  if (secret.startsWith('sha256:')) return `${which}: sha256: must be followed by 64 hex digits`;
  if (secret.length < 16) return `${which}: the key is shorter than 16 characters`;
  return { name, sha256: apiKeyDigest(secret) };
}

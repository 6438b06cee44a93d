import { z } from 'zod';
import { FieldError, fieldErrors } from './validation';

/**
 * Why a field of an accepted record was not taken as sent:
 * - `invalid`: an optional attribute that fails its schema; the record is kept without it;
 * - `unknown-field`: a field the contract does not have; ignored;
 * - `unknown-value`: a valid value the platform is not configured for (a region outside
 *   PLATFORM_REGIONS); kept as reported.
 */
export const fieldWarningReasons = ['invalid', 'unknown-field', 'unknown-value'] as const;
export type FieldWarningReason = (typeof fieldWarningReasons)[number];

export interface FieldWarning extends FieldError {
  reason: FieldWarningReason;
}

export type Acceptance<T> =
  | { accepted: true; value: T; warnings: FieldWarning[] }
  | { accepted: false; errors: FieldError[] };

type OptionalShape<O extends z.ZodRawShape> = { [K in keyof O]: z.ZodOptional<O[K]> };

/**
 * A record of the external contract, strict about what it needs and liberal about what it may
 * carry. `strict` is the whole schema (producers validate with it, the docs show it); `accept`
 * rejects a record only for a missing or invalid required field (or a failed `check`), keeps it
 * without an invalid optional attribute, ignores unknown fields, and lists each as a warning. An
 * optional attribute sent as null counts as absent.
 */
export function lenientRecord<R extends z.ZodRawShape, O extends z.ZodRawShape>(
  required: R,
  optional: O,
  check: (value: z.output<z.ZodObject<R & OptionalShape<O>>>) => FieldError[] = () => [],
) {
  type Value = z.output<z.ZodObject<R & OptionalShape<O>>>;
  const optionalFields = Object.entries(optional) as [string, z.ZodType][];
  const optionalShape = Object.fromEntries(
    optionalFields.map(([name, schema]) => [name, schema.optional()]),
  ) as unknown as OptionalShape<O>;
  const strict = z.strictObject({ ...required, ...optionalShape }).superRefine((value, ctx) => {
    for (const problem of check(value as Value)) {
      ctx.addIssue({ code: 'custom', path: problem.field.split('.'), message: problem.message });
    }
  });
  // Unknown keys are stripped here; `accept` reports them itself.
  const requiredOnly = z.object(required);

  const accept = (input: unknown): Acceptance<Value> => {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      return { accepted: false, errors: [{ field: '(root)', message: 'expected an object' }] };
    }
    // Most records are exactly as the contract says: one strict parse settles them.
    const whole = strict.safeParse(input);
    if (whole.success) return { accepted: true, value: whole.data as Value, warnings: [] };
    const record = input as Record<string, unknown>;
    const base = requiredOnly.safeParse(record);
    if (!base.success) return { accepted: false, errors: fieldErrors(base.error) };
    const value: Record<string, unknown> = { ...base.data };
    const warnings: FieldWarning[] = [];
    for (const [name, schema] of optionalFields) {
      const sent = record[name];
      if (sent === undefined || sent === null) continue;
      const parsed = schema.safeParse(sent);
      if (parsed.success) value[name] = parsed.data;
      else
        warnings.push({
          field: name,
          reason: 'invalid',
          message: `${parsed.error.issues[0]?.message ?? 'invalid'} (dropped)`,
        });
    }
    for (const name of Object.keys(record)) {
      if (!(name in required) && !(name in optional)) {
        warnings.push({ field: name, reason: 'unknown-field', message: 'not in the contract (ignored)' });
      }
    }
    const problems = check(value as Value);
    if (problems.length > 0) {
      // A check that needed a dropped attribute names why it was dropped.
      const dropped = new Map(warnings.map((w) => [w.field, w.message]));
      return {
        accepted: false,
        errors: problems.map((p) =>
          dropped.has(p.field) ? { ...p, message: `${p.message}: ${dropped.get(p.field)}` } : p,
        ),
      };
    }
    return { accepted: true, value: value as Value, warnings };
  };

  return { strict, accept };
}

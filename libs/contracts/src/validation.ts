import { z } from 'zod';

export interface FieldError {
  field: string;
  message: string;
}

/** Flattens zod issues to `{ field, message }` with dotted field paths (`payload.userId`, `items.3.title`). */
export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue) => {
    // Unknown keys are one issue naming several fields: report each field by name.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((k) => ({
        field: [...issue.path, k].map(String).join('.'),
        message: 'unknown field',
      }));
    }
    return [{ field: issue.path.map(String).join('.') || '(root)', message: issue.message }];
  });
}

export function describeFieldErrors(errors: FieldError[]): string {
  return errors.map((e) => `${e.field}: ${e.message}`).join('; ');
}

/** A message that does not match its topic's contract; the message says which field and why. */
export class ContractViolationError extends Error {
  override readonly name = 'ContractViolationError';
}

/**
 * Checks a key and value against a topic's schemas and returns the parsed value; throws a
 * ContractViolationError naming `what` (e.g. "message 3 for interactions.raw") and each bad field.
 */
export function parseMessage<V extends z.ZodType>(
  topic: { name: string; key: z.ZodType; value: V },
  key: unknown,
  value: unknown,
  what: string,
): z.output<V> {
  const parsedKey = topic.key.safeParse(key);
  const parsedValue = topic.value.safeParse(value);
  if (!parsedKey.success || !parsedValue.success) {
    const errors = [
      ...(parsedKey.error
        ? fieldErrors(parsedKey.error).map((e) => ({
            ...e,
            field: `key${e.field === '(root)' ? '' : `.${e.field}`}`,
          }))
        : []),
      ...(parsedValue.error ? fieldErrors(parsedValue.error) : []),
    ];
    throw new ContractViolationError(`${what} breaks its contract: ${describeFieldErrors(errors)}`);
  }
  return parsedValue.data;
}

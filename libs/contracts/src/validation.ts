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
      return issue.keys.map((k) => ({ field: [...issue.path, k].map(String).join('.'), message: 'unknown field' }));
    }
    return [{ field: issue.path.map(String).join('.') || '(root)', message: issue.message }];
  });
}

export function describeFieldErrors(errors: FieldError[]): string {
  return errors.map((e) => `${e.field}: ${e.message}`).join('; ');
}

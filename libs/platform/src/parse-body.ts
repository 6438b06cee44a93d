import { BadRequestException } from '@nestjs/common';
import { describeFieldErrors, fieldErrors } from '@newsroom/contracts';
import { z } from 'zod';

/** A request body checked against its schema (no body: `{}`); 400 naming every wrong field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw new BadRequestException(describeFieldErrors(fieldErrors(parsed.error)));
  return parsed.data;
}

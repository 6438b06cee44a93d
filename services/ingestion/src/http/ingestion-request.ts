import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import { FieldError, fieldErrors } from '@newsroom/contracts';
import { DataSource, EntityManager } from 'typeorm';
import { z } from 'zod';

export interface ItemError {
  index: number;
  field: string;
  message: string;
}

export interface ValidatedItems<T> {
  /** The body was one object rather than `{ "items": [...] }`. */
  single: boolean;
  valid: T[];
  errors: ItemError[];
}

/**
 * Accepts one object or `{ "items": [...] }`, and validates each item with the contract schema.
 * Valid items of a mixed batch go ahead; each invalid one is reported by index, field and message.
 */
export function validateItems<S extends z.ZodType>(
  schema: S,
  body: unknown,
  maxItems: number,
): ValidatedItems<z.output<S>> {
  const isBatch = typeof body === 'object' && body !== null && !Array.isArray(body) && 'items' in body;
  const items: unknown[] = isBatch ? asItems((body as { items: unknown }).items) : [body];
  if (items.length > maxItems) {
    throw new PayloadTooLargeException(
      `a batch holds at most ${maxItems} items; this one has ${items.length}`,
    );
  }
  const valid: z.output<S>[] = [];
  const errors: ItemError[] = [];
  items.forEach((item, index) => {
    const result = schema.safeParse(item);
    if (result.success) valid.push(result.data);
    else errors.push(...fieldErrors(result.error).map((e) => ({ index, ...e })));
  });
  return { single: !isBatch, valid, errors };
}

function asItems(items: unknown): unknown[] {
  if (!Array.isArray(items)) {
    throw badRequest('items: expected an array', [
      { index: -1, field: 'items', message: 'expected an array' },
    ]);
  }
  return items;
}

/** 400 for a request none of whose items could be accepted. */
export function noValidItems(errors: ItemError[]): BadRequestException {
  const message = errors
    .map((e) => (e.index >= 0 ? `items.${e.index}.${e.field}` : e.field) + `: ${e.message}`)
    .slice(0, 10)
    .join('; ');
  return badRequest(message, errors);
}

/** The 400 body of this API: a readable message plus the errors by field (and item index). */
export function badRequest(message: string, errors: (FieldError | ItemError)[]): BadRequestException {
  return new BadRequestException({ statusCode: 400, error: 'Bad Request', message, errors });
}

/**
 * A write request end to end: validate each item, 400 when none is valid, store the valid ones in
 * one transaction, and report accepted, duplicates and the rejected items.
 */
export async function ingestRequest<S extends z.ZodType>(
  dataSource: DataSource,
  schema: S,
  body: unknown,
  maxItems: number,
  store: (manager: EntityManager, items: z.output<S>[]) => Promise<{ accepted: number; duplicates: number }>,
): Promise<{ accepted: number; duplicates: number; rejected: ItemError[] }> {
  const { valid, errors } = validateItems(schema, body, maxItems);
  if (valid.length === 0) throw noValidItems(errors);
  const stored = await dataSource.transaction((manager) => store(manager, valid));
  return { ...stored, rejected: errors };
}

import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import { Acceptance, FieldError, FieldWarning } from '@newsroom/contracts';
import { DataSource, EntityManager } from 'typeorm';
import { z } from 'zod';

export interface ItemError {
  index: number;
  field: string;
  message: string;
}

export interface ItemWarning extends ItemError {
  reason: FieldWarning['reason'];
}

export interface ValidatedItems<T> {
  /** The body was one object rather than `{ "items": [...] }`. */
  single: boolean;
  valid: T[];
  errors: ItemError[];
  /** Fields of valid items not taken as sent (dropped, ignored or kept as reported). */
  warnings: ItemWarning[];
}

/** What a write accepts, for its documentation: one record, or `{ "items": [...] }` of them. */
export const oneOrBatch = (record: z.ZodType) =>
  z.union([record, z.object({ items: z.array(record).min(1) })]);

/**
 * Accepts one object or `{ "items": [...] }`, and accepts each item as the contract does (strict
 * about required fields, liberal about optional ones). Valid items of a mixed batch go ahead; each
 * invalid one is reported by index, field and message, each field warning likewise.
 */
export function validateItems<T>(
  accept: (item: unknown) => Acceptance<T>,
  body: unknown,
  maxItems: number,
): ValidatedItems<T> {
  const isBatch = typeof body === 'object' && body !== null && !Array.isArray(body) && 'items' in body;
  const items: unknown[] = isBatch ? asItems((body as { items: unknown }).items) : [body];
  if (items.length > maxItems) {
    throw new PayloadTooLargeException(
      `a batch holds at most ${maxItems} items; this one has ${items.length}`,
    );
  }
  const valid: T[] = [];
  const errors: ItemError[] = [];
  const warnings: ItemWarning[] = [];
  items.forEach((item, index) => {
    const result = accept(item);
    if (result.accepted) {
      valid.push(result.value);
      warnings.push(...result.warnings.map((w) => ({ index, ...w })));
    } else {
      errors.push(...result.errors.map((e) => ({ index, ...e })));
    }
  });
  return { single: !isBatch, valid, errors, warnings };
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
 * A write request end to end: accept each item, 400 when none is valid, store the valid ones in
 * one transaction, and report accepted, duplicates, the rejected items and the field warnings.
 */
export async function ingestRequest<T>(
  dataSource: DataSource,
  accept: (item: unknown) => Acceptance<T>,
  body: unknown,
  maxItems: number,
  store: (manager: EntityManager, items: T[]) => Promise<{ accepted: number; duplicates: number }>,
): Promise<{ accepted: number; duplicates: number; rejected: ItemError[]; warnings: ItemWarning[] }> {
  const { valid, errors, warnings } = validateItems(accept, body, maxItems);
  if (valid.length === 0) throw noValidItems(errors);
  const stored = await dataSource.transaction((manager) => store(manager, valid));
  return { ...stored, rejected: errors, warnings };
}

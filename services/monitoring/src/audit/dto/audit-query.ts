import { identifier, rfc3339DateTime } from '@newsroom/contracts';
import { z } from 'zod';
import { decodeCursor } from '../audit-cursor';

/** An RFC 3339 instant, or a date (its midnight UTC), as before. */
const instant = (name: string) =>
  z
    .union([
      rfc3339DateTime(`${name} must be an RFC 3339 instant or a date, e.g. 2026-12-01T00:00:00Z`),
      z.iso.date(),
    ])
    .transform((v) => new Date(v));

/** The longest page of the trail. */
export const maxAuditPage = 1_000;

/**
 * A query of the trail: served in [from, to) (each side open when absent), a page of `limit` rows
 * in served order, after the `cursor` a previous page returned.
 */
export const AuditQuery = z
  .strictObject({
    from: instant('from').optional(),
    to: instant('to').optional(),
    limit: z.coerce
      .number({ message: 'limit must be a whole number' })
      .int('limit must be a whole number')
      .min(1, 'limit must be at least 1')
      .max(maxAuditPage, `limit must be at most ${maxAuditPage}`)
      .default(100),
    cursor: z
      .string()
      .transform((token, ctx) => {
        const cursor = decodeCursor(token);
        if (cursor) return cursor;
        ctx.addIssue({ code: 'custom', message: 'cursor is not one this API returned' });
        return z.NEVER;
      })
      .optional(),
  })
  .refine((q) => !q.from || !q.to || q.from < q.to, { path: ['to'], message: 'to must be after from' });
export type AuditQuery = z.infer<typeof AuditQuery>;

const id = identifier('is required');
/** The article or reader a query is about (path parameters). */
export const ArticlePath = z.object({ articleId: id });
export const UserPath = z.object({ userId: id });

import { randomBytes } from 'node:crypto';

/** A name no other test file or run uses: lower-case, so it is also a valid SQL identifier. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_');
}

/**
 * Where a page of the trail ended: the served time and request id of its last row. Pages are in
 * (servedAt, requestId) order, so the next starts strictly after it, whatever was written since.
 */
export interface AuditCursor {
  servedAt: string;
  requestId: string;
}

/** An opaque token for the client (base64url of the position). */
export function encodeCursor(cursor: AuditCursor): string {
  return Buffer.from(JSON.stringify([cursor.servedAt, cursor.requestId])).toString('base64url');
}

/** The position a token names, or undefined for anything that is not one of ours. */
export function decodeCursor(token: string): AuditCursor | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return undefined;
    const [servedAt, requestId] = value;
    if (typeof servedAt !== 'string' || Number.isNaN(Date.parse(servedAt))) return undefined;
    if (typeof requestId !== 'string' || requestId.length === 0) return undefined;
    return { servedAt, requestId };
  } catch {
    return undefined;
  }
}

import { createHash } from 'node:crypto';

/**
 * The id an erased reader's kept records carry instead of theirs: stable per erasure (so counts
 * per reader still add up) and not derivable from the reader's id alone.
 */
export function erasedReaderId(userId: string, requestId: string): string {
  return `erased-${createHash('sha256').update(`${requestId}:${userId}`).digest('hex').slice(0, 24)}`;
}

import { apiKeyDigest } from '@newsroom/config';
import { randomBytes } from 'node:crypto';
import { UsageError } from './dlq-commands';

const keyName = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * `ops keys new <name>`: a fresh random key (32 bytes, base64url) and the `name:sha256:<hex>`
 * entry to put in a service's *_API_KEYS. The key goes to its holder; the service keeps the digest.
 */
export function keysNew(args: string[]): number {
  const [name, ...extra] = args;
  if (!name || extra.length > 0 || !keyName.test(name)) {
    throw new UsageError('keys new needs one name of letters, digits, ".", "_" or "-"');
  }
  const key = randomBytes(32).toString('base64url');
  console.log(`key (give it to its holder; it is not stored anywhere): ${key}`);
  console.log(`entry (for the service's *_API_KEYS):                 ${name}:sha256:${apiKeyDigest(key)}`);
  return 0;
}

/** `ops keys hash <name>`: the entry for an existing key, read from stdin (not argv, which `ps` shows). */
export async function keysHash(args: string[]): Promise<number> {
  const [name, ...extra] = args;
  if (!name || extra.length > 0 || !keyName.test(name)) {
    throw new UsageError(
      'keys hash needs one name of letters, digits, ".", "_" or "-", and the key on stdin',
    );
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const key = Buffer.concat(chunks).toString('utf8').trim();
  if (key.length < 16) throw new UsageError('the key on stdin must be at least 16 characters');
  console.log(`${name}:sha256:${apiKeyDigest(key)}`);
  return 0;
}

import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';

const perRecord = 'newsroomBodyCheckedPerRecord';

/**
 * For a route whose body is a batch of records checked one by one against their contract (which
 * refuses or drops a NUL-bearing field itself): the NUL check leaves its body alone, so one bad
 * record does not sink the batch. Path and query are still checked.
 */
export const BodyCheckedPerRecord = () => RouteConfig({ [perRecord]: true });

/** Where the first string (or key) holding a NUL character is in a parsed value, or undefined. */
export function nulCharacterAt(value: unknown): string | undefined {
  // Iterative: a deeply nested body must not overflow the stack.
  const pending: [unknown, string][] = [[value, '(root)']];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [node, path] = next;
    if (typeof node === 'string') {
      if (node.includes('\u0000')) return path;
      continue;
    }
    if (typeof node !== 'object' || node === null) continue;
    const entries = Object.entries(node).reverse();
    for (const [key, item] of entries) {
      const at = path === '(root)' ? key : `${path}.${key}`;
      if (key.includes('\u0000')) return at.replaceAll('\u0000', '\\u0000');
      pending.push([item, at]);
    }
  }
  return undefined;
}

/**
 * 400 for a NUL character (U+0000) anywhere in a request's body, path or query: PostgreSQL can
 * store it in neither text nor jsonb, so such a request would otherwise fail half-way as a 500.
 */
export function refuseNulCharacters(fastify: FastifyInstance): void {
  fastify.addHook('preHandler', (request, reply, done) => {
    const config = request.routeOptions.config as unknown as Record<string, unknown> | undefined;
    const parts: [string, unknown][] = [
      ['path', request.params],
      ['query', request.query],
    ];
    if (!config?.[perRecord]) parts.unshift(['body', request.body]);
    for (const [part, value] of parts) {
      const at = nulCharacterAt(value);
      if (at) {
        void reply.status(400).send({
          statusCode: 400,
          error: 'Bad Request',
          message: `${part} ${at}: must not contain NUL (\\u0000) characters`,
        });
        return;
      }
    }
    done();
  });
}

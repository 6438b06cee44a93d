import type { FastifyInstance } from 'fastify';

/** Where the first string (or key) holding a NUL character is in a parsed value, or undefined. */
export function nulCharacterAt(value: unknown, path = '(root)'): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  const at = (key: string) => (path === '(root)' ? key : `${path}.${key}`);
  for (const [key, item] of Object.entries(value)) {
    if (key.includes('\u0000')) return at(key.replaceAll('\u0000', '\\u0000'));
    const found = nulCharacterAt(item, at(key));
    if (found) return found;
  }
  return undefined;
}

/**
 * 400 for a NUL character (U+0000) anywhere in a request's body, path or query: PostgreSQL can
 * store it in neither text nor jsonb, so such a request would otherwise fail half-way as a 500.
 */
export function refuseNulCharacters(fastify: FastifyInstance): void {
  fastify.addHook('preHandler', (request, reply, done) => {
    for (const [part, value] of [
      ['body', request.body],
      ['path', request.params],
      ['query', request.query],
    ] as const) {
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

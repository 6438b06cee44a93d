import type { OpenAPIObject } from '@nestjs/swagger';
import type { FastifyInstance } from 'fastify';

const methods = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** The documented paths as patterns (`{userId}` is one segment), most literal first, with their methods. */
export function documentedMethods(document: OpenAPIObject): { pattern: RegExp; allow: string[] }[] {
  const parameters = (path: string) => path.split('{').length;
  const paths = Object.entries(document.paths).sort(([a], [b]) => parameters(a) - parameters(b));
  return paths.map(([path, item]) => {
    const source = path
      .split(/\{[^}]+\}/)
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^/]+');
    const allow = methods.filter((m) => item[m]).map((m) => m.toUpperCase());
    // Fastify answers HEAD wherever GET is served.
    if (allow.includes('GET')) allow.push('HEAD');
    return { pattern: new RegExp(`^${source}$`), allow };
  });
}

/**
 * 405 with `Allow` (RFC 9110) for a method a documented path does not serve, instead of the 404 of
 * an unknown route: the resource exists, the method does not.
 */
export function answerMethodNotAllowed(fastify: FastifyInstance, document: OpenAPIObject): void {
  const documented = documentedMethods(document);
  fastify.addHook('onRequest', (request, reply, done) => {
    if (request.routeOptions.url !== undefined) return done();
    const path = request.url.split('?')[0];
    // The most literal documented path the URL fits, as the router prefers it: `/v1/models/rollback`
    // over `/v1/models/{modelVersion}`.
    const allow = documented.find((d) => d.pattern.test(path))?.allow ?? [];
    if (allow.length === 0 || allow.includes(request.method)) return done();
    void reply
      .status(405)
      .header('allow', allow.join(', '))
      .send({
        statusCode: 405,
        error: 'Method Not Allowed',
        message: `${request.method} is not allowed on ${path} (allowed: ${allow.join(', ')})`,
      });
  });
}

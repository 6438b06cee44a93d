import type { FastifyInstance } from 'fastify';
import { histogram } from './metrics';

/** Request duration by method, route template and status, recorded from Fastify's own hooks. */
export function instrumentHttp(fastify: FastifyInstance): void {
  const duration = histogram('http_server_request_duration_seconds', 'HTTP request duration', [
    'method',
    'route',
    'status_code',
  ]);
  fastify.addHook('onResponse', async (request, reply) => {
    duration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status_code: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });
}

import Fastify from 'fastify';
import pino from 'pino';
import { logRequests } from './access-log';
import { loggerOptions } from './logging';

describe('logRequests', () => {
  it('logs one line per answered request, none for probes and quiet paths, 5xx at error level', async () => {
    const lines: Record<string, unknown>[] = [];
    const app = Fastify({ genReqId: () => 'req-1' });
    const logger = pino(loggerOptions('test', 'info'), {
      write: (line: string) => lines.push(JSON.parse(line)),
    });
    logRequests(app, logger, ['/v1/users/']);
    app.get('/v1/articles/:id', async () => ({ ok: true }));
    app.get('/v1/users/:id/recommendations', async () => ({ items: [] }));
    app.get('/health/live', async () => ({ status: 'ok' }));
    app.get('/broken', async () => {
      throw new Error('broken');
    });

    for (const url of ['/v1/articles/a-1?x=1', '/v1/users/r-1/recommendations', '/health/live', '/broken'])
      await app.inject({ method: 'GET', url, headers: { 'x-api-key': 'secret-key' } });

    expect(lines).toEqual([
      expect.objectContaining({
        level: 30,
        service: 'test',
        msg: 'request completed',
        req: { id: 'req-1', method: 'GET', url: '/v1/articles/a-1?x=1' },
        res: { statusCode: 200 },
        responseTime: expect.any(Number),
      }),
      expect.objectContaining({ level: 50, req: expect.objectContaining({ url: '/broken' }), res: { statusCode: 500 } }),
    ]);
    expect(JSON.stringify(lines)).not.toContain('secret-key');
    await app.close();
  });
});

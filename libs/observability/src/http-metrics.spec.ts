import Fastify from 'fastify';
import { register } from 'prom-client';
import { apiRequestCounts, instrumentHttp, markTimedOut, requestOutcome } from './http-metrics';

describe('requests by outcome', () => {
  it('tells the client’s errors from the service’s, and timeouts from both', () => {
    expect([200, 204, 302, 400, 404, 429, 500, 503].map((s) => requestOutcome(s, false))).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
      'rejected',
      'rejected',
      'rejected',
      'failed',
      'failed',
    ]);
    expect(requestOutcome(503, true)).toBe('timed-out');
  });

  it('counts each request once by method, route template and outcome', async () => {
    const app = Fastify();
    instrumentHttp(app);
    app.get('/items/:id', async (request, reply) => {
      const { id } = request.params as { id: string };
      if (id === 'late') {
        markTimedOut(request);
        return reply.code(503).send({ message: 'timed out' });
      }
      if (id === 'bad') return reply.code(400).send({ message: 'bad id' });
      return { id };
    });
    for (const id of ['a', 'b', 'bad', 'late']) await app.inject({ method: 'GET', url: `/items/${id}` });
    const counts = Object.fromEntries(
      (await register.getSingleMetric('http_server_requests_total')!.get()).values
        .filter((v) => v.labels['route'] === '/items/:id')
        .map((v) => [v.labels['outcome'], v.value]),
    );
    expect(counts).toEqual({ succeeded: 2, rejected: 1, 'timed-out': 1 });
    await app.close();
  });

  it("sums the API's requests by outcome, leaving out probes, scrapes and docs", async () => {
    const app = Fastify();
    instrumentHttp(app);
    app.get('/health/live', async () => ({ status: 'ok' }));
    app.get('/metrics', async () => '');
    app.get('/v1/things/:id', async (request, reply) =>
      (request.params as { id: string }).id === 'broken' ? reply.code(500).send({}) : { ok: true },
    );
    const before = await apiRequestCounts();
    for (const url of ['/health/live', '/metrics', '/v1/things/a', '/v1/things/broken', '/nowhere'])
      await app.inject({ method: 'GET', url });
    const after = await apiRequestCounts();
    expect({
      succeeded: after.succeeded - before.succeeded,
      rejected: after.rejected - before.rejected,
      failed: after.failed - before.failed,
      'timed-out': after['timed-out'] - before['timed-out'],
    }).toEqual({ succeeded: 1, rejected: 1, failed: 1, 'timed-out': 0 });
    await app.close();
  });
});

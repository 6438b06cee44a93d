import { instrumentHttp } from '@newsroom/observability';
import Fastify from 'fastify';
import { Readable } from 'node:stream';
import { register } from 'prom-client';
import { enforceRequestTimeout } from './request-timeout';

describe('enforceRequestTimeout', () => {
  it('answers a request still running after the timeout with 503 once, and counts it timed out', async () => {
    const app = Fastify({ logger: false });
    enforceRequestTimeout(app, 50);
    instrumentHttp(app);
    let finishSlow!: () => void;
    const slowFinished = new Promise<void>((resolve) => (finishSlow = resolve));
    app.get('/slow', async () => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      finishSlow();
      return { late: true };
    });
    app.get('/fast', async () => ({ ok: true }));

    const slow = await app.inject({ method: 'GET', url: '/slow' });
    expect(slow.statusCode).toBe(503);
    expect(slow.headers['retry-after']).toBe('1');
    expect(slow.json().message).toMatch(/^no answer within 50 ms \(HTTP_REQUEST_TIMEOUT_MS\)/);
    // The handler's late answer is dropped, not sent as a second response, and nothing throws.
    await slowFinished;
    const fast = await app.inject({ method: 'GET', url: '/fast' });
    expect(fast.statusCode).toBe(200);
    const outcomes = (await register.getSingleMetric('http_server_requests_total')!.get()).values
      .filter((v) => v.labels['route'] === '/slow' || v.labels['route'] === '/fast')
      .map((v) => `${v.labels['route']} ${v.labels['outcome']} ${v.value}`)
      .sort();
    expect(outcomes).toEqual(['/fast succeeded 1', '/slow timed-out 1']);
    await app.close();
  });

  it('leaves a response already under way to finish, and probes and scrapes alone', async () => {
    const app = Fastify({ logger: false });
    enforceRequestTimeout(app, 50);
    // A download slower than the timeout: its headers are out, so it is not a stuck request (and a
    // second answer would throw in the timer, ending the process).
    app.get('/download', (request, reply) => {
      let chunks = 0;
      const stream = new Readable({
        read() {
          setTimeout(() => this.push(chunks++ < 4 ? 'chunk\n' : null), 40);
        },
      });
      return reply.type('text/plain').send(stream);
    });
    app.get('/health/ready', async () => {
      await new Promise((resolve) => setTimeout(resolve, 120));
      return { status: 'ok' };
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };

    const download = await fetch(`http://127.0.0.1:${port}/download`);
    expect(download.status).toBe(200);
    expect(await download.text()).toBe('chunk\n'.repeat(4));
    const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
    expect(ready.status).toBe(200);
    await app.close();
  });
});

import { AddressInfo } from 'node:net';
import { Server, createServer } from 'node:http';
import { RegistryConfig } from '../config';
import { modelQualityReport, qualityWindow, servedLists } from './model-card.fixture';
import { MonitoringQualityClient } from './monitoring-quality.client';

const report = modelQualityReport();

describe('MonitoringQualityClient', () => {
  let server: Server;
  let base: string;
  let answer: { status: number; body: string; delayMs?: number };
  const paths: string[] = [];
  const client = (url = base, timeoutMs = 300) =>
    new MonitoringQualityClient({
      REGISTRY_MONITORING_URL: url,
      REGISTRY_MONITORING_TIMEOUT_MS: timeoutMs,
    } as RegistryConfig);

  beforeAll(async () => {
    server = createServer((request, response) => {
      paths.push(request.url ?? '');
      const { status, body, delayMs = 0 } = answer;
      const timer = setTimeout(
        () => response.writeHead(status, { 'content-type': 'application/json' }).end(body),
        delayMs,
      );
      response.on('close', () => clearTimeout(timer));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    answer = { status: 200, body: JSON.stringify(report) };
  });

  it("gives the version's online quality from the latest report, with its first window", async () => {
    await expect(client().onlineQuality('v2')).resolves.toEqual({
      status: 'measured',
      window: qualityWindow,
      horizonHours: 24,
      personalized: servedLists,
      fallback: { ...servedLists, hitRateAt10: 0.3 },
      liftOverFallback: 1.3333,
      onlineOverOfflineRecall: 0.95,
      firstWindow: { hitRateAt10: 0.4, mrr: 0.2, lists: 900, window: qualityWindow },
      hitRateChange: 0,
    });
  });

  it('keeps a path prefix of the base URL', async () => {
    paths.length = 0;
    await client(`${base}/monitoring/`).onlineQuality('v2');
    expect(paths).toEqual(['/monitoring/v1/model-quality']);
  });

  it('says "not measured" when the window holds no lists of the version, or monitoring has measured nothing', async () => {
    await expect(client().onlineQuality('v9')).resolves.toEqual({
      status: 'not-measured',
      reason: `monitoring's latest window (${qualityWindow.from} to ${qualityWindow.to}) holds no lists of this version`,
    });
    answer = { status: 404, body: JSON.stringify({ message: 'no model quality yet' }) };
    await expect(client().onlineQuality('v2')).resolves.toEqual({
      status: 'not-measured',
      reason: 'monitoring has measured no online quality yet',
    });
  });

  it('says "unavailable", and why, when monitoring fails, is slow, answers nonsense or is not there', async () => {
    answer = { status: 503, body: '{}' };
    await expect(client().onlineQuality('v2')).resolves.toEqual({
      status: 'unavailable',
      reason: 'monitoring answered 503',
    });

    answer = { status: 200, body: JSON.stringify(report), delayMs: 2_000 };
    await expect(client(base, 200).onlineQuality('v2')).resolves.toEqual({
      status: 'unavailable',
      reason: 'monitoring did not answer within 200 ms',
    });

    answer = { status: 200, body: JSON.stringify({ ...report, versions: 'none' }) };
    await expect(client().onlineQuality('v2')).resolves.toEqual({
      status: 'unavailable',
      reason:
        "monitoring's answer is not a model-quality report (versions: Invalid input: expected array, received string)",
    });

    answer = { status: 200, body: 'not json' };
    await expect(client().onlineQuality('v2')).resolves.toMatchObject({
      status: 'unavailable',
      reason: expect.stringMatching(/^monitoring's answer is not JSON/),
    });

    // A port nothing listens on: the connection is refused.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(client(`http://127.0.0.1:${port}`).onlineQuality('v2')).resolves.toEqual({
      status: 'unavailable',
      reason: `monitoring cannot be reached at http://127.0.0.1:${port}/v1/model-quality: ECONNREFUSED`,
    });
  });
});

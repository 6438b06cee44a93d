/** The running platform as the demo sees it: HTTP to each service, as any client would. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export class ServiceClient {
  constructor(
    readonly name: string,
    readonly url: string,
    private readonly apiKey?: string,
  ) {}

  async get(path: string): Promise<{ status: number; body: Json }> {
    const response = await fetch(`${this.url}${path}`, { headers: this.headers() });
    return { status: response.status, body: await response.json().catch(() => null) };
  }

  async post(path: string, body: unknown): Promise<{ status: number; body: Json }> {
    const response = await fetch(`${this.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...this.headers() },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: await response.json().catch(() => null) };
  }

  /** The sum of a Prometheus metric's samples whose labels include `labels`. */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    const text = await (await fetch(`${this.url}/metrics`)).text();
    let sum = 0;
    for (const line of text.split('\n')) {
      if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
      if (Object.entries(labels).some(([k, v]) => !line.includes(`${k}="${v}"`))) continue;
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return sum;
  }

  private headers(): Record<string, string> {
    return this.apiKey ? { 'x-api-key': this.apiKey } : {};
  }
}

/**
 * Polls `probe` until it returns a value (not undefined), calling `progress` with each attempt's
 * report at most every 5 s; fails after `timeoutMs` naming what it waited for, or at once with the
 * probe's own error.
 */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  {
    timeoutMs = 600_000,
    intervalMs = 500,
    progress,
  }: { timeoutMs?: number; intervalMs?: number; progress?: () => Promise<string> } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastReport = Date.now();
  for (;;) {
    // A probe that throws (a failed training run, a service gone) ends the wait at once.
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs / 1000} s`);
    if (progress && Date.now() - lastReport >= 5_000) {
      lastReport = Date.now();
      console.log(`    … ${await progress().catch((e: Error) => e.message)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** The running platform as the demo sees it: HTTP to each service, as any client would. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/**
 * A failure of the moment, not an answer: a service not listening yet or restarting (connection
 * refused or reset), a request that timed out, a 5xx. The demo asks again until the step's
 * deadline.
 */
export class TransientError extends Error {
  override readonly name = 'TransientError';
}

/** Longest a request may take before it counts as a transient failure, unless it says otherwise. */
const REQUEST_TIMEOUT_MS = 10_000;

export interface RequestOptions {
  headers?: Record<string, string>;
  /** For requests that do their work before answering (a snapshot). */
  timeoutMs?: number;
}

export class ServiceClient {
  constructor(
    readonly name: string,
    readonly url: string,
    private readonly apiKey?: string,
  ) {}

  get(path: string): Promise<{ status: number; body: Json }> {
    return this.request(path, { headers: this.headers() });
  }

  post(path: string, body: unknown, options: RequestOptions = {}): Promise<{ status: number; body: Json }> {
    return this.request(
      path,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...this.headers(), ...options.headers },
        body: JSON.stringify(body),
      },
      options.timeoutMs,
    );
  }

  /** The sum of a Prometheus metric's samples whose labels include `labels`. */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    const text = await this.fetch('/metrics', {}).then((r) => r.text());
    let sum = 0;
    for (const line of text.split('\n')) {
      if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
      if (Object.entries(labels).some(([k, v]) => !line.includes(`${k}="${v}"`))) continue;
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return sum;
  }

  private async request(
    path: string,
    init: RequestInit,
    timeoutMs?: number,
  ): Promise<{ status: number; body: Json }> {
    const response = await this.fetch(path, init, timeoutMs);
    return { status: response.status, body: await response.json().catch(() => null) };
  }

  /** fetch, with network failures, timeouts and 5xx answers as TransientError naming the service. */
  private async fetch(path: string, init: RequestInit, timeoutMs = REQUEST_TIMEOUT_MS): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      const cause = (error as Error & { cause?: Error }).cause;
      throw new TransientError(`${this.name} ${path}: ${cause?.message ?? (error as Error).message}`);
    }
    if (response.status >= 500) {
      const text = await response.text().catch(() => '');
      throw new TransientError(`${this.name} ${path}: ${response.status} ${text.slice(0, 200)}`);
    }
    return response;
  }

  private headers(): Record<string, string> {
    return this.apiKey ? { 'x-api-key': this.apiKey } : {};
  }
}

/**
 * Polls `probe` until it returns a value (not undefined), calling `progress` with each attempt's
 * report at most every 5 s. A TransientError (a service briefly not answering) is noted and the
 * probe asked again; any other error is a definitive answer (a failed run, a rejected model) and
 * ends the wait at once. Fails after `timeoutMs` naming what it waited for and what it last saw.
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
  let lastSeen = 'no answer yet';
  let transientSince: number | undefined;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
      lastSeen = 'not yet';
      transientSince = undefined;
    } catch (error) {
      if (!(error instanceof TransientError)) throw error;
      lastSeen = error.message;
      if (transientSince === undefined) {
        transientSince = Date.now();
        console.log(`    … ${error.message}; asking again`);
      }
    }
    if (Date.now() > deadline) {
      throw new Error(`gave up waiting for ${what} after ${timeoutMs / 1000} s; last seen: ${lastSeen}`);
    }
    if (progress && Date.now() - lastReport >= 5_000) {
      lastReport = Date.now();
      console.log(`    … ${await progress().catch((e: Error) => e.message)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

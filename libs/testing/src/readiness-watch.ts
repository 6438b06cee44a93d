import { ServiceProcess } from './service-process';

export interface ReadinessSample {
  /** When the probe was sent… */
  at: number;
  /** …and when its answer came: a probe sent before an outage may be answered during it. */
  answeredAt: number;
  ready: boolean;
  /** Status and body, or the request's error, of an answer that was not a 200. */
  answer?: string;
}

/** Asks a service's /health/ready every `intervalMs` until stopped: when it said ready and when not. */
export function watchReadiness(service: ServiceProcess, { intervalMs = 250, timeoutMs = 5_000 } = {}) {
  const samples: ReadinessSample[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const at = Date.now();
      let answer: string | undefined;
      try {
        const response = await fetch(`${service.url}/health/ready`, {
          signal: AbortSignal.timeout(timeoutMs),
        });
        const body = await response.text();
        if (response.status !== 200) answer = `${response.status} ${body}`;
      } catch (error) {
        answer = (error as Error).message;
      }
      samples.push({ at, answeredAt: Date.now(), ready: answer === undefined, answer });
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, at + intervalMs - Date.now())));
    }
  })();
  return {
    samples,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

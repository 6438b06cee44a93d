import { ServiceProcess } from './service-process';

/** The sum of a metric's samples (of one label set) on a running service's /metrics; 0 once it stopped. */
export async function serviceMetric(service: ServiceProcess, metric: string, labels = ''): Promise<number> {
  if (service.process.exitCode !== null || service.process.signalCode !== null) return 0;
  const text = await (await fetch(`${service.url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${metric}{`) || line.startsWith(`${metric} `))
    .filter((line) => line.includes(labels))
    .reduce((total, line) => total + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

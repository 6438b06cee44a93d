import { hostname } from 'node:os';

/**
 * This running instance's name, `<service>@<host>:<pid>:<start time>`: what its vitals report
 * under and what it signs confirmations with (a takedown or an erasure each replica confirms for
 * itself), so monitoring can tell them apart and match them to live instances.
 */
export const SERVICE_INSTANCE = Symbol('SERVICE_INSTANCE');

export function serviceInstanceName(service: string, startedAt: string): string {
  return `${service}@${hostname()}:${process.pid}:${startedAt}`;
}

import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse, parseAllDocuments } from 'yaml';

/** The workspace root: tools/deploy-check/src -> ../../.. */
export const workspaceRoot = path.resolve(__dirname, '../../..');

export const fromRoot = (...segments: string[]): string => path.join(workspaceRoot, ...segments);

export function readText(relativePath: string): string {
  return readFileSync(fromRoot(relativePath), 'utf8');
}

/** One YAML document (anchors and `<<` merge keys resolved, as Docker Compose does). */
export function readYaml<T>(relativePath: string): T {
  return parse(readText(relativePath), { merge: true, prettyErrors: true }) as T;
}

/** Every non-empty document of a multi-document YAML file; a syntax error fails loudly. */
export function readYamlDocuments(absolutePath: string): unknown[] {
  const documents = parseAllDocuments(readFileSync(absolutePath, 'utf8'), { prettyErrors: true });
  if (!Array.isArray(documents)) return [];
  const values: unknown[] = [];
  for (const document of documents) {
    if (document.errors.length > 0) {
      throw new Error(
        `${path.relative(workspaceRoot, absolutePath)}: ${document.errors.map((e) => e.message).join('; ')}`,
      );
    }
    const value: unknown = document.toJS();
    if (value !== null && value !== undefined) values.push(value);
  }
  return values;
}

/** Files under a directory (recursive), as absolute paths, sorted. */
export function listFiles(absoluteDir: string, predicate: (file: string) => boolean): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(absoluteDir, { withFileTypes: true })) {
    const full = path.join(absoluteDir, entry.name);
    if (entry.isDirectory()) found.push(...listFiles(full, predicate));
    else if (predicate(full)) found.push(full);
  }
  return found.sort();
}

/** The service names: every directory under services/. */
export function serviceNames(): string[] {
  return readdirSync(fromRoot('services'))
    .filter((name) => statSync(fromRoot('services', name)).isDirectory())
    .sort();
}

export const serviceEntryPoint = (service: string): string => `dist/services/${service}/main.js`;

export interface PropertySchema {
  type?: string;
  default?: unknown;
  enum?: unknown[];
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
}

/** What `main.js describe-config` prints: the JSON Schema of the service's environment. */
export interface ConfigSchema {
  $schema?: string;
  type: 'object';
  properties: Record<string, PropertySchema>;
  required?: string[];
}

const execFileAsync = promisify(execFile);

/** Runs the built service's `describe-config` from the workspace root. */
export async function describeConfig(service: string): Promise<ConfigSchema> {
  const entry = serviceEntryPoint(service);
  if (!existsSync(fromRoot(entry))) {
    throw new Error(
      `${entry} is missing: build the services first (npx nx run-many -t build --projects=tag:type:service)`,
    );
  }
  const { stdout } = await execFileAsync('node', [entry, 'describe-config'], {
    cwd: workspaceRoot,
    timeout: 120_000,
    // The service must describe its configuration without any environment of its own.
    env: { PATH: process.env['PATH'] ?? '' },
  });
  return JSON.parse(stdout) as ConfigSchema;
}

/**
 * Two at a time: eight Node processes started at once on a 2-core machine that is busy with other
 * test projects took longer than any sensible timeout.
 */
export async function describeAllConfigs(services: string[]): Promise<Map<string, ConfigSchema>> {
  const schemas: [string, ConfigSchema][] = [];
  const queue = [...services];
  const worker = async () => {
    for (let s = queue.shift(); s !== undefined; s = queue.shift())
      schemas.push([s, await describeConfig(s)]);
  };
  await Promise.all([worker(), worker()]);
  return new Map(schemas.sort(([a], [b]) => services.indexOf(a) - services.indexOf(b)));
}

import { ChildProcess, spawn } from 'node:child_process';
import { AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { workspaceRoot } from './servers';
import { waitFor } from './wait-for';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface ServiceProcess {
  port: number;
  url: string;
  process: ChildProcess;
  output(): string;
  /** Sends `signal` and resolves with the exit code and how long the exit took. */
  stop(
    signal?: NodeJS.Signals,
    timeoutMs?: number,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

const running = new Set<ChildProcess>();
// Never leave a service behind, whatever the test did.
process.on('exit', () => running.forEach((child) => child.kill('SIGKILL')));

export interface StartServiceOptions {
  readyTimeoutMs?: number;
  /** Arguments for node before the script (`--inspect`, `--cpu-prof`…). */
  nodeArgs?: string[];
  /**
   * A command that runs node, e.g. `['prlimit', '--fsize=65536:unlimited', '--']`. It must exec
   * node in its place (as prlimit, nice or taskset do), so that the child's pid stays node's.
   */
  command?: string[];
}

/** Starts a built service (`dist/services/<name>/main.js`) as its own process and waits until it is ready. */
export async function startService(
  name: string,
  env: Record<string, string>,
  { readyTimeoutMs = 60_000, nodeArgs = [], command = [] }: StartServiceOptions = {},
): Promise<ServiceProcess> {
  const port = await freePort();
  const [executable, ...args] = [
    ...command,
    process.execPath,
    ...nodeArgs,
    join(workspaceRoot, 'dist/services', name, 'main.js'),
  ];
  const child = spawn(executable, args, {
    cwd: workspaceRoot,
    env: {
      ...process.env,
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: env['LOG_LEVEL'] ?? 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  // A command that cannot be run (not installed) fails the start with its reason, not the test run.
  let spawnError: Error | undefined;
  child.once('error', (error) => (spawnError = error));
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const gone = () => spawnError !== undefined || child.exitCode !== null || child.signalCode !== null;
  try {
    await waitFor(
      `${name} to report ready`,
      // A process that is gone (or never ran) ends the wait at once; it fails just below.
      async () => gone() || (await fetch(`${url}/health/ready`)).ok,
      { timeoutMs: readyTimeoutMs, intervalMs: 200 },
    );
    if (spawnError) throw new Error(`could not run ${executable}: ${spawnError.message}`);
    if (gone()) throw new Error(`exited with ${child.exitCode ?? child.signalCode}:\n${output}`);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n--- ${name} output ---\n${output}`);
  }
  return {
    port,
    url,
    process: child,
    output: () => output,
    stop: async (signal = 'SIGTERM', timeoutMs = 15_000) => {
      const started = Date.now();
      if (child.exitCode !== null || child.signalCode !== null) return { ...(await exited), ms: 0 };
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const result = await exited;
      clearTimeout(timer);
      return { ...result, ms: Date.now() - started };
    },
  };
}

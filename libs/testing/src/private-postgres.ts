import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { chmod, chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from './service-process';
import { writeTestCertificates } from './test-certificates';

const run = promisify(execFile);

/** What a private server needs from the PostgreSQL server installation. */
const serverPrograms = ['initdb', 'pg_ctl', 'postgres'];
/** The role and database the services expect, as on the shared server. */
const NAME = 'newsroom';

/**
 * A PostgreSQL server of one test's own, in a temporary directory on a free port, which the test
 * may stop and start at will: the shared server on 5432 is used by other test files and people.
 */
export interface PrivatePostgres {
  /** postgres://newsroom:newsroom@127.0.0.1:<port>/newsroom (trust authentication). */
  readonly url: string;
  /** With `requireTls`: the CA that signed the server's certificate (for 127.0.0.1), as PEM. */
  readonly caFile?: string;
  /** Stops the server at once, as a crash would: clients are cut off, the next start recovers. */
  stopImmediate(): Promise<void>;
  /** Starts the stopped server again on the same port and waits until it accepts connections. */
  start(): Promise<void>;
  /** Stops the server if it runs and removes its directory. */
  destroy(): Promise<void>;
}

/**
 * Creates (initdb), starts and prepares a private server. As root the server programs run as the
 * `postgres` OS user (initdb and postgres refuse to run as root), in a directory owned by it.
 * Fails, saying what to install, when no server programs are found.
 */
export async function startPrivatePostgres({ requireTls = false } = {}): Promise<PrivatePostgres> {
  const bin = serverBinDir();
  const asRoot = process.getuid?.() === 0;
  const dir = await mkdtemp(join(tmpdir(), 'private-postgres-'));
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  const port = await freePort();
  let running = false;

  const command = (program: string, args: string[]): [string, string[]] =>
    asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, program), ...args]] : [join(bin, program), args];
  const pg = async (program: string, args: string[]) => {
    const [file, argv] = command(program, args);
    try {
      // The cwd must be readable by the postgres user, and the repository may not be.
      await run(file, argv, { cwd: dir, timeout: 120_000 });
    } catch (error) {
      const serverLog = await readFile(log, 'utf8').catch(() => '');
      throw new Error(
        `${program} ${args.join(' ')} failed: ${(error as Error).message}` +
          (serverLog ? `\n--- server log (${log}) ---\n${serverLog.slice(-4_000)}` : ''),
      );
    }
  };
  // Never leave a server behind, however this process ends: an 'exit' handler would not do (Jest
  // gives test files a copy of `process` whose events never fire, and SIGKILL runs no handler), so
  // a detached watchdog stops the server and removes its directory once this process is gone.
  const [stopFile, stopArgs] = command('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
  const watchdog = spawn(
    'sh',
    [
      '-c',
      'while kill -0 "$WATCHED_PID" 2>/dev/null; do sleep 1; done; "$@" >/dev/null 2>&1; rm -rf "$SERVER_DIR"',
      'private-postgres-watchdog',
      stopFile,
      ...stopArgs,
    ],
    {
      cwd: dir,
      detached: true,
      stdio: 'ignore',
      env: { ...process.env, WATCHED_PID: String(process.pid), SERVER_DIR: dir },
    },
  );
  watchdog.unref();

  const server: PrivatePostgres = {
    url: `postgres://${NAME}:${NAME}@127.0.0.1:${port}/${NAME}`,
    async stopImmediate() {
      await pg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      running = false;
    },
    caFile: requireTls ? join(dir, 'ca.pem') : undefined,
    async start() {
      // -l: the server's output goes to a file, so pg_ctl returns instead of holding our pipes.
      const tls = requireTls
        ? ` -c ssl=on -c ssl_cert_file='${dir}/server.pem' -c ssl_key_file='${dir}/server.key'`
        : '';
      const options = `-p ${port} -k '${dir}' -c listen_addresses=127.0.0.1${tls}`;
      await pg('pg_ctl', ['-D', data, '-l', log, '-o', options, '-w', '-t', '60', 'start']);
      running = true;
    },
    async destroy() {
      watchdog.kill();
      if (running || existsSync(join(data, 'postmaster.pid')))
        await server.stopImmediate().catch(() => undefined);
      running = false;
      await rm(dir, { recursive: true, force: true });
    },
  };

  try {
    if (asRoot) {
      const id = async (flag: string) => {
        try {
          return Number((await run('id', [flag, 'postgres'])).stdout.trim());
        } catch {
          throw new Error('running as root, the server needs the `postgres` OS user, and there is none');
        }
      };
      await chown(dir, await id('-u'), await id('-g'));
    }
    // No fsync at initdb: the files only need to outlive the server processes, not the machine.
    await pg('initdb', [
      '-D',
      data,
      '-U',
      'postgres',
      '-A',
      'trust',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    if (requireTls) await requireTlsFor(NAME, dir, data, asRoot);
    await server.start();
    const admin = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE ${NAME} LOGIN PASSWORD '${NAME}'`);
      await admin.query(`CREATE DATABASE ${NAME} OWNER ${NAME}`);
    } finally {
      await admin.end();
    }
    return server;
  } catch (error) {
    await server.destroy();
    throw error;
  }
}

/**
 * A CA and a server certificate for 127.0.0.1, and a pg_hba.conf that refuses `role`
 * over plain TCP: its every connection must use TLS. The postgres role (setting up) may connect
 * either way.
 */
async function requireTlsFor(role: string, dir: string, data: string, asRoot: boolean): Promise<void> {
  await writeTestCertificates(dir, 'private-postgres');
  await chmod(join(dir, 'server.key'), 0o600);
  await writeFile(
    join(data, 'pg_hba.conf'),
    [
      'local all all trust',
      `hostnossl all ${role} 127.0.0.1/32 reject`,
      'host all all 127.0.0.1/32 trust',
      '',
    ].join('\n'),
  );
  if (asRoot) {
    const owner = (await run('stat', ['-c', '%u:%g', data])).stdout.trim();
    await run('chown', [owner, ...['ca.pem', 'server.pem', 'server.key'].map((f) => join(dir, f))]);
  }
}

/**
 * The directory holding initdb, pg_ctl and postgres: Debian's newest /usr/lib/postgresql/<version>/bin,
 * else `pg_config --bindir`, else the PATH (following symlinks such as /usr/local/bin/initdb).
 */
function serverBinDir(): string {
  const candidates: string[] = [];
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian).filter((v) => /^\d+(\.\d+)?$/.test(v));
    versions.sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => join(debian, v, 'bin')));
  }
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim());
  } catch {
    // No pg_config: the PATH may still have the server.
  }
  candidates.push(...(process.env['PATH'] ?? '').split(delimiter).filter(Boolean));
  for (const candidate of candidates) {
    const initdb = join(candidate, 'initdb');
    if (!existsSync(initdb)) continue;
    const dir = dirname(realpathSync(initdb));
    if (serverPrograms.every((program) => existsSync(join(dir, program)))) return dir;
  }
  throw new Error(
    `no PostgreSQL server programs (${serverPrograms.join(', ')}) found in /usr/lib/postgresql/*/bin, ` +
      `pg_config --bindir or the PATH: install the PostgreSQL server (Debian: apt-get install postgresql, ` +
      `as infra/local/up.sh does)`,
  );
}

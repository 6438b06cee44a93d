import { execFile } from 'node:child_process';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const workspaceRoot = join(__dirname, '../../..');

export interface TestServers {
  kafkaBrokers: string;
  databaseUrl: string;
}

/** Where tests find Kafka and PostgreSQL: the environment, else the local servers' defaults. */
export function testServers(): TestServers {
  return {
    kafkaBrokers: process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092',
    databaseUrl: process.env['DATABASE_URL'] ?? 'postgres://newsroom:newsroom@127.0.0.1:5432/newsroom',
  };
}

function reachable(hostPort: string, timeoutMs = 1_000): Promise<boolean> {
  const [host, port] = hostPort.split(':');
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(Number(port), host, () => done(true));
  });
}

async function dockerEngineAvailable(): Promise<boolean> {
  try {
    await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes sure a real Kafka broker and PostgreSQL server are there, in this order of preference:
 * servers already answering at KAFKA_BROKERS / DATABASE_URL (a developer's, CI's); containers from
 * testcontainers where a Docker engine answers; otherwise the local servers of infra/local.
 * Sets KAFKA_BROKERS and DATABASE_URL for the test workers.
 */
export async function ensureTestServers(): Promise<TestServers> {
  const servers = testServers();
  const dbHostPort = new URL(servers.databaseUrl).host;
  const kafkaUp = await reachable(servers.kafkaBrokers.split(',')[0]);
  const pgUp = await reachable(dbHostPort);
  if (kafkaUp && pgUp) return exportServers(servers);

  if (await dockerEngineAvailable()) return exportServers(await startContainers());

  await run('bash', [join(workspaceRoot, 'infra/local/up.sh')], { cwd: workspaceRoot, timeout: 600_000 });
  return exportServers(servers);
}

function exportServers(servers: TestServers): TestServers {
  process.env['KAFKA_BROKERS'] = servers.kafkaBrokers;
  process.env['DATABASE_URL'] = servers.databaseUrl;
  return servers;
}

/** Containers live as long as the Jest process; Ryuk (testcontainers' reaper) removes them after. */
async function startContainers(): Promise<TestServers> {
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const [kafka, postgres] = await Promise.all([
    new KafkaContainer('confluentinc/cp-kafka:7.9.0')
      .withKraft()
      .withEnvironment({ KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false' })
      .start(),
    new PostgreSqlContainer('postgres:16-alpine')
      .withDatabase('newsroom')
      .withUsername('newsroom')
      .withPassword('newsroom')
      .start(),
  ]);
  return {
    kafkaBrokers: `${kafka.getHost()}:${kafka.getMappedPort(9093)}`,
    databaseUrl: postgres.getConnectionUri(),
  };
}

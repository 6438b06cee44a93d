import { freePort, readPem, waitFor, workspaceRoot, writeTestCertificates } from '@newsroom/testing';
import { Kafka } from 'kafkajs';
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createKafka } from '../kafka-client';
import { KafkaSecurity } from '../kafka-security';

const run = promisify(execFile);

/**
 * A Kafka broker of one test's own (KRaft, one node, in a temporary directory on free ports) that
 * the test may SIGKILL and start again, or run with TLS, SCRAM and ACLs: the shared broker on 9092
 * serves other test files and people. It runs the jars infra/local/up.sh fetched.
 */
export interface PrivateKafka {
  /** `127.0.0.1:<port>` */
  readonly brokers: string;
  /** With `secure`: the CA of the broker's certificate (PEM file), for KAFKA_SSL_CA_FILE. */
  readonly caFile?: string;
  /** A client's security as user `username` (a `secure` broker's), or none. */
  security(username?: string): KafkaSecurity;
  /** A client of the broker (logging nothing), as the super user `admin` when it is secure. */
  client(clientId: string, username?: string): Kafka;
  /** Kills the broker as a crash would: no shutdown, the next start recovers its log. */
  kill(): Promise<void>;
  /** Starts the broker again on the same ports and data, and waits until it answers. */
  start(): Promise<void>;
  /** Kills the broker if it runs and removes its directory. */
  destroy(): Promise<void>;
}

export interface PrivateKafkaOptions {
  /**
   * A SASL_SSL listener only (SCRAM-SHA-512 over TLS with a CA of its own), deny-by-default ACLs
   * with `admin` as super user, and these users (name → password) besides `admin`.
   */
  secure?: { users: Record<string, string> };
}

const ADMIN_PASSWORD = 'private-kafka-admin';
const CONTROLLER_PASSWORD = 'private-kafka-controller';

export async function startPrivateKafka(options: PrivateKafkaOptions = {}): Promise<PrivateKafka> {
  const libs = kafkaLibs();
  const dir = await mkdtemp(join(tmpdir(), 'private-kafka-'));
  const [port, controllerPort] = [await freePort(), await freePort()];
  const secure = options.secure;
  const passwords: Record<string, string> = { ...secure?.users, admin: ADMIN_PASSWORD };
  const java = process.env['JAVA_HOME'] ? join(process.env['JAVA_HOME'], 'bin/java') : 'java';
  const config = join(dir, 'server.properties');
  const log = join(dir, 'kafka.log');
  let broker: ChildProcess | undefined;

  if (secure) await writeCertificates(dir);
  await writeFile(config, serverProperties(dir, port, controllerPort, !!secure));
  await writeFile(
    join(dir, 'log4j.properties'),
    'log4j.rootLogger=WARN, stdout\nlog4j.appender.stdout=org.apache.log4j.ConsoleAppender\n' +
      'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout\n' +
      'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n\n',
  );
  const tool = (args: string[]) =>
    run(
      java,
      ['-Xmx256m', `-Dlog4j.configuration=file:${dir}/log4j.properties`, '-cp', `${libs}/*`, ...args],
      {
        timeout: 120_000,
      },
    );
  const clusterId = (await tool(['kafka.tools.StorageTool', 'random-uuid'])).stdout.trim();
  const scram = secure
    ? Object.entries(passwords).flatMap(([name, password]) => [
        '--add-scram',
        `SCRAM-SHA-512=[name=${name},password=${password}]`,
      ])
    : [];
  await tool(['kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', config, ...scram]);

  // Never leave a broker behind, however this process ends (see private-postgres's watchdog).
  const watchdog = spawn(
    'sh',
    [
      '-c',
      'while kill -0 "$WATCHED_PID" 2>/dev/null; do sleep 1; done; ' +
        'pkill -9 -f "kafka.Kafka $BROKER_DIR/server.properties"; rm -rf "$BROKER_DIR"',
    ],
    {
      detached: true,
      stdio: 'ignore',
      env: { ...process.env, WATCHED_PID: String(process.pid), BROKER_DIR: dir },
    },
  );
  watchdog.unref();

  const caFile = secure ? join(dir, 'ca.pem') : undefined;
  const security = (username = 'admin'): KafkaSecurity =>
    secure
      ? {
          ssl: { ca: readFileSync(join(dir, 'ca.pem'), 'utf8') },
          sasl: { mechanism: 'scram-sha-512', username, password: passwords[username] ?? 'unknown' },
        }
      : {};
  const client = (clientId: string, username?: string) =>
    createKafka({ brokers: [`127.0.0.1:${port}`], clientId, security: security(username), quiet: true });

  const kafka: PrivateKafka = {
    brokers: `127.0.0.1:${port}`,
    caFile,
    security,
    client,
    async start() {
      broker = spawn(
        java,
        [
          '-Xms128m',
          '-Xmx512m',
          '-XX:+UseG1GC',
          '-Djava.awt.headless=true',
          `-Dlog4j.configuration=file:${dir}/log4j.properties`,
          '-cp',
          `${libs}/*`,
          'kafka.Kafka',
          config,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const output: Buffer[] = [];
      broker.stdout?.on('data', (d: Buffer) => output.push(d));
      broker.stderr?.on('data', (d: Buffer) => output.push(d));
      broker.once('exit', () => writeFile(log, Buffer.concat(output), { flag: 'a' }).catch(() => undefined));
      const started = broker;
      const admin = client('private-kafka-ready').admin();
      try {
        await waitFor(
          'the private broker to answer',
          async () => {
            if (started.exitCode !== null)
              throw new Error(`broker exited with ${started.exitCode}:\n${Buffer.concat(output)}`);
            try {
              await admin.connect();
              await admin.describeCluster();
              return true;
            } catch {
              return false;
            }
          },
          { timeoutMs: 90_000, intervalMs: 500 },
        );
      } finally {
        await admin.disconnect();
      }
    },
    async kill() {
      const running = broker;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGKILL');
      await exited;
    },
    async destroy() {
      await kafka.kill();
      watchdog.kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await kafka.start();
  } catch (error) {
    const text = await readFile(log, 'utf8').catch(() => '');
    await kafka.destroy();
    throw new Error(
      `${(error as Error).message}${text ? `\n--- broker log ---\n${text.slice(-4_000)}` : ''}`,
    );
  }
  return kafka;
}

/** The jars infra/local/kafka-up.sh fetched: the version is the one infra/local/lib.sh names. */
function kafkaLibs(): string {
  const lib = readFileSync(join(workspaceRoot, 'infra/local/lib.sh'), 'utf8');
  const version = /^KAFKA_VERSION="([^"]+)"/m.exec(lib)?.[1];
  const cache = process.env['NEWSROOM_CACHE_DIR'] ?? join(homedir(), '.cache/newsroom');
  const libs = join(cache, `kafka-${version}`, 'libs');
  if (!existsSync(join(libs, '.complete')))
    throw new Error(`no Kafka jars in ${libs}: run infra/local/up.sh once (it fetches them)`);
  return libs;
}

function serverProperties(dir: string, port: number, controllerPort: number, secure: boolean): string {
  const common = [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=CLIENT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=CLIENT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=CLIENT',
    `log.dirs=${dir}/data`,
    'auto.create.topics.enable=false',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
  ];
  if (!secure)
    return [...common, 'listener.security.protocol.map=CLIENT:PLAINTEXT,CONTROLLER:PLAINTEXT', ''].join('\n');
  return [
    ...common,
    // Clients and the broker itself: SCRAM over TLS. The controller listener stays on this host's
    // loopback with PLAIN; with PLAINTEXT there, deny-by-default ACLs would refuse the broker itself.
    'listener.security.protocol.map=CLIENT:SASL_SSL,CONTROLLER:SASL_PLAINTEXT',
    'sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512',
    'listener.name.client.sasl.enabled.mechanisms=SCRAM-SHA-512',
    'listener.name.client.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule ' +
      `required username="admin" password="${ADMIN_PASSWORD}";`,
    'sasl.mechanism.controller.protocol=PLAIN',
    'listener.name.controller.sasl.enabled.mechanisms=PLAIN',
    'listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule ' +
      `required username="controller" password="${CONTROLLER_PASSWORD}" user_controller="${CONTROLLER_PASSWORD}";`,
    'ssl.keystore.type=PEM',
    `ssl.keystore.location=${dir}/broker-keystore.pem`,
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${dir}/ca.pem`,
    'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'super.users=User:admin;User:controller',
    'allow.everyone.if.no.acl.found=false',
    '',
  ].join('\n');
}

/** The broker's PEM keystore: its key, its certificate and the CA's, in one file. */
async function writeCertificates(dir: string): Promise<void> {
  const { caFile, certFile, keyFile } = await writeTestCertificates(dir, 'private-kafka');
  const parts = await Promise.all([keyFile, certFile, caFile].map(readPem));
  await writeFile(join(dir, 'broker-keystore.pem'), parts.join(''));
}

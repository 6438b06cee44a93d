import { artifactWriters } from './artifact-writers';
import { EnvValue, checkEnvironment, effectivePort, isAllowedOutsideSchema } from './env';
import {
  ConfigSchema,
  describeAllConfigs,
  readText,
  readYaml,
  serviceEntryPoint,
  serviceNames,
} from './workspace';

interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string; target?: string };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | number | { target: number; published?: string | number })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  user?: string;
  read_only?: boolean;
  tmpfs?: string | string[];
  restart?: string;
  volumes?: (string | { source?: string; target?: string })[];
}
interface ComposeFile {
  services: Record<string, ComposeService>;
}

const compose = readYaml<ComposeFile>('docker-compose.yml');
const services = serviceNames();

function commandOf(s: ComposeService): string[] {
  if (s.command === undefined) return [];
  return Array.isArray(s.command) ? s.command.map(String) : s.command.trim().split(/\s+/);
}

function environmentOf(s: ComposeService): Map<string, EnvValue> {
  const env = new Map<string, EnvValue>();
  if (Array.isArray(s.environment)) {
    for (const item of s.environment) {
      const [name, ...rest] = item.split('=');
      if (rest.length === 0)
        throw new Error(`environment entry "${item}" takes its value from the host: give a value`);
      env.set(name, rest.join('='));
    }
  } else {
    for (const [name, value] of Object.entries(s.environment ?? {})) {
      if (value === null) throw new Error(`environment ${name} takes its value from the host: give a value`);
      env.set(name, String(value));
    }
  }
  return env;
}

const stringEnv = (s: ComposeService, name: string): string | undefined => {
  const value = environmentOf(s).get(name);
  return typeof value === 'string' ? value : undefined;
};

function dependsOn(s: ComposeService): Record<string, string> {
  if (Array.isArray(s.depends_on)) return Object.fromEntries(s.depends_on.map((d) => [d, 'service_started']));
  return Object.fromEntries(
    Object.entries(s.depends_on ?? {}).map(([d, c]) => [d, c.condition ?? 'service_started']),
  );
}

/** Container ports of "host:container", "ip:host:container", "container" or the long form. */
function containerPorts(s: ComposeService): number[] {
  return (s.ports ?? []).map((p) => {
    if (typeof p === 'object') return Number(p.target);
    const parts = String(p).split('/')[0].split(':');
    return Number(parts[parts.length - 1]);
  });
}

/** The compose services that run a Newsroom service, by the service they run. */
function newsroomServices(): Map<string, [string, ComposeService]> {
  const found = new Map<string, [string, ComposeService]>();
  for (const [key, s] of Object.entries(compose.services)) {
    const match = commandOf(s)[0]?.match(/^(?:\.\/)?dist\/services\/([^/]+)\/main\.js$/);
    if (match) found.set(match[1], [key, s]);
  }
  return found;
}

let schemas: Map<string, ConfigSchema>;
beforeAll(async () => {
  schemas = await describeAllConfigs(services);
}, 300_000);

describe('docker-compose.yml', () => {
  const running = newsroomServices();

  it('runs every service under services/ and nothing else, each under its own name', () => {
    expect([...running.keys()].sort()).toEqual(services);
    for (const [service, [key]] of running) expect(key).toBe(service);
  });

  it('builds all services from the one Dockerfile: the services that compute its native-TensorFlow target', () => {
    const computing = ['training', 'evaluation', 'batch-scoring'];
    const built = [...running.entries()].map(([service, [, s]]) => {
      const build = typeof s.build === 'string' ? { context: s.build } : s.build;
      return { service, image: s.image, context: build?.context, target: build?.target ?? 'runtime' };
    });
    const plain = built.find((b) => !computing.includes(b.service))!;
    for (const b of built)
      expect(b).toEqual(
        computing.includes(b.service)
          ? { service: b.service, image: 'newsroom-native:local', context: '.', target: 'runtime-native' }
          : { service: b.service, image: plain.image, context: '.', target: 'runtime' },
      );
  });

  describe.each(services)('%s', (service) => {
    const entry = running.get(service);
    const s = entry ? entry[1] : ({} as ComposeService);

    it('runs the built bundle with the default command (serve)', () => {
      const command = commandOf(s);
      expect(command[0]).toBe(serviceEntryPoint(service));
      expect(command.slice(1).filter((a) => a !== 'serve')).toEqual([]);
    });

    it('sets only variables its describe-config lists (or OTEL_*, NODE_*) and valid values', () => {
      expect(checkEnvironment(`compose ${service}`, schemas.get(service)!, environmentOf(s))).toEqual([]);
    });

    it('publishes the port the service listens on', () => {
      const port = effectivePort(schemas.get(service)!, environmentOf(s));
      expect(containerPorts(s)).toEqual([port]);
    });

    it('points ARTIFACT_STORE_DIR at its mount of the artifacts volume, writable if it writes there', () => {
      // Unset, the store would be the default relative directory, on the read-only root filesystem.
      if (!schemas.get(service)!.properties['ARTIFACT_STORE_DIR']) return;
      const dir = stringEnv(s, 'ARTIFACT_STORE_DIR');
      const mount = (s.volumes ?? [])
        .map((v) => (typeof v === 'string' ? v.split(':') : [v.source, v.target]))
        .find(([, target]) => target === dir);
      expect({ dir, volume: mount?.[0] }).toEqual({ dir: expect.stringMatching(/^\//), volume: 'artifacts' });
      if (artifactWriters.includes(service)) expect(mount?.[2]?.split(',') ?? []).not.toContain('ro');
    });

    it('has a healthcheck on /health/ready of that port', () => {
      const test = [s.healthcheck?.test ?? []].flat().join(' ');
      expect(s.healthcheck?.disable).not.toBe(true);
      expect(test).toContain('/health/ready');
      const port = effectivePort(schemas.get(service)!, environmentOf(s));
      expect(test.includes('process.env.PORT') || test.includes(`:${port}/`)).toBe(true);
    });

    it('runs as a non-root user on a read-only root filesystem with a tmpfs /tmp', () => {
      expect(s.user).toBeDefined();
      expect(['0', 'root']).not.toContain(String(s.user).split(':')[0]);
      expect(s.read_only).toBe(true);
      expect([s.tmpfs ?? []].flat().map((t) => t.split(':')[0])).toContain('/tmp');
    });

    it('waits for healthy Kafka and PostgreSQL and for the topics job', () => {
      expect(dependsOn(s)).toMatchObject({
        kafka: 'service_healthy',
        postgres: 'service_healthy',
        topics: 'service_completed_successfully',
      });
    });

    it('reaches Kafka, PostgreSQL and Jaeger by their compose names', () => {
      const kafka = compose.services['kafka'];
      const advertised = (stringEnv(kafka, 'KAFKA_ADVERTISED_LISTENERS') ?? '')
        .split(',')
        .map((l) => l.replace(/^[A-Z_]+:\/\//, ''));
      for (const broker of (stringEnv(s, 'KAFKA_BROKERS') ?? '').split(','))
        expect(advertised).toContain(broker.trim());

      const db = new URL(stringEnv(s, 'DATABASE_URL') ?? 'postgres://missing');
      const postgres = compose.services['postgres'];
      expect({
        host: db.hostname,
        user: db.username,
        password: db.password,
        database: db.pathname.slice(1),
      }).toEqual({
        host: 'postgres',
        user: stringEnv(postgres, 'POSTGRES_USER'),
        password: stringEnv(postgres, 'POSTGRES_PASSWORD'),
        database: stringEnv(postgres, 'POSTGRES_DB'),
      });
      expect(stringEnv(s, 'OTEL_EXPORTER_OTLP_ENDPOINT')).toBe('http://jaeger:4318');
    });
  });

  it('lets each service reach the services its URLs name, by compose name and port', () => {
    const calls = [...running].flatMap(([caller, [, s]]) =>
      [...environmentOf(s)].flatMap(([variable, value]) => {
        const url = typeof value === 'string' && URL.canParse(value) ? new URL(value) : undefined;
        const target = url && /^https?:$/.test(url.protocol) ? running.get(url.hostname) : undefined;
        return url && target ? [{ caller, variable, url, target: target[0] }] : [];
      }),
    );
    // The registry's model cards ask monitoring: its default URL (127.0.0.1) is the registry's own container.
    expect(calls.map((c) => `${c.caller} ${c.variable} -> ${c.target}`)).toContain(
      'registry REGISTRY_MONITORING_URL -> monitoring',
    );
    for (const { variable, url, target } of calls) {
      const port = effectivePort(schemas.get(target)!, environmentOf(running.get(target)![1]));
      expect([variable, Number(url.port || 80)]).toEqual([variable, port]);
    }
  });

  it('runs Kafka 3.9 in KRaft mode, without topic auto-creation, with a healthcheck', () => {
    const kafka = compose.services['kafka'];
    expect(kafka.image).toMatch(/^apache\/kafka:3\.9\.\d+$/);
    expect(stringEnv(kafka, 'KAFKA_PROCESS_ROLES')).toBe('broker,controller');
    expect(stringEnv(kafka, 'KAFKA_AUTO_CREATE_TOPICS_ENABLE')).toBe('false');
    expect(kafka.healthcheck?.test).toBeDefined();
  });

  it('runs PostgreSQL 16 with the newsroom database and a healthcheck', () => {
    const postgres = compose.services['postgres'];
    expect(postgres.image).toMatch(/^postgres:16([.-]|$)/);
    expect(['POSTGRES_DB', 'POSTGRES_USER', 'POSTGRES_PASSWORD'].map((v) => stringEnv(postgres, v))).toEqual([
      'newsroom',
      'newsroom',
      'newsroom',
    ]);
    expect([postgres.healthcheck?.test].flat().join(' ')).toContain('pg_isready');
  });

  it('runs Jaeger with OTLP HTTP published', () => {
    const jaeger = compose.services['jaeger'];
    expect(jaeger.image).toMatch(/^jaegertracing\//);
    expect(containerPorts(jaeger)).toEqual(expect.arrayContaining([4317, 4318, 16686]));
  });

  it('creates the topics with the ops CLI once Kafka is healthy', () => {
    const topics = compose.services['topics'];
    expect(topics.image).toBe(newsroomServices().get('ingestion')![1].image);
    expect(commandOf(topics)).toEqual(['dist/tools/ops/main.js', 'topics', 'create']);
    expect(dependsOn(topics)).toMatchObject({ kafka: 'service_healthy' });
    expect(topics.restart ?? 'no').toBe('no');
    // Same prefix as the services, or they would consume topics that do not exist.
    for (const [, s] of newsroomServices().values()) {
      expect(stringEnv(s, 'KAFKA_TOPIC_PREFIX') ?? '').toBe(stringEnv(topics, 'KAFKA_TOPIC_PREFIX') ?? '');
    }
  });
});

describe('tools/platform/start.sh (npm start)', () => {
  // Its `export NAME="${NAME:-value}"` lines: what every service on the laptop starts with, unless set.
  const exported = new Map(
    [...readText('tools/platform/start.sh').matchAll(/^export ([A-Z][A-Z0-9_]*)="\$\{\1:?-(.*)\}"$/gm)].map(
      (m) => [m[1], m[2]],
    ),
  );

  it('exports only variables some service reads', () => {
    const read = new Set([...schemas.values()].flatMap((schema) => Object.keys(schema.properties)));
    expect(exported.size).toBeGreaterThan(0);
    expect([...exported.keys()].filter((name) => !read.has(name) && !isAllowedOutsideSchema(name))).toEqual(
      [],
    );
  });

  it('gives the example API keys that docker-compose.yml gives: one set of keys calls either', () => {
    const composeKeys = [...newsroomServices().values()].flatMap(([, s]) =>
      [...environmentOf(s)].filter(([name]) => name.endsWith('_API_KEYS')),
    );
    expect(composeKeys.length).toBeGreaterThan(0);
    for (const [name, value] of composeKeys) expect([name, exported.get(name)]).toEqual([name, value]);
  });
});

describe('infra/prometheus/prometheus.yml', () => {
  interface PrometheusConfig {
    scrape_configs: { job_name: string; metrics_path?: string; static_configs?: { targets: string[] }[] }[];
  }
  const config = readYaml<PrometheusConfig>('infra/prometheus/prometheus.yml');

  it('is the config file the compose prometheus service mounts', () => {
    const volumes = (compose.services['prometheus'].volumes ?? []).map((v) =>
      typeof v === 'string' ? v : `${v.source}:${v.target}`,
    );
    expect(
      volumes.some((v) => v.startsWith('./infra/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml')),
    ).toBe(true);
  });

  it("scrapes every service's /metrics on its compose name and port", () => {
    const targets = config.scrape_configs
      .filter((job) => (job.metrics_path ?? '/metrics') === '/metrics')
      .flatMap((job) => (job.static_configs ?? []).flatMap((c) => c.targets));
    const expected = services.map((service) => {
      const [key, s] = newsroomServices().get(service)!;
      return `${key}:${effectivePort(schemas.get(service)!, environmentOf(s))}`;
    });
    expect(targets).toEqual(expect.arrayContaining(expected));
  });
});

describe('infra/grafana/provisioning', () => {
  it('provisions the compose Prometheus as the default data source', () => {
    interface Datasources {
      datasources: { type: string; url: string; isDefault?: boolean }[];
    }
    const { datasources } = readYaml<Datasources>('infra/grafana/provisioning/datasources/prometheus.yml');
    expect(datasources).toContainEqual(
      expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090', isDefault: true }),
    );
    expect(compose.services['prometheus']).toBeDefined();
    const volumes = (compose.services['grafana'].volumes ?? []).map(String);
    expect(volumes.some((v) => v.startsWith('./infra/grafana/provisioning:/etc/grafana/provisioning'))).toBe(
      true,
    );
  });
});

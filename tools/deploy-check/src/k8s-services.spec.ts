import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import type { IContainer, IPodSpec, IService } from 'kubernetes-models/v1';
import { artifactWriters } from './artifact-writers';
import { checkEnvironment, effectivePort } from './env';
import {
  Overlay,
  allContainers,
  buildTarget,
  containerEnv,
  findObject,
  ingressAllowed,
  ofKind,
  overlays,
  resolveContainerPort,
  selects,
  workloads,
} from './k8s';
import { Manifest, describeManifest } from './models';
import { ConfigSchema, describeAllConfigs, serviceEntryPoint, serviceNames } from './workspace';

const services = serviceNames();
/** Services that scale with load: they get a HorizontalPodAutoscaler and a PodDisruptionBudget. */
const autoscaled = ['batch-scoring', 'ingestion', 'serving'];

let schemas: Map<string, ConfigSchema>;
beforeAll(async () => {
  schemas = await describeAllConfigs(services);
}, 300_000);

const builds = new Map<'base' | Overlay, Manifest[]>([
  ['base', buildTarget('base')],
  ...overlays.map((o) => [o, buildTarget(o)] as const),
]);

function deployment(objects: Manifest[], service: string): IDeployment {
  const found = findObject(objects, 'Deployment', service);
  if (!found) throw new Error(`no Deployment ${service}`);
  return found as unknown as IDeployment;
}
const podOf = (d: IDeployment): IPodSpec => d.spec!.template.spec!;
const mainContainer = (d: IDeployment, service: string): IContainer => {
  const container = podOf(d).containers.find((c) => c.args?.[0] === serviceEntryPoint(service));
  if (!container)
    throw new Error(`Deployment ${service} has no container running ${serviceEntryPoint(service)}`);
  return container;
};

describe('k8s/base', () => {
  const objects = builds.get('base')!;
  const names = (kind: string, pattern = /^(.*)$/) =>
    ofKind(objects, kind)
      .map((o) => o.metadata.name.match(pattern)?.[1])
      .filter((n): n is string => n !== undefined)
      .sort();

  it('has a Deployment, a Service, a <name>-config ConfigMap and a <name>-migrate Job for every service, and no others', () => {
    expect(names('Deployment')).toEqual(services);
    expect(names('Service')).toEqual(services);
    expect(names('ConfigMap', /^(.*)-config$/)).toEqual(services);
    expect(names('Job', /^(.*)-migrate$/)).toEqual(services);
  });

  it('has the shared newsroom-common ConfigMap and no Secret (DATABASE_URL comes from Secret newsroom-database)', () => {
    expect(findObject(objects, 'ConfigMap', 'newsroom-common')).toBeDefined();
    expect(ofKind(objects, 'Secret')).toEqual([]);
  });

  it('runs training, evaluation and batch scoring on the native-TensorFlow image, the others on the plain one', () => {
    const computing = ['batch-scoring', 'evaluation', 'training'];
    const images = services.map((service) => [
      service,
      mainContainer(deployment(objects, service), service).image,
    ]);
    expect(images).toEqual(
      services.map((service) => [
        service,
        computing.includes(service) ? 'newsroom-native:0.1.0' : 'newsroom:0.1.0',
      ]),
    );
  });

  it.each(services)('%s-migrate runs the migrate command of %s', (service) => {
    const job = findObject(objects, 'Job', `${service}-migrate`)!;
    const [container] = workloads([job])[0].pod.containers;
    expect(container.args).toEqual([serviceEntryPoint(service), 'migrate']);
    expect(container.image).toBe(mainContainer(deployment(objects, service), service).image);
  });

  it('has a topics Job running the ops CLI with the services’ Kafka settings', () => {
    const topics = workloads(ofKind(objects, 'Job')).filter((w) =>
      w.pod.containers.some((c) => c.args?.[0] === 'dist/tools/ops/main.js'),
    );
    expect(topics).toHaveLength(1);
    const [container] = topics[0].pod.containers;
    expect(container.args).toEqual(['dist/tools/ops/main.js', 'topics', 'create']);
    const env = containerEnv(container, objects);
    for (const service of services) {
      const serviceEnv = containerEnv(mainContainer(deployment(objects, service), service), objects);
      expect([service, env.get('KAFKA_BROKERS'), env.get('KAFKA_TOPIC_PREFIX') ?? '']).toEqual([
        service,
        serviceEnv.get('KAFKA_BROKERS'),
        serviceEnv.get('KAFKA_TOPIC_PREFIX') ?? '',
      ]);
    }
  });

  it('has an autoscaling/v2 HPA and a PodDisruptionBudget for the services that scale', () => {
    expect(names('HorizontalPodAutoscaler')).toEqual(expect.arrayContaining(autoscaled));
    expect(names('PodDisruptionBudget')).toEqual(expect.arrayContaining(autoscaled));
    for (const hpa of ofKind(objects, 'HorizontalPodAutoscaler'))
      expect(hpa.apiVersion).toBe('autoscaling/v2');
  });

  it('has the artifact store: claim newsroom-artifacts, ReadWriteMany (every replica of every service mounts it)', () => {
    const claim = findObject(objects, 'PersistentVolumeClaim', 'newsroom-artifacts');
    expect((claim?.['spec'] as { accessModes?: string[] } | undefined)?.accessModes).toEqual([
      'ReadWriteMany',
    ]);
  });

  it('denies ingress by default', () => {
    const policies = ofKind(objects, 'NetworkPolicy') as unknown as INetworkPolicy[];
    const defaultDeny = policies.filter(
      (p) =>
        Object.keys(p.spec?.podSelector?.matchLabels ?? {}).length === 0 &&
        !p.spec?.podSelector?.matchExpressions &&
        p.spec?.policyTypes?.includes('Ingress') &&
        !p.spec?.ingress?.length,
    );
    expect(defaultDeny).toHaveLength(1);
  });
});

describe.each([...builds.keys()])('%s: per service', (target) => {
  const objects = builds.get(target)!;

  describe.each(services)('%s', (service) => {
    const d = deployment(objects, service);
    const container = mainContainer(d, service);
    const env = () => containerEnv(container, objects);
    const port = () => effectivePort(schemas.get(service)!, env());

    it('sets only variables its describe-config lists (or OTEL_*, NODE_*), with valid values, and all required ones', () => {
      expect(checkEnvironment(`${target} ${service}`, schemas.get(service)!, env())).toEqual([]);
    });

    it('takes DATABASE_URL from Secret newsroom-database (key url) and leaves migrations to the Job', () => {
      const databaseUrl = container.env?.find((e) => e.name === 'DATABASE_URL');
      expect(databaseUrl?.valueFrom?.secretKeyRef).toMatchObject({ name: 'newsroom-database', key: 'url' });
      expect(env().get('DB_MIGRATE_ON_START')).toBe('false');
      const job = findObject(objects, 'Job', `${service}-migrate`)!;
      const migrate = workloads([job])[0].pod.containers[0];
      expect(migrate.env?.find((e) => e.name === 'DATABASE_URL')?.valueFrom?.secretKeyRef).toMatchObject({
        name: 'newsroom-database',
        key: 'url',
      });
      expect(
        checkEnvironment(
          `${target} ${service}-migrate`,
          schemas.get(service)!,
          containerEnv(migrate, objects),
        ),
      ).toEqual([]);
    });

    it('uses the service port for the container, probes, Service, scrape annotation and NetworkPolicy', () => {
      const p = port();
      expect(container.ports?.map((x) => x.containerPort)).toEqual([p]);
      for (const probe of [container.startupProbe, container.readinessProbe, container.livenessProbe]) {
        expect(resolveContainerPort(container, probe?.httpGet?.port)).toBe(p);
      }
      const svc = findObject(objects, 'Service', service) as unknown as IService;
      for (const servicePort of svc.spec?.ports ?? []) {
        expect(resolveContainerPort(container, servicePort.targetPort ?? servicePort.port)).toBe(p);
      }
      const annotations = d.spec?.template.metadata?.annotations ?? {};
      expect(annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(p) });
      expect(annotations['prometheus.io/path'] ?? '/metrics').toBe('/metrics');

      const podLabels = d.spec?.template.metadata?.labels;
      const policies = (ofKind(objects, 'NetworkPolicy') as unknown as INetworkPolicy[]).filter((np) =>
        selects(np.spec?.podSelector?.matchLabels, podLabels),
      );
      const allowed = policies.flatMap((np) =>
        (np.spec?.ingress ?? [])
          // from the same namespace: a podSelector without a namespaceSelector
          .filter((rule) => rule.from?.some((peer) => peer.podSelector && !peer.namespaceSelector))
          .flatMap((rule) => (rule.ports ?? []).map((x) => resolveContainerPort(container, x.port))),
      );
      expect(allowed).toContain(p);
    });

    it('has a Service selecting exactly its Deployment’s pods', () => {
      const svc = findObject(objects, 'Service', service) as unknown as IService;
      const selected = (ofKind(objects, 'Deployment') as unknown as IDeployment[]).filter((x) =>
        selects(svc.spec?.selector, x.spec?.template.metadata?.labels),
      );
      expect(selected.map((x) => x.metadata?.name)).toEqual([service]);
      // Job pods (migrations) must not receive the service's traffic.
      for (const job of ofKind(objects, 'Job')) {
        expect(selects(svc.spec?.selector, workloads([job])[0].template.metadata?.labels)).toBe(false);
      }
    });

    it('points ARTIFACT_STORE_DIR at its mount of claim newsroom-artifacts, writable if it writes there', () => {
      // Unset, the store would be the default relative directory, on the read-only root filesystem.
      if (!schemas.get(service)!.properties['ARTIFACT_STORE_DIR']) return;
      const dir = env().get('ARTIFACT_STORE_DIR');
      const mount = container.volumeMounts?.find((m) => m.mountPath === dir);
      const volume = podOf(d).volumes?.find((v) => v.name === mount?.name);
      expect({ dir, claim: volume?.persistentVolumeClaim?.claimName }).toEqual({
        dir: expect.stringMatching(/^\//),
        claim: 'newsroom-artifacts',
      });
      if (artifactWriters.includes(service)) expect(mount?.readOnly ?? false).toBe(false);
    });

    it('has startup, readiness (/health/ready) and liveness (/health/live) probes', () => {
      expect(container.startupProbe?.httpGet?.path).toMatch(/^\/health\/(live|ready)$/);
      expect(container.readinessProbe?.httpGet?.path).toBe('/health/ready');
      expect(container.livenessProbe?.httpGet?.path).toBe('/health/live');
    });

    it('has resource requests and limits', () => {
      expect(container.resources?.requests).toEqual(
        expect.objectContaining({ cpu: expect.anything(), memory: expect.anything() }),
      );
      expect(container.resources?.limits).toEqual(
        expect.objectContaining({ cpu: expect.anything(), memory: expect.anything() }),
      );
    });

    it('gives a graceful shutdown the time it needs (terminationGracePeriodSeconds)', () => {
      const grace = podOf(d).terminationGracePeriodSeconds ?? 30;
      const shutdownMs = Number(
        env().get('SHUTDOWN_TIMEOUT_MS') ??
          schemas.get(service)!.properties['SHUTDOWN_TIMEOUT_MS']?.default ??
          10_000,
      );
      const preStop = container.lifecycle?.preStop?.exec?.command;
      const preStopSeconds = preStop?.[0] === 'sleep' ? Number(preStop[1]) : 0;
      expect(grace).toBeGreaterThanOrEqual(15);
      expect(grace).toBeGreaterThan(shutdownMs / 1000 + preStopSeconds);
    });
  });

  it.each(autoscaled)('%s: the HPA scales its Deployment and the PDB covers its pods', (service) => {
    const d = deployment(objects, service);
    const hpa = findObject(
      objects,
      'HorizontalPodAutoscaler',
      service,
    ) as unknown as IHorizontalPodAutoscaler;
    expect(hpa.spec?.scaleTargetRef).toMatchObject({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: service,
    });
    expect(hpa.spec!.maxReplicas).toBeGreaterThanOrEqual(hpa.spec!.minReplicas ?? 1);
    const pdb = findObject(objects, 'PodDisruptionBudget', service) as unknown as IPodDisruptionBudget;
    expect(selects(pdb.spec?.selector?.matchLabels, d.spec?.template.metadata?.labels)).toBe(true);
  });

  it('lets each service reach the services its URLs name: a port of their Service, admitted by their NetworkPolicy', () => {
    const calls = services.flatMap((caller) => {
      const callerDeployment = deployment(objects, caller);
      return [...containerEnv(mainContainer(callerDeployment, caller), objects)].flatMap(
        ([variable, value]) => {
          const url = typeof value === 'string' && URL.canParse(value) ? new URL(value) : undefined;
          if (!url || !/^https?:$/.test(url.protocol)) return [];
          // A Service of this namespace, by its short name or its namespaced one.
          const [target, namespace = 'newsroom'] = url.hostname.split('.');
          if (namespace !== 'newsroom' || !services.includes(target)) return [];
          return [{ caller, callerDeployment, variable, url, target }];
        },
      );
    });
    // The registry's model cards ask monitoring: its default URL (127.0.0.1) is the registry's own pod.
    expect(calls.map((c) => `${c.caller} ${c.variable} -> ${c.target}`)).toContain(
      'registry REGISTRY_MONITORING_URL -> monitoring',
    );
    const unreachable = calls.filter(({ callerDeployment, url, target }) => {
      const targetDeployment = deployment(objects, target);
      const targetContainer = mainContainer(targetDeployment, target);
      const svc = findObject(objects, 'Service', target) as unknown as IService;
      const servicePort = svc.spec?.ports?.find(
        (p) => p.port === Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
      );
      const port = resolveContainerPort(targetContainer, servicePort?.targetPort ?? servicePort?.port);
      return (
        port === undefined ||
        !ingressAllowed(
          objects,
          { labels: targetDeployment.spec?.template.metadata?.labels, container: targetContainer },
          callerDeployment.spec?.template.metadata?.labels,
          port,
        )
      );
    });
    expect(unreachable.map((c) => `${c.caller} ${c.variable}=${c.url.href}`)).toEqual([]);
  });

  it('references only ConfigMaps of the build (and Secrets that exist, in the local overlay, unless optional)', () => {
    for (const { owner, pod } of workloads(objects)) {
      for (const container of allContainers(pod)) {
        expect(() => containerEnv(container, objects)).not.toThrow();
        for (const e of container.env ?? []) {
          const secret = e.valueFrom?.secretKeyRef?.name;
          // An optional Secret may be absent (the Kafka credentials of a plain broker); one that is
          // there must still hold the key.
          const optional = e.valueFrom?.secretKeyRef?.optional === true;
          if (optional && secret && !findObject(objects, 'Secret', secret)) continue;
          if (secret && target === 'local') {
            const found = findObject(objects, 'Secret', secret) as
              | (Manifest & { stringData?: object; data?: object })
              | undefined;
            expect([describeManifest(owner), secret, found !== undefined]).toEqual([
              describeManifest(owner),
              secret,
              true,
            ]);
            expect({ ...found?.stringData, ...found?.data }).toHaveProperty([e.valueFrom!.secretKeyRef!.key]);
          }
        }
      }
    }
  });
});

describe.each([...builds.keys()])('%s: security', (target) => {
  const objects = builds.get(target)!;

  it.each(workloads(objects).map((w) => [describeManifest(w.owner), w] as const))(
    '%s runs non-root, read-only, unprivileged',
    (_, { pod }) => {
      const podContext = pod.securityContext ?? {};
      for (const container of allContainers(pod)) {
        const c = container.securityContext ?? {};
        const runAsNonRoot = c.runAsNonRoot ?? podContext.runAsNonRoot;
        const runAsUser = c.runAsUser ?? podContext.runAsUser;
        const seccomp = c.seccompProfile?.type ?? podContext.seccompProfile?.type;
        expect({
          container: container.name,
          runAsNonRoot,
          rootUser: runAsUser === 0,
          readOnlyRootFilesystem: c.readOnlyRootFilesystem,
          allowPrivilegeEscalation: c.allowPrivilegeEscalation,
          privileged: c.privileged ?? false,
          dropsAll: c.capabilities?.drop?.includes('ALL') ?? false,
          addsCapabilities: c.capabilities?.add ?? [],
          seccomp,
        }).toEqual({
          container: container.name,
          runAsNonRoot: true,
          rootUser: false,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          privileged: false,
          dropsAll: true,
          addsCapabilities: [],
          seccomp: 'RuntimeDefault',
        });
        // A writable /tmp: an emptyDir mounted there.
        const tmp = container.volumeMounts?.find((m) => m.mountPath === '/tmp');
        expect(tmp && pod.volumes?.find((v) => v.name === tmp.name)?.emptyDir).toBeDefined();
      }
      expect(pod.hostNetwork ?? false).toBe(false);
      expect(pod.hostPID ?? false).toBe(false);
    },
  );
});

describe('overlays', () => {
  const replicas = (objects: Manifest[], service: string): number => {
    const hpa = findObject(objects, 'HorizontalPodAutoscaler', service) as unknown as
      | IHorizontalPodAutoscaler
      | undefined;
    return hpa ? (hpa.spec?.minReplicas ?? 1) : (deployment(objects, service).spec?.replicas ?? 1);
  };

  it('local runs one replica of each service and ships the example Secret', () => {
    const objects = builds.get('local')!;
    for (const service of services) expect([service, replicas(objects, service)]).toEqual([service, 1]);
    expect(findObject(objects, 'Secret', 'newsroom-database')).toBeDefined();
  });

  it('production runs at least two replicas of each service but the singleton monitoring, and ships no Secret', () => {
    const objects = builds.get('production')!;
    for (const service of services.filter((s) => s !== 'monitoring'))
      expect(replicas(objects, service)).toBeGreaterThanOrEqual(2);
    // Its checks raise each alert once and its article directory sees every partition: one process.
    expect(replicas(objects, 'monitoring')).toBe(1);
    expect(ofKind(objects, 'Secret')).toEqual([]);
  });
});

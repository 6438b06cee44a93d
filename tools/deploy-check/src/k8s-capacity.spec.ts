import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import type { IJob } from 'kubernetes-models/batch/v1';
import type {
  IConfigMap,
  ILimitRange,
  IPersistentVolumeClaim,
  IPodSpec,
  IResourceQuota,
  IService,
} from 'kubernetes-models/v1';
import { Overlay, allContainers, buildTarget, findObject, ofKind, overlays } from './k8s';
import { Manifest, describeManifest } from './models';
import { parseQuantity } from './quantity';

const builds = new Map<'base' | Overlay, Manifest[]>([
  ['base', buildTarget('base')],
  ...overlays.map((o) => [o, buildTarget(o)] as const),
]);

/** What a pod claims, summed over its containers (init containers run before, never alongside). */
function podClaims(pod: IPodSpec) {
  const sum = (pick: (c: IPodSpec['containers'][number]) => string | number | undefined) =>
    pod.containers.reduce((total, c) => total + parseQuantity(pick(c) ?? 0), 0);
  return {
    'requests.cpu': sum((c) => c.resources?.requests?.['cpu']),
    'requests.memory': sum((c) => c.resources?.requests?.['memory']),
    'limits.memory': sum((c) => c.resources?.limits?.['memory']),
    pods: 1,
  };
}
type Claims = ReturnType<typeof podClaims>;

/** Pods a Deployment may run at once: its most replicas, plus the surge pod of a rolling update. */
function mostPods(deployment: IDeployment, objects: Manifest[]): number {
  const name = deployment.metadata!.name!;
  const hpa = findObject(objects, 'HorizontalPodAutoscaler', name) as unknown as IHorizontalPodAutoscaler;
  const replicas = hpa ? hpa.spec!.maxReplicas : (deployment.spec?.replicas ?? 1);
  const strategy = deployment.spec?.strategy;
  if (strategy?.type === 'Recreate') return replicas;
  const surge = strategy?.rollingUpdate?.maxSurge ?? '25%';
  return replicas + (typeof surge === 'number' ? surge : Math.ceil((replicas * parseInt(surge, 10)) / 100));
}

/** The namespace's needs with every Deployment at its most and every Job running. */
function peakNeeds(objects: Manifest[]): Claims {
  const total: Claims = { 'requests.cpu': 0, 'requests.memory': 0, 'limits.memory': 0, pods: 0 };
  const add = (claims: Claims, times: number) => {
    for (const key of Object.keys(total) as (keyof Claims)[]) total[key] += claims[key] * times;
  };
  for (const d of ofKind(objects, 'Deployment') as unknown as IDeployment[])
    add(podClaims(d.spec!.template.spec!), mostPods(d, objects));
  for (const job of ofKind(objects, 'Job') as unknown as IJob[])
    add(podClaims(job.spec!.template.spec!), job.spec?.parallelism ?? 1);
  return total;
}

describe.each([...builds.keys()])('%s: capacity', (target) => {
  const objects = builds.get(target)!;
  const quota = findObject(objects, 'ResourceQuota', 'newsroom') as unknown as IResourceQuota;
  const limitRange = findObject(objects, 'LimitRange', 'newsroom') as unknown as ILimitRange;
  const hard = (key: string) => parseQuantity(quota.spec!.hard![key]);

  it('never lets an autoscaler run more consumers than a topic has partitions', () => {
    const common = findObject(objects, 'ConfigMap', 'newsroom-common') as unknown as IConfigMap;
    const partitions = Number(common.data!['TOPIC_PARTITIONS']);
    const hpas = ofKind(objects, 'HorizontalPodAutoscaler') as unknown as IHorizontalPodAutoscaler[];
    expect(hpas.length).toBeGreaterThan(0);
    for (const hpa of hpas)
      expect([hpa.metadata!.name, hpa.spec!.maxReplicas <= partitions]).toEqual([hpa.metadata!.name, true]);
  });

  it('has a quota that lets every Deployment reach its most replicas while rolling, with every Job running', () => {
    const needs = peakNeeds(objects);
    for (const [key, need] of Object.entries(needs)) {
      // Enough, and not so much more that the quota stops nothing.
      expect([key, need <= hard(key), hard(key) <= 2 * need]).toEqual([key, true, true]);
    }
    const claims = ofKind(objects, 'PersistentVolumeClaim') as unknown as IPersistentVolumeClaim[];
    const storage = claims.reduce((t, c) => t + parseQuantity(c.spec!.resources!.requests!['storage']), 0);
    expect(claims.length).toBeLessThanOrEqual(hard('persistentvolumeclaims'));
    expect(storage).toBeLessThanOrEqual(hard('requests.storage'));
  });

  it('exposes nothing around the Ingress: no LoadBalancer or NodePort Service, and the quota forbids them', () => {
    expect(hard('services.loadbalancers')).toBe(0);
    expect(hard('services.nodeports')).toBe(0);
    for (const service of ofKind(objects, 'Service') as unknown as IService[])
      expect([service.metadata!.name, service.spec?.type ?? 'ClusterIP']).toEqual([
        service.metadata!.name,
        'ClusterIP',
      ]);
  });

  it('keeps every container within the LimitRange, which sets defaults for any that states none', () => {
    const container = limitRange.spec!.limits.find((l) => l.type === 'Container')!;
    expect(container.default).toBeDefined();
    expect(container.defaultRequest).toBeDefined();
    for (const owner of [...ofKind(objects, 'Deployment'), ...ofKind(objects, 'Job')]) {
      const pod = (owner['spec'] as { template: { spec: IPodSpec } }).template.spec;
      for (const c of allContainers(pod)) {
        for (const resource of ['cpu', 'memory']) {
          // What the container states, or else what the LimitRange gives it.
          const values = [
            c.resources?.requests?.[resource] ?? container.defaultRequest![resource],
            c.resources?.limits?.[resource] ?? container.default![resource],
          ].map(parseQuantity);
          const within = values.every(
            (v) =>
              v >= parseQuantity(container.min![resource]) && v <= parseQuantity(container.max![resource]),
          );
          expect([describeManifest(owner), c.name, resource, within]).toEqual([
            describeManifest(owner),
            c.name,
            resource,
            true,
          ]);
        }
      }
    }
  });
});

describe('parseQuantity', () => {
  it.each([
    ['250m', 0.25],
    ['2', 2],
    ['384Mi', 384 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['1.5G', 1.5e9],
  ])('reads %s', (value, expected) => expect(parseQuantity(value)).toBeCloseTo(expected));

  it('refuses what is not a quantity', () =>
    expect(() => parseQuantity('2 cores')).toThrow('not a resource'));
});

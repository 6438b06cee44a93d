import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import type { IContainer, IPodSpec, IPodTemplateSpec } from 'kubernetes-models/v1';
import { EnvValue, UNKNOWN_VALUE } from './env';
import { build } from './kustomize';
import { Manifest, describeManifest } from './models';
import { fromRoot } from './workspace';

export const overlays = ['local', 'production'] as const;
export type Overlay = (typeof overlays)[number];

/** The objects of `kustomize build k8s/base` or `k8s/overlays/<overlay>`. */
export function buildTarget(target: 'base' | Overlay): Manifest[] {
  return build(target === 'base' ? fromRoot('k8s', 'base') : fromRoot('k8s', 'overlays', target));
}

export function ofKind(objects: Manifest[], kind: string): Manifest[] {
  return objects.filter((o) => o.kind === kind);
}

export function findObject(objects: Manifest[], kind: string, name: string): Manifest | undefined {
  return objects.find((o) => o.kind === kind && o.metadata.name === name);
}

export interface Workload {
  owner: Manifest;
  template: IPodTemplateSpec;
  pod: IPodSpec;
}

/** Every pod template: Deployments and Jobs (the only workload kinds k8s/ uses). */
export function workloads(objects: Manifest[]): Workload[] {
  return objects
    .filter((o) => o.kind === 'Deployment' || o.kind === 'Job')
    .map((owner) => {
      const template = (owner['spec'] as { template?: IPodTemplateSpec } | undefined)?.template;
      if (!template?.spec) throw new Error(`${describeManifest(owner)} has no pod template`);
      return { owner, template, pod: template.spec };
    });
}

export function allContainers(pod: IPodSpec): IContainer[] {
  return [...(pod.initContainers ?? []), ...pod.containers];
}

/**
 * The environment a container gets: envFrom ConfigMaps (their keys and values), then env entries
 * (a literal value, or UNKNOWN_VALUE for valueFrom). A missing ConfigMap is an error, and so is
 * envFrom with a Secret: its variable names cannot be checked.
 */
export function containerEnv(container: IContainer, objects: Manifest[]): Map<string, EnvValue> {
  const env = new Map<string, EnvValue>();
  for (const source of container.envFrom ?? []) {
    if (source.secretRef)
      throw new Error(
        `container ${container.name}: envFrom secretRef hides its variable names; use env with secretKeyRef`,
      );
    const name = source.configMapRef?.name;
    if (!name) continue;
    const configMap = findObject(objects, 'ConfigMap', name);
    if (!configMap) {
      if (source.configMapRef?.optional) continue;
      throw new Error(`container ${container.name}: ConfigMap ${name} (envFrom) is not in the build`);
    }
    for (const [key, value] of Object.entries(
      (configMap['data'] as Record<string, string> | undefined) ?? {},
    )) {
      env.set(`${source.prefix ?? ''}${key}`, String(value));
    }
  }
  for (const entry of container.env ?? [])
    env.set(entry.name, entry.valueFrom ? UNKNOWN_VALUE : (entry.value ?? ''));
  return env;
}

/** A port given by number or by the name of one of the container's ports. */
export function resolveContainerPort(
  container: IContainer,
  port: number | string | undefined,
): number | undefined {
  if (typeof port === 'number') return port;
  if (port === undefined) return undefined;
  if (/^\d+$/.test(port)) return Number(port);
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

/** Whether a label selector's matchLabels all appear in the labels. */
export function selects(
  matchLabels: Record<string, string> | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  if (!matchLabels || Object.keys(matchLabels).length === 0) return false;
  return Object.entries(matchLabels).every(([k, v]) => labels?.[k] === v);
}

export type PodSelector = NonNullable<INetworkPolicy['spec']>['podSelector'];

/** Whether a pod selector selects pods with these labels (an empty selector selects every pod). */
export function selectsPod(
  selector: PodSelector | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  if (selector?.matchExpressions?.length)
    throw new Error('matchExpressions in a pod selector: not supported');
  return Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels?.[k] === v);
}

/**
 * Whether the NetworkPolicies of the build let a pod of the namespace (the caller's labels) connect
 * to another pod (its labels, its container) on a container port — as Kubernetes decides it: a pod
 * no Ingress policy selects accepts everything, otherwise one rule of one of them must admit it.
 */
export function ingressAllowed(
  objects: Manifest[],
  target: { labels: Record<string, string> | undefined; container: IContainer },
  callerLabels: Record<string, string> | undefined,
  port: number,
): boolean {
  const policies = (ofKind(objects, 'NetworkPolicy') as unknown as INetworkPolicy[]).filter(
    (p) =>
      (p.spec?.policyTypes ?? ['Ingress']).includes('Ingress') &&
      selectsPod(p.spec?.podSelector, target.labels),
  );
  if (policies.length === 0) return true;
  return policies.some((p) =>
    (p.spec?.ingress ?? []).some((rule) => {
      const ports = rule.ports ?? [];
      const portAdmitted =
        ports.length === 0 || ports.some((x) => resolveContainerPort(target.container, x.port) === port);
      const peers = rule.from ?? [];
      const callerAdmitted =
        peers.length === 0 ||
        peers.some(
          (peer) => !peer.namespaceSelector && peer.podSelector && selectsPod(peer.podSelector, callerLabels),
        );
      return portAdmitted && callerAdmitted;
    }),
  );
}

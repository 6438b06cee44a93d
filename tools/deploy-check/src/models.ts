import {
  PrometheusRule,
  ServiceMonitor,
} from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import {
  ConfigMap,
  LimitRange,
  Namespace,
  PersistentVolumeClaim,
  ResourceQuota,
  Secret,
  Service,
} from 'kubernetes-models/v1';

/** A Kubernetes object as read from a manifest. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: never) => Validatable;

/** The API types the manifests may use, by `apiVersion/kind`. Add a model here to allow a new one. */
const models: Record<string, ModelClass> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ResourceQuota': ResourceQuota,
  'v1/LimitRange': LimitRange,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'networking.k8s.io/v1/Ingress': Ingress,
  // The Prometheus Operator's (k8s/observability, for clusters that run kube-prometheus).
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
};

export function isManifest(value: unknown): value is Manifest {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Manifest>;
  return (
    typeof v.apiVersion === 'string' && typeof v.kind === 'string' && typeof v.metadata?.name === 'string'
  );
}

export const describeManifest = (m: Manifest): string => `${m.kind}/${m.metadata.name}`;

/**
 * Validates an object against the Kubernetes OpenAPI schema (kubernetes-models, Kubernetes 1.27).
 * Returns the problem, or undefined when the object is valid.
 */
export function validateManifest(value: unknown): string | undefined {
  if (!isManifest(value)) return 'not a Kubernetes object (apiVersion, kind and metadata.name are required)';
  const Model = models[`${value.apiVersion}/${value.kind}`];
  if (!Model) return `${value.apiVersion} ${value.kind} is not a type deploy-check knows (see models.ts)`;
  try {
    new Model(structuredClone(value) as never).validate();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Kinds that are not namespaced (kustomize's `namespace:` leaves them alone). */
export const clusterScopedKinds = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PriorityClass',
  'StorageClass',
]);

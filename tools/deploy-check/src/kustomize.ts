import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { Manifest, clusterScopedKinds, describeManifest, isManifest } from './models';
import { readYamlDocuments, workspaceRoot } from './workspace';

/**
 * A small, strict subset of `kustomize build`, enough for k8s/: resources (files and directories),
 * namespace, labels, images and inline JSON 6902 patches with a target. Anything else in a
 * kustomization.yaml is an error here, so the checks never run on a half-understood build.
 */
export interface Kustomization {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  resources?: string[];
  labels?: { pairs: Record<string, string>; includeSelectors?: boolean; includeTemplates?: boolean }[];
  images?: { name: string; newName?: string; newTag?: string; digest?: string }[];
  patches?: { target?: PatchTarget; patch?: string; path?: string }[];
}

export interface PatchTarget {
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
}

export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'test';
  path: string;
  value?: unknown;
}

const supportedFields = new Set([
  'apiVersion',
  'kind',
  'namespace',
  'resources',
  'labels',
  'images',
  'patches',
]);

export const KUSTOMIZATION = 'kustomization.yaml';

export function readKustomization(dir: string): Kustomization {
  const file = path.join(dir, KUSTOMIZATION);
  if (!existsSync(file)) throw new Error(`${rel(dir)} has no ${KUSTOMIZATION}`);
  const [document] = readYamlDocuments(file);
  const kustomization = (document ?? {}) as Kustomization;
  for (const field of Object.keys(kustomization)) {
    if (!supportedFields.has(field))
      throw new Error(`${rel(file)}: "${field}" is not supported by deploy-check's kustomize subset`);
  }
  if (kustomization.kind !== undefined && kustomization.kind !== 'Kustomization') {
    throw new Error(`${rel(file)}: kind must be Kustomization`);
  }
  return kustomization;
}

/** Where each `resources:` entry points: a YAML file, or a directory holding a kustomization. */
export function resolveResources(dir: string): { entry: string; path: string; kind: 'file' | 'directory' }[] {
  return (readKustomization(dir).resources ?? []).map((entry) => {
    const target = path.resolve(dir, entry);
    if (!existsSync(target))
      throw new Error(`${rel(path.join(dir, KUSTOMIZATION))}: resource "${entry}" does not exist`);
    if (statSync(target).isDirectory()) {
      if (!existsSync(path.join(target, KUSTOMIZATION))) {
        throw new Error(
          `${rel(path.join(dir, KUSTOMIZATION))}: resource "${entry}" is a directory without ${KUSTOMIZATION}`,
        );
      }
      return { entry, path: target, kind: 'directory' as const };
    }
    return { entry, path: target, kind: 'file' as const };
  });
}

/** `kustomize build <dir>` for the supported subset. */
export function build(dir: string): Manifest[] {
  const kustomization = readKustomization(dir);
  const where = rel(path.join(dir, KUSTOMIZATION));
  let objects: Manifest[] = [];
  for (const resource of resolveResources(dir)) {
    if (resource.kind === 'directory') {
      objects.push(...build(resource.path));
      continue;
    }
    for (const document of readYamlDocuments(resource.path)) {
      if (!isManifest(document))
        throw new Error(`${rel(resource.path)}: a document is not a Kubernetes object`);
      objects.push(structuredClone(document));
    }
  }

  for (const [i, patch] of (kustomization.patches ?? []).entries()) {
    const target = patch.target;
    if (patch.path !== undefined || patch.patch === undefined || !target) {
      throw new Error(`${where}: patches[${i}] must be an inline JSON 6902 patch (patch: |-) with a target`);
    }
    const operations = parse(patch.patch) as unknown;
    if (!Array.isArray(operations))
      throw new Error(`${where}: patches[${i}] is not a JSON 6902 list of operations`);
    const targets = objects.filter((o) => matchesTarget(o, target));
    if (targets.length === 0)
      throw new Error(`${where}: patches[${i}] matches no resource (${JSON.stringify(patch.target)})`);
    objects = objects.map((o) => {
      if (!targets.includes(o)) return o;
      try {
        return applyJsonPatch(o, operations as JsonPatchOperation[]) as Manifest;
      } catch (error) {
        throw new Error(`${where}: patches[${i}] on ${describeManifest(o)}: ${(error as Error).message}`);
      }
    });
  }

  if (kustomization.namespace) {
    for (const o of objects)
      if (!clusterScopedKinds.has(o.kind)) o.metadata.namespace = kustomization.namespace;
  }

  for (const label of kustomization.labels ?? []) {
    if (label.includeSelectors)
      throw new Error(`${where}: labels with includeSelectors are not supported by deploy-check`);
    for (const o of objects) {
      o.metadata.labels = { ...o.metadata.labels, ...label.pairs };
      const template = podTemplateOf(o);
      if (label.includeTemplates && template) {
        template.metadata = {
          ...template.metadata,
          labels: { ...template.metadata?.labels, ...label.pairs },
        };
      }
    }
  }

  for (const image of kustomization.images ?? []) {
    for (const o of objects) {
      const spec = podTemplateOf(o)?.spec;
      for (const container of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
        const ref = parseImage(container.image ?? '');
        if (ref.name !== image.name) continue;
        const name = image.newName ?? ref.name;
        if (image.digest) container.image = `${name}@${image.digest}`;
        else {
          const tag = image.newTag ?? ref.tag;
          container.image = tag ? `${name}:${tag}` : name;
        }
      }
    }
  }
  return objects;
}

interface PodTemplateLike {
  metadata?: { labels?: Record<string, string> };
  spec?: { containers?: { image?: string }[]; initContainers?: { image?: string }[] };
}

function podTemplateOf(o: Manifest): PodTemplateLike | undefined {
  const spec = o['spec'] as
    | { template?: PodTemplateLike; jobTemplate?: { spec?: { template?: PodTemplateLike } } }
    | undefined;
  return spec?.template ?? spec?.jobTemplate?.spec?.template;
}

export function parseImage(image: string): { name: string; tag?: string; digest?: string } {
  const [withoutDigest, digest] = image.split('@');
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  if (colon > slash)
    return { name: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1), digest };
  return { name: withoutDigest, digest };
}

/** kustomize target matching: kind, name (an anchored regex), namespace, equality-based labelSelector. */
export function matchesTarget(o: Manifest, target: PatchTarget): boolean {
  if (target.kind !== undefined && o.kind !== target.kind) return false;
  if (target.name !== undefined && !new RegExp(`^(?:${target.name})$`).test(o.metadata.name)) return false;
  if (target.namespace !== undefined && o.metadata.namespace !== target.namespace) return false;
  if (target.labelSelector !== undefined) {
    const labels = o.metadata.labels ?? {};
    for (const requirement of target.labelSelector
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      let match: RegExpMatchArray | null;
      if ((match = requirement.match(/^([^!=\s]+)\s*!=\s*(\S*)$/))) {
        if (labels[match[1]] === match[2]) return false;
      } else if ((match = requirement.match(/^([^!=\s]+)\s*==?\s*(\S*)$/))) {
        if (labels[match[1]] !== match[2]) return false;
      } else if ((match = requirement.match(/^!([^!=\s]+)$/))) {
        if (match[1] in labels) return false;
      } else if ((match = requirement.match(/^([^!=\s()]+)$/))) {
        if (!(match[1] in labels)) return false;
      } else {
        throw new Error(
          `label selector "${requirement}" is not supported by deploy-check (use key=value, key!=value, key or !key)`,
        );
      }
    }
  }
  return true;
}

/** RFC 6902 add/remove/replace/test on a copy of the document. */
export function applyJsonPatch(document: unknown, operations: JsonPatchOperation[]): unknown {
  const root = { value: structuredClone(document) as unknown };
  for (const operation of operations) {
    const tokens = ['value', ...parsePointer(operation.path)];
    const key = tokens[tokens.length - 1];
    let parent: unknown = root;
    for (const token of tokens.slice(0, -1)) {
      parent = child(parent, token, operation.path);
      if (parent === undefined) throw new Error(`${operation.op} ${operation.path}: the path does not exist`);
    }
    if (typeof parent !== 'object' || parent === null)
      throw new Error(`${operation.op} ${operation.path}: the parent is not an object or array`);
    const container = parent as Record<string, unknown> | unknown[];
    const exists = Array.isArray(container)
      ? key === '-' || isIndex(key, container.length - 1)
      : key in container;
    switch (operation.op) {
      case 'add':
        if (!('value' in operation)) throw new Error(`add ${operation.path}: no value`);
        if (Array.isArray(container)) {
          if (key === '-') container.push(structuredClone(operation.value));
          else if (isIndex(key, container.length))
            container.splice(Number(key), 0, structuredClone(operation.value));
          else throw new Error(`add ${operation.path}: bad array index`);
        } else container[key] = structuredClone(operation.value);
        break;
      case 'replace':
        if (!exists || key === '-') throw new Error(`replace ${operation.path}: the path does not exist`);
        if (!('value' in operation)) throw new Error(`replace ${operation.path}: no value`);
        (container as Record<string, unknown>)[key] = structuredClone(operation.value);
        break;
      case 'remove':
        if (!exists || key === '-') throw new Error(`remove ${operation.path}: the path does not exist`);
        if (Array.isArray(container)) container.splice(Number(key), 1);
        else delete container[key];
        break;
      case 'test':
        if (
          !exists ||
          JSON.stringify((container as Record<string, unknown>)[key]) !== JSON.stringify(operation.value)
        ) {
          throw new Error(`test ${operation.path}: the value differs`);
        }
        break;
      default:
        throw new Error(`op "${(operation as { op: string }).op}" is not supported by deploy-check`);
    }
  }
  return root.value;
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`"${pointer}" is not a JSON pointer`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function isIndex(token: string, max: number): boolean {
  return /^(0|[1-9]\d*)$/.test(token) && Number(token) <= max;
}

function child(parent: unknown, token: string, pointer: string): unknown {
  if (Array.isArray(parent)) {
    if (!isIndex(token, parent.length - 1)) throw new Error(`${pointer}: no array element ${token}`);
    return parent[Number(token)];
  }
  if (typeof parent === 'object' && parent !== null) return (parent as Record<string, unknown>)[token];
  return undefined;
}

function rel(p: string): string {
  return path.relative(workspaceRoot, p) || '.';
}

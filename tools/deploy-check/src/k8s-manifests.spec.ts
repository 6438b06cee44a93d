import path from 'node:path';
import { buildTarget, overlays } from './k8s';
import { KUSTOMIZATION, resolveResources } from './kustomize';
import { describeManifest, validateManifest } from './models';
import { fromRoot, listFiles, readYamlDocuments, workspaceRoot } from './workspace';

const k8sDir = fromRoot('k8s');
const yamlFiles = listFiles(k8sDir, (f) => /\.ya?ml$/.test(f));
const kustomizationDirs = yamlFiles
  .filter((f) => path.basename(f) === KUSTOMIZATION)
  .map((f) => path.dirname(f));
const manifestFiles = yamlFiles.filter((f) => path.basename(f) !== KUSTOMIZATION);
const rel = (p: string) => path.relative(workspaceRoot, p);

describe('k8s/ files', () => {
  it('has a base and the local and production overlays', () => {
    expect(kustomizationDirs.map(rel)).toEqual(
      expect.arrayContaining(['k8s/base', ...overlays.map((o) => `k8s/overlays/${o}`)]),
    );
    expect(manifestFiles.length).toBeGreaterThan(0);
  });

  it.each(manifestFiles.map(rel))('%s validates against the Kubernetes API schemas', (file) => {
    const documents = readYamlDocuments(fromRoot(file));
    expect(documents.length).toBeGreaterThan(0);
    const problems = documents.map((d) => validateManifest(d)).filter(Boolean);
    expect(problems).toEqual([]);
  });

  it.each(kustomizationDirs.map(rel))('%s/kustomization.yaml: every resources entry exists', (dir) => {
    expect(() => resolveResources(fromRoot(dir))).not.toThrow();
  });

  it('every manifest file is listed by exactly one kustomization (no forgotten files)', () => {
    const listed = kustomizationDirs.flatMap((dir) =>
      resolveResources(dir)
        .filter((r) => r.kind === 'file')
        .map((r) => rel(r.path)),
    );
    expect([...listed].sort()).toEqual(manifestFiles.map(rel));
  });

  it('no Secret with data outside the overlays/local example', () => {
    for (const file of manifestFiles) {
      for (const document of readYamlDocuments(file)) {
        if ((document as { kind?: string }).kind === 'Secret')
          expect(rel(file)).toMatch(/^k8s\/overlays\/local\//);
      }
    }
  });
});

describe.each(['base', ...overlays] as const)('kustomize build %s', (target) => {
  // Built inside the tests, so that a broken kustomization fails them rather than the whole file.
  let objects: ReturnType<typeof buildTarget> = [];

  it('builds', () => {
    objects = buildTarget(target);
  });

  it('gives valid Kubernetes objects', () => {
    expect(objects.length).toBeGreaterThan(0);
    const problems = objects.map((o) => [describeManifest(o), validateManifest(o)]).filter(([, p]) => p);
    expect(problems).toEqual([]);
  });

  it('has no two objects of the same kind and name', () => {
    const ids = objects.map(describeManifest);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it('puts everything in the newsroom namespace', () => {
    for (const o of objects) {
      if (o.kind === 'Namespace') expect(o.metadata.name).toBe('newsroom');
      else expect([describeManifest(o), o.metadata.namespace]).toEqual([describeManifest(o), 'newsroom']);
    }
  });
});

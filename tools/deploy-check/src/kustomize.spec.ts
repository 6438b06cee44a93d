import { applyJsonPatch, matchesTarget, parseImage } from './kustomize';
import { Manifest } from './models';

// The kustomize subset itself: k8s-*.spec.ts rely on it building the overlays as kustomize does.
describe('kustomize subset', () => {
  const deployment: Manifest = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'serving', labels: { 'newsroom.io/autoscaled': 'true', tier: 'api' } },
    spec: { template: { spec: { containers: [{ name: 'a', image: 'newsroom' }] } } },
  };

  it('applies JSON 6902 add, replace, remove and test without touching the input', () => {
    const patched = applyJsonPatch(deployment, [
      { op: 'add', path: '/spec/replicas', value: 2 },
      { op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'x:1' },
      { op: 'add', path: '/spec/template/spec/containers/-', value: { name: 'b' } },
      { op: 'remove', path: '/metadata/labels/tier' },
      { op: 'test', path: '/spec/replicas', value: 2 },
      { op: 'add', path: '/metadata/annotations', value: { 'a~b/c': '1' } },
    ]);
    expect(patched).toEqual({
      ...deployment,
      metadata: {
        name: 'serving',
        labels: { 'newsroom.io/autoscaled': 'true' },
        annotations: { 'a~b/c': '1' },
      },
      spec: { replicas: 2, template: { spec: { containers: [{ name: 'a', image: 'x:1' }, { name: 'b' }] } } },
    });
    expect(deployment.metadata.labels).toHaveProperty('tier');
  });

  it('rejects replace/remove of a missing path and a failed test', () => {
    expect(() => applyJsonPatch(deployment, [{ op: 'replace', path: '/spec/replicas', value: 1 }])).toThrow(
      /does not exist/,
    );
    expect(() => applyJsonPatch(deployment, [{ op: 'remove', path: '/spec/nothing/here' }])).toThrow(
      /does not exist/,
    );
    expect(() => applyJsonPatch(deployment, [{ op: 'test', path: '/kind', value: 'Job' }])).toThrow(
      /differs/,
    );
  });

  it('matches targets by kind, anchored name regex and equality label selectors', () => {
    expect(matchesTarget(deployment, { kind: 'Deployment' })).toBe(true);
    expect(matchesTarget(deployment, { kind: 'Job' })).toBe(false);
    expect(matchesTarget(deployment, { name: 'serv' })).toBe(false);
    expect(matchesTarget(deployment, { name: 'serv.*' })).toBe(true);
    expect(matchesTarget(deployment, { labelSelector: 'newsroom.io/autoscaled=true,tier' })).toBe(true);
    expect(matchesTarget(deployment, { labelSelector: 'newsroom.io/autoscaled!=true' })).toBe(false);
    expect(matchesTarget(deployment, { labelSelector: '!tier' })).toBe(false);
    expect(() => matchesTarget(deployment, { labelSelector: 'tier in (api)' })).toThrow(/not supported/);
  });

  it('parses image references', () => {
    expect(parseImage('newsroom')).toEqual({ name: 'newsroom' });
    expect(parseImage('registry:5000/team/newsroom:1.2')).toEqual({
      name: 'registry:5000/team/newsroom',
      tag: '1.2',
    });
    expect(parseImage('newsroom@sha256:abc')).toEqual({ name: 'newsroom', digest: 'sha256:abc' });
  });
});

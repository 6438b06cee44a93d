import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IIngress, INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import type { IService } from 'kubernetes-models/v1';
import { Overlay, buildTarget, findObject, ofKind, overlays, resolveContainerPort, selectsPod } from './k8s';
import { Manifest } from './models';

const builds = new Map<'base' | Overlay, Manifest[]>([
  ['base', buildTarget('base')],
  ...overlays.map((o) => [o, buildTarget(o)] as const),
]);

/** What the outside may reach, and nothing more: producers' writes and the readers' lists. */
const exposed = [
  { path: '/v1/articles', pathType: 'Exact', service: 'ingestion' },
  { path: '/v1/interactions', pathType: 'Exact', service: 'ingestion' },
  { path: '/v1/users', pathType: 'Prefix', service: 'serving' },
];
const controllerNamespace = 'ingress-nginx';

describe.each([...builds.keys()])('%s: ingress', (target) => {
  const objects = builds.get(target)!;
  const ingresses = ofKind(objects, 'Ingress') as unknown as IIngress[];

  it('has one Ingress, serving only the producer and reader routes', () => {
    expect(ingresses).toHaveLength(1);
    const paths = ingresses[0].spec!.rules!.flatMap((rule) =>
      rule.http!.paths.map((p) => ({ path: p.path, pathType: p.pathType, service: p.backend.service!.name })),
    );
    expect(paths).toEqual(exposed);
  });

  it('ends TLS for every host it serves, and redirects plain HTTP', () => {
    const [ingress] = ingresses;
    const covered = new Set((ingress.spec!.tls ?? []).flatMap((t) => (t.secretName ? (t.hosts ?? []) : [])));
    for (const rule of ingress.spec!.rules!)
      expect([rule.host, covered.has(rule.host!)]).toEqual([rule.host, true]);
    expect(ingress.metadata!.annotations?.['nginx.ingress.kubernetes.io/force-ssl-redirect']).toBe('true');
  });

  it("reaches each backend on a port of its Service that the pods' NetworkPolicy admits from the controller", () => {
    for (const { service: name } of exposed) {
      const service = findObject(objects, 'Service', name) as unknown as IService;
      const deployment = findObject(objects, 'Deployment', name) as unknown as IDeployment;
      const pod = deployment.spec!.template;
      const port = service.spec!.ports!.find((p) => p.name === 'http')!;
      const containerPort = resolveContainerPort(pod.spec!.containers[0], port.targetPort ?? port.port);
      const policies = (ofKind(objects, 'NetworkPolicy') as unknown as INetworkPolicy[]).filter((p) =>
        selectsPod(p.spec!.podSelector, pod.metadata?.labels),
      );
      const admitted = policies.some((p) =>
        (p.spec!.ingress ?? []).some(
          (rule) =>
            (rule.from ?? []).some(
              (peer) =>
                !peer.podSelector &&
                peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === controllerNamespace,
            ) &&
            (rule.ports ?? []).some(
              (p) => resolveContainerPort(pod.spec!.containers[0], p.port) === containerPort,
            ),
        ),
      );
      expect([name, containerPort !== undefined, admitted]).toEqual([name, true, true]);
    }
  });
});

/**
 * The Ingress the Gateway construct adds when `ingress` asks for one (api.hanzo.ai by default): hosts,
 * class, TLS, cert-manager and extra annotations, and none at all when disabled.
 */
import { IngressSpec } from '../../lib';
import { k8sSchemaProblems, only, synthGateway } from '../support/k8s';

function ingressOf(ingress: IngressSpec): any {
  const { manifests } = synthGateway({ ingress });
  expect(k8sSchemaProblems(manifests)).toEqual([]);
  return only(manifests, 'Ingress');
}

test('an empty ingress spec serves api.hanzo.ai over TLS from the secret gateway-tls, to the Service port http', () => {
  const { manifests } = synthGateway({ ingress: {} });
  const ingress = only(manifests, 'Ingress');
  const service = only(manifests, 'Service');
  expect(ingress.metadata).toMatchObject({ name: 'gateway', namespace: 'hanzo' });
  expect(ingress.metadata.labels).toEqual(service.metadata.labels);
  expect(ingress.metadata.annotations).toBeUndefined();
  expect(ingress.spec.ingressClassName).toBeUndefined();
  expect(ingress.spec.tls).toEqual([{ hosts: ['api.hanzo.ai'], secretName: 'gateway-tls' }]);
  expect(ingress.spec.rules).toEqual([
    {
      host: 'api.hanzo.ai',
      http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'gateway', port: { name: 'http' } } } }] },
    },
  ]);
  // The backend must point at what the Service really exposes.
  expect(service.metadata.name).toBe('gateway');
  expect(service.spec.ports.map((p: any) => p.name)).toContain('http');
});

test('the TLS secret default follows the gateway name', () => {
  const ingress = only(synthGateway({ name: 'edge', ingress: {} }).manifests, 'Ingress');
  expect(ingress.metadata.name).toBe('edge');
  expect(ingress.spec.tls[0].secretName).toBe('edge-tls');
  expect(ingress.spec.rules[0].http.paths[0].backend.service.name).toBe('edge');
});

test('hosts: one rule each, all under TLS', () => {
  const ingress = ingressOf({ hosts: ['api.hanzo.ai', 'api.hanzo.dev'] });
  expect(ingress.spec.rules.map((r: any) => r.host)).toEqual(['api.hanzo.ai', 'api.hanzo.dev']);
  expect(ingress.spec.tls).toEqual([{ hosts: ['api.hanzo.ai', 'api.hanzo.dev'], secretName: 'gateway-tls' }]);
});

test('className becomes ingressClassName', () => {
  expect(ingressOf({ className: 'nginx' }).spec.ingressClassName).toBe('nginx');
});

test('a custom TLS secret', () => {
  expect(ingressOf({ tls: { secretName: 'api-hanzo-cert' } }).spec.tls).toEqual([{ hosts: ['api.hanzo.ai'], secretName: 'api-hanzo-cert' }]);
});

test('TLS disabled: no tls section, the rules stay', () => {
  const ingress = ingressOf({ tls: { enabled: false } });
  expect(ingress.spec.tls).toBeUndefined();
  expect(ingress.spec.rules.map((r: any) => r.host)).toEqual(['api.hanzo.ai']);
});

test('clusterIssuer becomes the cert-manager.io/cluster-issuer annotation', () => {
  expect(ingressOf({ clusterIssuer: 'letsencrypt-prod' }).metadata.annotations).toEqual({ 'cert-manager.io/cluster-issuer': 'letsencrypt-prod' });
});

test('extra annotations are added beside the cluster issuer', () => {
  const ingress = ingressOf({ clusterIssuer: 'letsencrypt-prod', annotations: { 'nginx.ingress.kubernetes.io/proxy-read-timeout': '120' } });
  expect(ingress.metadata.annotations).toEqual({
    'cert-manager.io/cluster-issuer': 'letsencrypt-prod',
    'nginx.ingress.kubernetes.io/proxy-read-timeout': '120',
  });
});

test('enabled: false gives no Ingress, even with other fields set', () => {
  const { gateway, manifests } = synthGateway({ ingress: { enabled: false, className: 'nginx', hosts: ['api.hanzo.ai'] } });
  expect(manifests.map((m) => m.kind)).not.toContain('Ingress');
  expect(gateway.ingress).toBeUndefined();
  expect(gateway.node.tryFindChild('Ingress')).toBeUndefined();
});

test('enabled: true is the same as leaving it out', () => {
  expect(ingressOf({ enabled: true, className: 'nginx' })).toEqual(ingressOf({ className: 'nginx' }));
});

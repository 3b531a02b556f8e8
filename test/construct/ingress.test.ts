/**
 * The Ingress the Gateway construct adds when `ingress` asks for one (api.hanzo.ai by default): hosts,
 * class, TLS, cert-manager and extra annotations, and none at all when disabled.
 */
import { GatewayProps, IngressSpec } from '../../lib';
import { k8sSchemaProblems, only, synthGateway } from '../support/k8s';

function ingressOf(ingress: IngressSpec, overrides: Partial<GatewayProps> = {}): any {
  const { manifests } = synthGateway({ ingress, ...overrides });
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

describe('ingress-nginx in front of long and streamed responses', () => {
  const NGINX = 'nginx.ingress.kubernetes.io';
  const annotationsOf = (ingress: IngressSpec, overrides: Partial<GatewayProps> = {}) => ingressOf(ingress, overrides).metadata.annotations;

  test("className nginx: the proxy timeouts follow the gateway's 120 s default, and buffering is off so streams flow", () => {
    expect(annotationsOf({ className: 'nginx' })).toEqual({
      [`${NGINX}/proxy-read-timeout`]: '120',
      [`${NGINX}/proxy-send-timeout`]: '120',
      [`${NGINX}/proxy-buffering`]: 'off',
    });
  });

  test('the longest timeout wins, the gateway timeout or a route timeout, in whole seconds rounded up', () => {
    const routes = [
      { prefix: '/v1/chat', backend: 'http://chat.hanzo.svc:80', timeout: '5m' },
      { prefix: '/v1/models', backend: 'http://cloud-api.hanzo.svc:80' },
    ];
    const longRoute = annotationsOf({ className: 'nginx' }, { timeout: '30s', routes, authPolicies: [], rateLimits: [] });
    expect(longRoute[`${NGINX}/proxy-read-timeout`]).toBe('300');
    expect(annotationsOf({ className: 'nginx' }, { timeout: '1500ms' })[`${NGINX}/proxy-send-timeout`]).toBe('2');
  });

  test("the user's own value of one of these annotations wins; the others are still set", () => {
    const annotations = { [`${NGINX}/proxy-read-timeout`]: '3600', [`${NGINX}/proxy-buffering`]: 'on' };
    expect(annotationsOf({ className: 'nginx', clusterIssuer: 'letsencrypt-prod', annotations })).toEqual({
      'cert-manager.io/cluster-issuer': 'letsencrypt-prod',
      [`${NGINX}/proxy-read-timeout`]: '3600',
      [`${NGINX}/proxy-send-timeout`]: '120',
      [`${NGINX}/proxy-buffering`]: 'on',
    });
  });

  test('another class, or none, gets none of them', () => {
    expect(annotationsOf({ className: 'traefik' })).toBeUndefined();
    expect(annotationsOf({})).toBeUndefined();
  });

  test('a snippet annotation passes only with allowSnippetAnnotations: true, and is rendered as given', () => {
    const snippet = { [`${NGINX}/configuration-snippet`]: 'more_set_headers "X-Frame-Options: DENY";' };
    expect(() => synthGateway({ ingress: { className: 'nginx', annotations: snippet } })).toThrow(
      `spec.ingress.annotations["${NGINX}/configuration-snippet"]: injects raw NGINX configuration`,
    );
    expect(annotationsOf({ className: 'nginx', annotations: snippet, allowSnippetAnnotations: true })).toMatchObject(snippet);
  });
});

/**
 * Compile-time tests: a spec typed with the types imported from the CRD (imports/hanzo.ai.ts: its
 * enums, and the `{ value }` classes of int-or-string quantities) can be passed straight to the
 * construct and to fromCustomResource. `npm run typecheck` fails when the two drift apart; the
 * runtime asserts check that such a spec also renders.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { parse } from 'yaml';
import * as crd from '../../imports/hanzo.ai';
import { AuthPolicySpec, Gateway, GatewayManifest, GatewayProps, GatewaySpec, RateLimitSpec, RouteSpec } from '../../lib';
import * as fields from '../../lib/validation/fields';

/** `true` when A and B have the same keys; a type error below otherwise, naming the odd ones out. */
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never]
  ? true
  : [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>];

// Every field of the CRD is a field of the spec types, and the other way round.
const specKeys: SameKeys<crd.GatewaySpec, GatewaySpec> = true;
const routeKeys: SameKeys<crd.GatewaySpecRoutes, RouteSpec> = true;
const rateLimitKeys: SameKeys<crd.GatewaySpecRateLimits, RateLimitSpec> = true;
const authPolicyKeys: SameKeys<crd.GatewaySpecAuthPolicies, AuthPolicySpec> = true;

const crdSpec: crd.GatewaySpec = {
  image: { repository: 'ghcr.io/hanzoai/gateway', tag: '2.14.1', pullPolicy: crd.GatewaySpecImagePullPolicy.IF_NOT_PRESENT },
  replicas: 3,
  routes: [
    {
      prefix: '/v1/chat',
      backend: 'http://chat.hanzo.svc:80',
      methods: [crd.GatewaySpecRoutesMethods.POST, crd.GatewaySpecRoutesMethods.GET],
      authPolicy: 'iam-jwt',
      rateLimit: 'per-user',
      requestHeaders: { 'X-Api-Version': '2024-06-01' },
      secretHeaders: [{ header: 'Authorization', secret: { name: 'llm-providers', key: 'openai-authorization' } }],
      overrideAuthorization: true,
      removeResponseHeaders: ['Server'],
    },
  ],
  securityHeaders: {
    hsts: { maxAge: 600, includeSubdomains: true },
    referrerPolicy: crd.GatewaySpecSecurityHeadersReferrerPolicy.SAME_HYPHEN_ORIGIN,
  },
  rateLimits: [{ name: 'per-user', maxRate: 100, every: '1m', key: crd.GatewaySpecRateLimitsKey.USER }],
  authPolicies: [
    { name: 'iam-jwt', type: crd.GatewaySpecAuthPoliciesType.JWT, iamEndpoint: 'https://hanzo.id', jwksUrl: 'https://hanzo.id/.well-known/jwks' },
  ],
  resources: {
    requests: { cpu: crd.GatewaySpecResourcesRequests.fromString('500m'), memory: crd.GatewaySpecResourcesRequests.fromString('256Mi') },
    limits: { memory: crd.GatewaySpecResourcesLimits.fromNumber(1073741824) },
  },
};

// The compile-time test proper: these assignments type-check without a cast.
const asSpec: GatewaySpec = crdSpec;
const asProps: GatewayProps = { ...crdSpec, name: 'gateway', namespace: 'hanzo' };
const asManifest: GatewayManifest = { apiVersion: 'hanzo.ai/v1', kind: 'Gateway', metadata: { name: 'gateway', namespace: 'hanzo' }, spec: crdSpec };

const newChart = () => new Chart(new App(), 'test');

test('the spec types and the CRD types have the same fields', () => {
  expect([specKeys, routeKeys, rateLimitKeys, authPolicyKeys]).toEqual([true, true, true, true]);
});

test('a CRD-typed spec renders through the props: enums as strings, quantities unwrapped', () => {
  expect(asSpec).toBe(crdSpec);
  const gateway = new Gateway(newChart(), 'Gateway', asProps);
  const pod = gateway.deployment.toJson().spec.template.spec;
  expect(pod.containers[0].resources).toEqual({ requests: { cpu: '500m', memory: '256Mi' }, limits: { memory: 1073741824 } });
  expect(gateway.krakendConfig.endpoints.map((e) => e.method ?? 'GET')).toEqual(expect.arrayContaining(['POST', 'GET']));
});

test('a CRD-typed spec goes through fromCustomResource, and comes back as plain JSON', () => {
  const gateway = Gateway.fromCustomResource(newChart(), 'Gateway', asManifest);
  expect(gateway.toCustomResource().spec).toEqual({
    ...JSON.parse(JSON.stringify(crdSpec)),
    resources: { requests: { cpu: '500m', memory: '256Mi' }, limits: { memory: 1073741824 } },
  });
  expect(gateway.toCustomResource().spec.routes[0].methods).toEqual(['POST', 'GET']);
});

test('fields the import renames (targetCpuUtilizationPercentage, allowedEgressCidRs) are read under the CRD names', () => {
  const { replicas: _replicas, ...rest } = crdSpec;
  const spec: crd.GatewaySpec = {
    ...rest,
    autoscaling: { maxReplicas: 6, targetCpuUtilizationPercentage: 65 },
    networkPolicy: { enabled: false, allowedEgressCidRs: ['203.0.113.0/24'] },
  };
  const gateway = new Gateway(newChart(), 'Gateway', { ...spec, name: 'gateway' });
  expect(gateway.autoscaler?.toJson().spec.metrics[0].resource.target.averageUtilization).toBe(65);
  const cr = gateway.toCustomResource();
  expect(cr.spec.autoscaling).toEqual({ maxReplicas: 6, targetCPUUtilizationPercentage: 65 });
  expect(cr.spec.networkPolicy).toEqual({ enabled: false, allowedEgressCIDRs: ['203.0.113.0/24'] });
});

test('every spec object has the same fields in the CRD as in the spec types (through the typed field lists)', () => {
  // The field lists of lib/validation/fields.ts are compiler-checked against the spec interfaces;
  // here each is compared with the CRD's own schema, so all three agree.
  // GIVEN each field list beside the CRD schema node of the same object
  const crdYaml = parse(fs.readFileSync(path.join(__dirname, '..', '..', 'crd', 'gateway.yaml'), 'utf8'));
  const spec = crdYaml.spec.versions[0].schema.openAPIV3Schema.properties.spec;
  const at = (...steps: string[]) => steps.reduce((node, step) => (step === '[]' ? node.items : node.properties[step]), spec);
  const cases: Array<[string, readonly string[], { properties: Record<string, unknown> }]> = [
    ['spec', fields.SPEC_FIELDS, spec],
    ['image', fields.IMAGE_FIELDS, at('image')],
    ['routes[]', fields.ROUTE_FIELDS, at('routes', '[]')],
    ['rateLimits[]', fields.RATE_LIMIT_FIELDS, at('rateLimits', '[]')],
    ['authPolicies[]', fields.AUTH_POLICY_FIELDS, at('authPolicies', '[]')],
    ['ingress', fields.INGRESS_FIELDS, at('ingress')],
    ['ingress.tls', fields.TLS_FIELDS, at('ingress', 'tls')],
    ['resources', fields.RESOURCES_FIELDS, at('resources')],
    ['autoscaling', fields.AUTOSCALING_FIELDS, at('autoscaling')],
    ['networkPolicy', fields.NETWORK_POLICY_FIELDS, at('networkPolicy')],
    ['serviceMonitor', fields.SERVICE_MONITOR_FIELDS, at('serviceMonitor')],
    ['routes[].secretHeaders[]', fields.SECRET_HEADER_FIELDS, at('routes', '[]', 'secretHeaders', '[]')],
    ['routes[].secretHeaders[].secret', fields.SECRET_KEY_FIELDS, at('routes', '[]', 'secretHeaders', '[]', 'secret')],
    ['securityHeaders', fields.SECURITY_HEADERS_FIELDS, at('securityHeaders')],
    ['securityHeaders.hsts', fields.HSTS_FIELDS, at('securityHeaders', 'hsts')],
  ];
  // THEN each list holds exactly the CRD's properties, for all fifteen spec objects
  for (const [where, list, schema] of cases) expect([where, [...list].sort()]).toEqual([where, Object.keys(schema.properties).sort()]);
  expect(cases).toHaveLength(15);
});

/**
 * The resolve step (lib/resolve.ts): a validated spec with every default filled in, as the renderers
 * read it. Expected values are the documented defaults (the `@default` tags of lib/spec.ts), written out.
 */
import { App, Chart } from 'cdk8s';
import { Gateway, GatewaySpec } from '../lib';
import { resolveSpec } from '../lib/resolve';

const CHAT = 'http://chat.hanzo.svc:80';

test('a spec of routes alone gets every default, and the features it does not ask for are undefined', () => {
  const resolved = resolveSpec({ routes: [{ prefix: '/v1', backend: CHAT }] });
  expect(resolved).toMatchObject({
    image: { repository: 'ghcr.io/hanzoai/gateway', tag: '2.14.1', pullPolicy: 'IfNotPresent' },
    replicas: 2,
    timeout: { ms: 120_000, text: '120s' },
    longestTimeout: { ms: 120_000, text: '120s' },
    readHeaderTimeout: { ms: 10_000, text: '10s' },
    idleTimeout: { ms: 90_000, text: '90s' },
    logLevel: 'INFO',
    trustedProxies: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
    topologySpread: true,
    authPolicies: [],
  });
  for (const off of ['ingress', 'autoscaling', 'networkPolicy', 'serviceMonitor', 'resources'] as const) expect(resolved[off]).toBeUndefined();
  expect(resolved.routes[0]).toMatchObject({
    methods: ['GET'],
    prefixPathTakenByExact: [],
    stripPrefix: false,
    exact: false,
    depth: 4,
    timeout: { ms: 120_000, text: '120s' },
    inputHeaders: [],
  });
  expect(resolved.routes[0].authPolicy).toBeUndefined();
  expect(resolved.routes[0].rateLimit).toBeUndefined();
});

test('methods once each; an exact route takes the prefix path of a prefix route of the same method; depths by route', () => {
  const resolved = resolveSpec({
    prefixDepth: 2,
    routes: [
      { prefix: '/v1/models', backend: CHAT, methods: ['GET', 'POST', 'GET'] },
      { prefix: '/v1/models', backend: CHAT, exact: true, methods: ['POST'] },
      { prefix: '/v1/files', backend: CHAT, prefixDepth: 0 },
    ],
  });
  expect(resolved.routes.map((r) => [r.methods, r.prefixPathTakenByExact, r.depth])).toEqual([
    [['GET', 'POST'], ['POST'], 2],
    [['POST'], [], 0],
    [['GET'], [], 0],
  ]);
});

test('policies are resolved per route: a rate limit without a key counts users behind an auth policy, IPs elsewhere', () => {
  const spec: GatewaySpec = {
    routes: [
      { prefix: '/v1/chat', backend: CHAT, authPolicy: 'iam', rateLimit: 'per-client' },
      { prefix: '/v1/public', backend: CHAT, rateLimit: 'per-client' },
    ],
    rateLimits: [{ name: 'per-client', maxRate: 10, every: '1m', totalMaxRate: 100 }],
    authPolicies: [{ name: 'iam', type: 'jwt', iamEndpoint: 'https://hanzo.id', jwksUrl: 'https://hanzo.id/jwks', cacheDuration: 60 }],
  };
  const [chat, open] = resolveSpec(spec).routes;
  expect(chat.rateLimit).toEqual({
    name: 'per-client',
    maxRate: 10,
    every: { ms: 60_000, text: '1m' },
    key: 'user',
    capacity: 10,
    total: { maxRate: 100, capacity: 100 },
    scope: 'pod',
  });
  expect(open.rateLimit?.key).toBe('ip');
  expect(chat.authPolicy).toEqual({
    name: 'iam',
    iamEndpoint: 'https://hanzo.id',
    jwksUrl: 'https://hanzo.id/jwks',
    audience: [],
    userIdClaim: 'sub',
    orgIdClaim: 'owner',
    jwksCache: { ms: 60_000, text: '60s' },
    propagateClaims: [],
    requireExpiry: true,
    unknownKeyCooldown: { ms: 10_000, text: '10s' },
    alg: 'RS256',
    roles: [],
    rolesKey: 'roles',
    scopes: [],
    scopesKey: 'scope',
    scopesMatcher: 'any',
  });
});

test("a cluster rate limit is each pod's share, rounded down: over the replicas, or the autoscaler's minReplicas", () => {
  const limit = { name: 'l', maxRate: 10, every: '1s', capacity: 7, totalMaxRate: 21, scope: 'cluster' as const };
  const route = { prefix: '/v1', backend: CHAT, rateLimit: 'l' };
  const fixed = resolveSpec({ routes: [route], rateLimits: [limit], replicas: 3 }).routes[0].rateLimit;
  expect([fixed?.maxRate, fixed?.capacity, fixed?.total]).toEqual([3, 2, { maxRate: 7, capacity: 7 }]);
  const scaled = resolveSpec({ routes: [route], rateLimits: [limit], autoscaling: { minReplicas: 4, maxReplicas: 10 } }).routes[0].rateLimit;
  expect([scaled?.maxRate, scaled?.capacity]).toEqual([2, 1]);
  // The default replicas, 2; and `pod` leaves the numbers as given.
  expect(resolveSpec({ routes: [route], rateLimits: [limit] }).routes[0].rateLimit?.maxRate).toBe(5);
  expect(resolveSpec({ routes: [route], rateLimits: [{ ...limit, scope: 'pod' }], replicas: 3 }).routes[0].rateLimit?.maxRate).toBe(10);
});

test("the service options: CORS methods default to the routes' own, CORS headers are removed from backends, defaults filled in", () => {
  const resolved = resolveSpec({
    routes: [
      { prefix: '/a', backend: CHAT, methods: ['POST', 'GET'], removeResponseHeaders: ['access-control-allow-origin', 'Server'] },
      { prefix: '/b', backend: CHAT, methods: ['DELETE'] },
    ],
    cors: { allowOrigins: ['https://app.hanzo.ai'] },
    tracing: { endpoint: 'otel.monitoring.svc' },
    backendCaBundle: { secret: 'ca' },
    logging: { format: 'logstash' },
  });
  expect(resolved.cors).toEqual({
    allowOrigins: ['https://app.hanzo.ai'],
    allowMethods: ['GET', 'POST', 'DELETE'],
    allowHeaders: ['Authorization', 'Content-Type'],
    exposeHeaders: [],
    allowCredentials: false,
    maxAge: undefined,
  });
  expect(resolved.routes[0].removeResponseHeaders).toEqual([
    'access-control-allow-origin',
    'Server',
    'Access-Control-Allow-Credentials',
    'Access-Control-Allow-Methods',
    'Access-Control-Allow-Headers',
    'Access-Control-Expose-Headers',
    'Access-Control-Max-Age',
  ]);
  expect(resolved.tracing).toEqual({ collector: { scheme: 'http', hostname: 'otel.monitoring.svc' }, port: 4317, protocol: 'grpc', sampleRate: 0.1 });
  expect(resolved.backendCaBundle).toEqual({ source: { secret: 'ca' }, key: 'ca.crt', dir: '/etc/krakend/backend-ca' });
  expect([resolved.logLevel, resolved.logFormat]).toEqual(['INFO', 'logstash']);
  expect(resolveSpec({ routes: [{ prefix: '/a', backend: CHAT }], logging: { level: 'ERROR' } }).logLevel).toBe('ERROR');
  expect(resolveSpec({ routes: [{ prefix: '/a', backend: CHAT }] }).routes[0].removeResponseHeaders).toEqual([]);
});

test('the longest timeout is the first of the longest, as spelt; a disabled block is undefined; autoscaling leaves replicas unset', () => {
  const resolved = resolveSpec({
    timeout: '2m',
    routes: [
      { prefix: '/a', backend: CHAT, timeout: '120000ms' },
      { prefix: '/b', backend: CHAT, timeout: '3m' },
      { prefix: '/c', backend: CHAT, timeout: '180s' },
    ],
    ingress: { enabled: false },
    networkPolicy: { enabled: false },
    serviceMonitor: { enabled: false },
    autoscaling: { maxReplicas: 5 },
    topologySpread: false,
  });
  expect(resolved.longestTimeout).toEqual({ ms: 180_000, text: '3m' });
  expect(resolved.routes.map((r) => r.timeout.text)).toEqual(['120000ms', '3m', '180s']);
  expect([resolved.ingress, resolved.networkPolicy, resolved.serviceMonitor, resolved.replicas]).toEqual([
    undefined,
    undefined,
    undefined,
    undefined,
  ]);
  expect(resolved.autoscaling).toEqual({ minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 80 });
  expect(resolved.topologySpread).toBe(false);
});

test('resolving changes nothing in the spec, and the construct keeps the spec as given', () => {
  const spec: GatewaySpec = { routes: [{ prefix: '/v1', backend: CHAT, methods: ['GET', 'GET'] }], ingress: {} };
  const copy = structuredClone(spec);
  resolveSpec(spec);
  expect(spec).toEqual(copy);
  const gateway = new Gateway(new Chart(new App(), 'c'), 'Gateway', { name: 'gw', ...spec });
  expect(gateway.spec).toEqual(copy);
  expect(gateway.toCustomResource().spec).toEqual(copy);
});

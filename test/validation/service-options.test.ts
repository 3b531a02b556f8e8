/**
 * The rules of the service options (logging, cors, tracing, backendCaBundle), an auth policy's alg,
 * roles and scopes, and rate-limit scopes: a good case that passes and a bad case refused with exactly
 * one problem, at its path, naming the bad value and the fix. Each case changes the seed spec.
 */
import { GatewaySpec, validateSpec } from '../../lib';
import { seedSpec } from '../support/fixtures';

type Mutate = (spec: any) => void;
const set =
  (change: object): Mutate =>
  (s) =>
    Object.assign(s, change);
const auth0 =
  (change: object): Mutate =>
  (s) =>
    Object.assign(s.authPolicies[0], change);
const limit0 =
  (change: object): Mutate =>
  (s) =>
    Object.assign(s.rateLimits[0], change);
const cors = (change: object) => set({ cors: { allowOrigins: ['https://app.hanzo.ai'], ...change } });
const tracing = (change: object) => set({ tracing: { endpoint: 'http://otel.monitoring.svc:4317', ...change } });

function problemsAfter(mutate: Mutate) {
  const spec = seedSpec() as any;
  mutate(spec);
  return validateSpec(spec as GatewaySpec);
}

const RULES: Array<{ rule: string; good: Mutate; bad: Mutate; path: string; message: RegExp }> = [
  // Logging.
  {
    rule: 'logging.level is a KrakenD level',
    good: set({ logging: { level: 'WARNING' } }),
    bad: set({ logging: { level: 'warn' } }),
    path: 'spec.logging.level',
    message: /must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL \(got "warn"\)/,
  },
  {
    rule: 'logging.level and logLevel are not both given',
    good: set({ logLevel: 'ERROR', logging: { format: 'logstash' } }),
    bad: set({ logLevel: 'ERROR', logging: { level: 'ERROR' } }),
    path: 'spec.logging.level',
    message: /says what logLevel says \(got "ERROR" beside logLevel "ERROR"\) — keep one of them/,
  },
  {
    rule: 'logging.format is default or logstash',
    good: set({ logging: { format: 'default' } }),
    bad: set({ logging: { format: 'custom' } }),
    path: 'spec.logging.format',
    message: /must be one of default, logstash \(got "custom"\)/,
  },
  {
    rule: 'logging has known fields only',
    good: set({ logging: {} }),
    bad: set({ logging: { syslog: true } }),
    path: 'spec.logging.syslog',
    message: /unknown field/,
  },
  // CORS.
  {
    rule: 'an origin is scheme://host[:port] without a path',
    good: cors({ allowOrigins: ['https://app.hanzo.ai', 'http://localhost:3000'] }),
    bad: cors({ allowOrigins: ['https://app.hanzo.ai/'] }),
    path: 'spec.cors.allowOrigins[0]',
    message: /must have no path \(got "https:\/\/app.hanzo.ai\/"\) — .*remove "\/"/,
  },
  {
    rule: 'an origin is written as browsers send it: lower case, no default port',
    good: cors({ allowOrigins: ['https://app.hanzo.ai:8443'] }),
    bad: cors({ allowOrigins: ['https://app.hanzo.ai:443'] }),
    path: 'spec.cors.allowOrigins[0]',
    message: /is not written as browsers send it in Origin \(got "https:\/\/app.hanzo.ai:443"\) — write "https:\/\/app.hanzo.ai"/,
  },
  {
    rule: 'an origin host in capitals is refused with its lower-case spelling',
    good: cors({ allowOrigins: ['https://app.hanzo.ai'] }),
    bad: cors({ allowOrigins: ['https://App.Hanzo.ai'] }),
    path: 'spec.cors.allowOrigins[0]',
    message: /write "https:\/\/app.hanzo.ai"/,
  },
  {
    rule: 'an origin is http or https',
    good: cors({ allowOrigins: ['http://localhost:3000'] }),
    bad: cors({ allowOrigins: ['chrome-extension://abc'] }),
    path: 'spec.cors.allowOrigins[0]',
    message: /chrome-extension is not http or https/,
  },
  {
    rule: 'a wildcard is * alone, never a pattern',
    good: cors({ allowOrigins: ['*'] }),
    bad: cors({ allowOrigins: ['https://*.hanzo.ai'] }),
    path: 'spec.cors.allowOrigins[0]',
    message: /must be an exact origin or "\*" alone \(got "https:\/\/\*.hanzo.ai"\)/,
  },
  {
    rule: '* stands alone in the list',
    good: cors({ allowOrigins: ['*'] }),
    bad: cors({ allowOrigins: ['https://app.hanzo.ai', '*'] }),
    path: 'spec.cors.allowOrigins[1]',
    message: /must be alone/,
  },
  {
    rule: 'the origin * is refused with credentials',
    good: cors({ allowOrigins: ['https://app.hanzo.ai'], allowCredentials: true }),
    bad: cors({ allowOrigins: ['*'], allowCredentials: true }),
    path: 'spec.cors.allowCredentials',
    message: /must not be true with the origin "\*".*— list the origins allowed, or drop credentials/,
  },
  {
    rule: 'origins are listed once',
    good: cors({ allowOrigins: ['https://a.hanzo.ai', 'https://b.hanzo.ai'] }),
    bad: cors({ allowOrigins: ['https://a.hanzo.ai', 'https://a.hanzo.ai'] }),
    path: 'spec.cors.allowOrigins[1]',
    message: /repeats spec.cors.allowOrigins\[0\]/,
  },
  {
    rule: 'at least one origin',
    good: cors({}),
    bad: cors({ allowOrigins: [] }),
    path: 'spec.cors.allowOrigins',
    message: /must list at least one origin/,
  },
  {
    rule: 'CORS methods are the methods KrakenD CE routes',
    good: cors({ allowMethods: ['GET', 'POST'] }),
    bad: cors({ allowMethods: ['GET', 'OPTIONS'] }),
    path: 'spec.cors.allowMethods[1]',
    message: /must be one of GET, POST, PUT, PATCH, DELETE \(got "OPTIONS"\)/,
  },
  {
    rule: 'allowed headers are header names, never empty (krakend-cors would allow any)',
    good: cors({ allowHeaders: ['Authorization', 'X-Request-Id'] }),
    bad: cors({ allowHeaders: [] }),
    path: 'spec.cors.allowHeaders',
    message: /krakend-cors allows every header for an empty list/,
  },
  {
    rule: 'allowed headers are RFC 9110 tokens',
    good: cors({ allowHeaders: ['X-Trace'] }),
    bad: cors({ allowHeaders: ['X Trace'] }),
    path: 'spec.cors.allowHeaders[0]',
    message: /must be a header name, an RFC 9110 token \(got "X Trace"\)/,
  },
  {
    rule: 'exposed headers are listed once, case-insensitively',
    good: cors({ exposeHeaders: ['X-Request-Id'] }),
    bad: cors({ exposeHeaders: ['X-Request-Id', 'x-request-id'] }),
    path: 'spec.cors.exposeHeaders[1]',
    message: /repeats spec.cors.exposeHeaders\[0\]/,
  },
  {
    rule: 'maxAge is from 1s to 24h',
    good: cors({ maxAge: '24h' }),
    bad: cors({ maxAge: '48h' }),
    path: 'spec.cors.maxAge',
    message: /must be at most 24h \(got "48h"\)/,
  },
  {
    rule: 'maxAge is whole seconds',
    good: cors({ maxAge: '2000ms' }),
    bad: cors({ maxAge: '1500ms' }),
    path: 'spec.cors.maxAge',
    message: /must be whole seconds/,
  },
  // Tracing.
  {
    rule: 'the collector is http(s)://host[:port] or host:port',
    good: tracing({ endpoint: 'otel-collector:4317' }),
    bad: tracing({ endpoint: 'grpc://otel:4317' }),
    path: 'spec.tracing.endpoint',
    message: /grpc is not http or https/,
  },
  {
    rule: 'the collector has no path: the exporter adds its own',
    good: tracing({ endpoint: 'https://collector.example.com' }),
    bad: tracing({ endpoint: 'https://collector.example.com/v1/traces' }),
    path: 'spec.tracing.endpoint',
    message: /must have no path .*remove "\/v1\/traces"/,
  },
  {
    rule: 'the sample rate is not 0, which krakend-otel reads as every request',
    good: tracing({ sampleRate: 0.000001 }),
    bad: tracing({ sampleRate: 0 }),
    path: 'spec.tracing.sampleRate',
    message: /must be a number from 0.000001 .* to 1 \(got 0\) — krakend-otel traces every request for a rate of 0/,
  },
  {
    rule: 'the sample rate is at most 1',
    good: tracing({ sampleRate: 1 }),
    bad: tracing({ sampleRate: 1.5 }),
    path: 'spec.tracing.sampleRate',
    message: /\(got 1.5\)/,
  },
  {
    rule: 'the protocol is grpc or http',
    good: tracing({ protocol: 'http' }),
    bad: tracing({ protocol: 'https' }),
    path: 'spec.tracing.protocol',
    message: /must be one of grpc, http \(got "https"\)/,
  },
  {
    rule: 'a link-local collector is refused beside a NetworkPolicy',
    good: (s) => tracing({ endpoint: 'http://169.254.20.10:4317' })(s),
    bad: (s) => tracing({ endpoint: 'http://169.254.20.10:4317' })(Object.assign(s, { networkPolicy: {} })),
    path: 'spec.tracing.endpoint',
    message: /is a link-local address .* never opens egress to the cloud metadata range/,
  },
  // The CA bundle.
  {
    rule: 'the CA bundle names a ConfigMap or a Secret',
    good: set({ backendCaBundle: { secret: 'backend-ca', key: 'tls.crt' } }),
    bad: set({ backendCaBundle: { configMap: 'a', secret: 'b' } }),
    path: 'spec.backendCaBundle',
    message: /must name a configMap or a secret, one of them \(got both\)/,
  },
  {
    rule: 'the CA bundle names one of them at least',
    good: set({ backendCaBundle: { configMap: 'kube-root-ca.crt' } }),
    bad: set({ backendCaBundle: { key: 'ca.crt' } }),
    path: 'spec.backendCaBundle',
    message: /\(got neither\)/,
  },
  {
    rule: 'the ConfigMap is a DNS-1123 subdomain',
    good: set({ backendCaBundle: { configMap: 'trust-bundle' } }),
    bad: set({ backendCaBundle: { configMap: 'Trust_Bundle' } }),
    path: 'spec.backendCaBundle.configMap',
    message: /must be a DNS-1123 subdomain, the name of a ConfigMap \(got "Trust_Bundle"\)/,
  },
  {
    rule: 'the key is a data key, also a file name in the pod',
    good: set({ backendCaBundle: { secret: 'ca', key: 'ca-bundle.pem' } }),
    bad: set({ backendCaBundle: { secret: 'ca', key: '../etc/passwd' } }),
    path: 'spec.backendCaBundle.key',
    message: /must be a data key/,
  },
  // JWT.
  {
    rule: 'alg is one krakend-jose accepts, asymmetric',
    good: auth0({ alg: 'ES384' }),
    bad: auth0({ alg: 'HS256' }),
    path: 'spec.authPolicies[0].alg',
    message: /must be one of RS256, .*EdDSA \(got "HS256"\) — HMAC keys are shared secrets/,
  },
  {
    rule: 'alg is written as krakend-jose spells it',
    good: auth0({ alg: 'PS256' }),
    bad: auth0({ alg: 'es256' }),
    path: 'spec.authPolicies[0].alg',
    message: /\(got "es256"\)$/,
  },
  {
    rule: 'roles hold no spaces (krakend-jose splits string claims on them)',
    good: auth0({ roles: ['admin', 'ops'] }),
    bad: auth0({ roles: ['super admin'] }),
    path: 'spec.authPolicies[0].roles[0]',
    message: /must not contain spaces/,
  },
  {
    rule: 'roles are not empty',
    good: auth0({ roles: ['admin'] }),
    bad: auth0({ roles: [] }),
    path: 'spec.authPolicies[0].roles',
    message: /must list at least one value — remove it to check no roles/,
  },
  {
    rule: 'a roles key without roles says nothing',
    good: auth0({ roles: ['admin'], rolesKey: 'realm_access.roles' }),
    bad: auth0({ rolesKey: 'realm_access.roles' }),
    path: 'spec.authPolicies[0].roles',
    message: /is missing: rolesKey "realm_access.roles" names a claim, but there are no roles to check/,
  },
  {
    rule: 'scopes are listed once',
    good: auth0({ scopes: ['chat:read', 'chat:write'] }),
    bad: auth0({ scopes: ['chat:read', 'chat:read'] }),
    path: 'spec.authPolicies[0].scopes[1]',
    message: /repeats spec.authPolicies\[0\].scopes\[0\]/,
  },
  {
    rule: 'a scopes matcher without scopes says nothing',
    good: auth0({ scopes: ['chat:read'], scopesMatcher: 'all' }),
    bad: auth0({ scopesMatcher: 'all' }),
    path: 'spec.authPolicies[0].scopes',
    message: /is missing: scopesMatcher "all" has no scopes to match/,
  },
  {
    rule: 'the scopes matcher is any or all',
    good: auth0({ scopes: ['chat:read'], scopesMatcher: 'any' }),
    bad: auth0({ scopes: ['chat:read'], scopesMatcher: 'some' }),
    path: 'spec.authPolicies[0].scopesMatcher',
    message: /must be one of any, all \(got "some"\)/,
  },
  // Rate-limit scope.
  {
    rule: 'scope is pod or cluster',
    good: limit0({ scope: 'cluster' }),
    bad: limit0({ scope: 'node' }),
    path: 'spec.rateLimits[0].scope',
    message: /must be one of pod, cluster \(got "node"\)/,
  },
  {
    rule: 'a cluster limit leaves each of the replicas at least 1',
    good: (s) => Object.assign(s, { replicas: 3 }) && limit0({ maxRate: 3, scope: 'cluster' })(s),
    bad: (s) => Object.assign(s, { replicas: 3 }) && limit0({ maxRate: 2, scope: 'cluster' })(s),
    path: 'spec.rateLimits[0].maxRate',
    message: /leaves each pod less than 1 when shared over 3 replicas \(got 2\) — raise it to 3 or more, or use scope: pod/,
  },
  {
    rule: 'under autoscaling a cluster limit is shared over minReplicas, and its capacity too',
    good: (s) =>
      Object.assign(s, { replicas: undefined, autoscaling: { minReplicas: 4, maxReplicas: 8 } }) && limit0({ capacity: 4, scope: 'cluster' })(s),
    bad: (s) =>
      Object.assign(s, { replicas: undefined, autoscaling: { minReplicas: 4, maxReplicas: 8 } }) && limit0({ capacity: 3, scope: 'cluster' })(s),
    path: 'spec.rateLimits[0].capacity',
    message: /shared over the autoscaler's minReplicas 4 \(got 3\)/,
  },
];

describe.each(RULES)('$rule', ({ good, bad, path, message }) => {
  test('accepts the good case', () => {
    expect(problemsAfter(good)).toEqual([]);
  });
  test('refuses the bad case with one problem at its path', () => {
    expect(problemsAfter(bad)).toEqual([{ path, message: expect.stringMatching(message) }]);
  });
});

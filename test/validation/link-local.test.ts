/**
 * Link-local backends and JWKS hosts (169.254.0.0/16, fe80::/10: the cloud metadata endpoints and
 * the node credentials they hand out) are refused in every spelling Go or WHATWG reads as one,
 * unless the route or auth policy sets allowLinkLocal: true; and the NetworkPolicy never opens
 * egress to link-local addresses for a JWKS host.
 */
import { Testing } from 'cdk8s';
import { Gateway, GatewayValidationError, validateSpec } from '../../lib';

const PUBLIC_ROUTE = { prefix: '/v1/models', backend: 'http://cloud-api.hanzo.svc:80' };
const IAM = { name: 'iam', type: 'jwt', iamEndpoint: 'https://hanzo.id', jwksUrl: 'https://hanzo.id/.well-known/jwks' };
const problems = (spec: Record<string, unknown>) => validateSpec(spec).map((p) => `${p.path}: ${p.message}`);
const withBackend = (backend: string, extra: Record<string, unknown> = {}) => problems({ routes: [{ prefix: '/v1', backend, ...extra }] });
const withJwks = (jwksUrl: string, extra: Record<string, unknown> = {}, spec: Record<string, unknown> = {}) =>
  problems({ routes: [{ ...PUBLIC_ROUTE, authPolicy: 'iam' }], authPolicies: [{ ...IAM, jwksUrl, ...extra }], ...spec });

const WHY =
  "— 169.254.0.0/16 and fe80::/10 hold the cloud metadata endpoints (169.254.169.254, ECS's 169.254.170.2) and the node's credentials; " +
  'use another host, or set allowLinkLocal: true beside';

describe('link-local backends are refused unless the route opts in', () => {
  test.each<[string, string, string]>([
    ['http://169.254.169.254:80/latest/meta-data', 'a link-local address', 'http://169.254.169.254:80'],
    ['http://169.254.169.254/computeMetadata/v1', 'a link-local address', 'http://169.254.169.254'],
    ['http://169.254.170.2/v2/credentials', 'a link-local address', 'http://169.254.170.2'],
    ['http://169.254.170.23/v1/credentials', 'a link-local address', 'http://169.254.170.23'],
    ['https://169.254.0.1:8443', 'a link-local address', 'https://169.254.0.1:8443'],
    ['http://169.254.255.255', 'a link-local address', 'http://169.254.255.255'],
    ['http://metadata.google.internal/computeMetadata/v1', "the cloud metadata server's name (169.254.169.254)", 'http://metadata.google.internal'],
    ['http://METADATA.Google.Internal', "the cloud metadata server's name (169.254.169.254)", 'http://METADATA.Google.Internal'],
  ])('%s', (backend, reason, origin) => {
    expect(withBackend(backend)).toEqual([`spec.routes[0].backend: is ${reason} (got "${origin}") ${WHY} backend if this is meant`]);
    expect(withBackend(backend, { allowLinkLocal: true })).toEqual([]);
  });

  // Every other spelling WHATWG (or a C resolver) reads as 169.254.169.254 or fe80::1 is no backend
  // host at all: lura's grammar has no IPv6 literals, and numbers must be a plain dotted quad.
  test.each([
    'http://0xa9fea9fe',
    'http://2852039166',
    'http://0251.0376.0251.0376',
    'http://169.254.43518',
    'http://0xa9.0xfe.0xa9.0xfe',
    'http://169.254.169.254.',
    'http://169.254.169.254%2e',
    'http://[::ffff:169.254.169.254]',
    'http://[::ffff:a9fe:a9fe]',
    'http://[fe80::1]',
    'http://[fe80::1%25eth0]',
  ])('%s is refused by the backend grammar, even with the opt-in', (backend) => {
    const reading = (() => {
      try {
        return new URL(backend).hostname;
      } catch {
        return 'refused';
      }
    })();
    expect(['169.254.169.254', '[::ffff:a9fe:a9fe]', '[fe80::1]', 'refused']).toContain(reading);
    expect(withBackend(backend, { allowLinkLocal: true })).toEqual([expect.stringMatching(/^spec\.routes\[0\]\.backend: (host|must|port)/)]);
  });

  test.each([
    'http://169.253.255.255',
    'http://169.255.0.0',
    'http://168.254.169.254',
    'http://metadata.google.internal.example.com',
    'http://metadata',
  ])('the neighbour %s is not link-local', (backend) => {
    expect(withBackend(backend)).toEqual([]);
  });

  test('the opt-in on a route whose backend is not link-local allows nothing', () => {
    expect(withBackend('http://chat.hanzo.svc:80', { allowLinkLocal: true })).toEqual([
      'spec.routes[0].allowLinkLocal: allows nothing: the backend is not link-local (got "http://chat.hanzo.svc:80") — remove it',
    ]);
  });

  test('the opt-in is a boolean', () => {
    expect(withBackend('http://169.254.169.254', { allowLinkLocal: 'yes' })).toEqual([
      'spec.routes[0].allowLinkLocal: must be true or false (got string "yes")',
      `spec.routes[0].backend: is a link-local address (got "http://169.254.169.254") ${WHY} backend if this is meant`,
    ]);
  });

  test('the construct renders nothing for a public route to the metadata endpoint', () => {
    const chart = Testing.chart();
    expect(() => new Gateway(chart, 'Gateway', { routes: [{ prefix: '/v1', backend: 'http://169.254.169.254:80/latest/meta-data' }] })).toThrow(
      GatewayValidationError,
    );
    expect(Testing.synth(chart)).toEqual([]);
  });

  test('an opted-in link-local backend behind a NetworkPolicy still needs its address in allowedEgressCIDRs', () => {
    const routes = [{ prefix: '/node', backend: 'http://169.254.20.10:8080', allowLinkLocal: true }];
    expect(problems({ routes, networkPolicy: {} })).toEqual([
      'spec.routes[0].backend: address 169.254.20.10 is outside the cluster and not in spec.networkPolicy.allowedEgressCIDRs — ' +
        'add a CIDR that covers it, e.g. "169.254.20.10/32"',
    ]);
    expect(problems({ routes, networkPolicy: { allowedEgressCIDRs: ['169.254.20.10/32'] } })).toEqual([]);
  });
});

describe('link-local JWKS hosts are refused unless the auth policy opts in', () => {
  test.each<[string, string, string]>([
    ['https://169.254.169.254/jwks', 'a link-local address', 'https://169.254.169.254'],
    ['https://169.254.170.2:8443/jwks', 'a link-local address', 'https://169.254.170.2:8443'],
    ['https://[fe80::1]/jwks', 'a link-local address', 'https://[fe80::1]'],
    ['https://[fe80::a9fe:a9fe]/jwks', 'a link-local address', 'https://[fe80::a9fe:a9fe]'],
    ['https://[febf:ffff::1]/jwks', 'a link-local address', 'https://[febf:ffff::1]'],
    ['https://[::ffff:a9fe:a9fe]/jwks', 'an IPv6 address carrying a link-local IPv4 address', 'https://[::ffff:a9fe:a9fe]'],
    ['https://[::a9fe:a9fe]/jwks', 'an IPv6 address carrying a link-local IPv4 address', 'https://[::a9fe:a9fe]'],
    ['https://[64:ff9b::a9fe:a9fe]/jwks', 'an IPv6 address carrying a link-local IPv4 address', 'https://[64:ff9b::a9fe:a9fe]'],
    ['https://metadata.google.internal/jwks', "the cloud metadata server's name (169.254.169.254)", 'https://metadata.google.internal'],
  ])('%s', (jwksUrl, reason, origin) => {
    expect(withJwks(jwksUrl)).toEqual([`spec.authPolicies[0].jwksUrl: is ${reason} (got "${origin}") ${WHY} jwksUrl if this is meant`]);
    expect(withJwks(jwksUrl, { allowLinkLocal: true })).toEqual([]);
  });

  test.each([
    'https://[::ffff:169.254.169.254]/jwks',
    'https://[FE80::1]/jwks',
    'https://[fe80:0:0:0:0:0:0:1]/jwks',
    'https://[fe80::1%25eth0]/jwks',
    'https://0xa9fea9fe/jwks',
    'https://2852039166/jwks',
    'https://0251.0376.0251.0376/jwks',
    'https://169.254.43518/jwks',
    'https://169.254.169.254./jwks',
    'https://169.254.169.254%2e/jwks',
    'https://hanzo.id\\@169.254.169.254/jwks',
  ])('%s (another spelling) is refused by the URL grammar, even with the opt-in', (jwksUrl) => {
    expect(withJwks(jwksUrl, { allowLinkLocal: true })).toEqual([expect.stringMatching(/^spec\.authPolicies\[0\]\.jwksUrl: (host|must|WHATWG)/)]);
  });

  test.each(['https://[fe7f::1]/jwks', 'https://[fec0::1]/jwks', 'https://169.255.0.1/jwks', 'https://[::ffff:a9ff:1]/jwks'])(
    'the neighbour %s is not link-local',
    (jwksUrl) => {
      expect(withJwks(jwksUrl)).toEqual([]);
    },
  );

  test('the opt-in on a policy whose key set is not link-local allows nothing', () => {
    expect(withJwks('https://hanzo.id/.well-known/jwks', { allowLinkLocal: true })).toEqual([
      'spec.authPolicies[0].allowLinkLocal: allows nothing: the jwksUrl is not link-local (got "https://hanzo.id") — remove it',
    ]);
  });

  test('the iamEndpoint is never fetched, so its host is not checked', () => {
    expect(
      problems({ routes: [{ ...PUBLIC_ROUTE, authPolicy: 'iam' }], authPolicies: [{ ...IAM, iamEndpoint: 'https://169.254.169.254' }] }),
    ).toEqual([]);
  });

  test.each(['https://169.254.169.254/jwks', 'https://[fe80::1]/jwks', 'https://[::ffff:a9fe:a9fe]/jwks', 'https://metadata.google.internal/jwks'])(
    'with a NetworkPolicy, %s is refused even with the opt-in: the policy never opens egress to link-local',
    (jwksUrl) => {
      expect(withJwks(jwksUrl, { allowLinkLocal: true }, { networkPolicy: {} })).toEqual([
        expect.stringMatching(
          /^spec\.authPolicies\[0\]\.jwksUrl: is .* \(got ".*"\), and spec\.networkPolicy never opens egress to link-local addresses, where the cloud metadata endpoints are — /,
        ),
      ]);
      expect(withJwks(jwksUrl, { allowLinkLocal: true }, { networkPolicy: { enabled: false } })).toEqual([]);
    },
  );
});

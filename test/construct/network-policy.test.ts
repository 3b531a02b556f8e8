/**
 * The NetworkPolicy derived from the routes: ingress to the gateway port, egress to
 * DNS, to exactly the backends' namespaces and ports, and to the JWKS hosts; backends outside the
 * cluster only through an explicit CIDR allowance.
 */
import { GatewayProps, GatewayValidationError, RouteSpec } from '../../lib';
import { seedSpec } from '../support/fixtures';
import { k8sSchemaProblems, only, synthGateway } from '../support/k8s';
import { buildInvalid, problemsOf } from '../support/validation';

const SELECTOR = { 'app.kubernetes.io/name': 'hanzo-gateway', 'app.kubernetes.io/instance': 'gateway' };
const DNS = {
  ports: [
    { protocol: 'UDP', port: 53 },
    { protocol: 'TCP', port: 53 },
    { protocol: 'UDP', port: 5353 },
    { protocol: 'TCP', port: 5353 },
  ],
};
const GATEWAY_PORT_ANYWHERE = { ports: [{ protocol: 'TCP', port: 8080 }] };
const tcp = (...ports: number[]) => ports.map((port) => ({ protocol: 'TCP', port }));
const namespace = (name: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } });
/** Every public address: both families, without the private, shared, link-local (cloud metadata) and loopback ranges. */
const PUBLIC = [
  { ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16', '127.0.0.0/8'] } },
  { ipBlock: { cidr: '::/0', except: ['fc00::/7', 'fe80::/10', '::1/128'] } },
];

function policyOf(overrides: Partial<GatewayProps>) {
  const { gateway, manifests } = synthGateway(overrides);
  expect(k8sSchemaProblems(manifests)).toEqual([]);
  return { gateway, policy: only(manifests, 'NetworkPolicy') };
}

function withRoutes(...backends: string[]): RouteSpec[] {
  return backends.map((backend, i) => ({ prefix: `/r${i}`, backend }));
}

describe('networkPolicy.enabled on the seed', () => {
  const { gateway, policy } = policyOf({ networkPolicy: { enabled: true } });

  test('selects the gateway pods and restricts both directions', () => {
    expect(policy.apiVersion).toBe('networking.k8s.io/v1');
    expect(policy.metadata).toMatchObject({ name: 'gateway', namespace: 'hanzo' });
    expect(policy.spec.podSelector).toEqual({ matchLabels: SELECTOR });
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(gateway.networkPolicy?.node.id).toBe('NetworkPolicy');
  });

  test('accepts traffic on the gateway port 8080 only', () => {
    expect(policy.spec.ingress).toEqual([GATEWAY_PORT_ANYWHERE]);
  });

  test("may reach DNS, the backends' namespace hanzo on port 80, and 443 on public addresses for the JWKS host — nothing else", () => {
    expect(policy.spec.egress).toEqual([DNS, { to: [namespace('hanzo')], ports: tcp(80) }, { to: PUBLIC, ports: tcp(443) }]);
  });
});

describe('egress follows the backends', () => {
  test('one rule per namespace, with each port once, in a stable order', () => {
    const routes = withRoutes(
      'http://b.beta.svc.cluster.local:9000/api',
      'http://a.alpha.svc:8080',
      'https://c.alpha.svc',
      'http://d.alpha.svc:8080',
      'http://bare-name:3000',
    );
    const { policy } = policyOf({ routes, rateLimits: [], authPolicies: [], networkPolicy: {} });
    expect(policy.spec.egress).toEqual([
      DNS,
      { to: [{ podSelector: {} }], ports: tcp(3000) }, // a bare Service name: the gateway's own namespace
      { to: [namespace('alpha')], ports: tcp(443, 8080) },
      { to: [namespace('beta')], ports: tcp(9000) },
    ]);
  });

  test('without auth policies there is no 443 rule', () => {
    const { policy } = policyOf({ routes: withRoutes('http://a.alpha.svc:80'), rateLimits: [], authPolicies: [], networkPolicy: {} });
    expect(policy.spec.egress).toEqual([DNS, { to: [namespace('alpha')], ports: tcp(80) }]);
  });

  test('backendTargetPorts replaces a Service port by the pod port behind it', () => {
    const { policy } = policyOf({ networkPolicy: { backendTargetPorts: { 'chat.hanzo.svc:80': 8000 } } });
    // chat moves to 8000; cloud-api keeps 80.
    expect(policy.spec.egress[1]).toEqual({ to: [namespace('hanzo')], ports: tcp(80, 8000) });
  });

  test('an in-cluster JWKS host is reached in its namespace on its port, not on 443 anywhere', () => {
    const spec = seedSpec();
    const authPolicies = [{ ...spec.authPolicies![0], jwksUrl: 'http://iam.hanzo-iam.svc:8000/.well-known/jwks', allowInsecureJwks: true }];
    const { policy } = policyOf({ authPolicies, networkPolicy: {} });
    expect(policy.spec.egress).toEqual([DNS, { to: [namespace('hanzo')], ports: tcp(80) }, { to: [namespace('hanzo-iam')], ports: tcp(8000) }]);
  });

  test('backends outside the cluster are reached through allowedEgressCIDRs on their ports', () => {
    const routes = [...seedSpec().routes, ...withRoutes('https://api.openai.com/v1', 'http://203.0.113.7:8080')];
    const { policy } = policyOf({ routes, networkPolicy: { allowedEgressCIDRs: ['0.0.0.0/0'] } });
    expect(policy.spec.egress).toEqual([
      DNS,
      { to: [namespace('hanzo')], ports: tcp(80) },
      { to: PUBLIC, ports: tcp(443) },
      { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: tcp(443, 8080) },
    ]);
  });
});

/** IPv4 `address` lies in `cidr` (an IPv6 block never holds it). */
function inV4(address: string, cidr: string): boolean {
  if (cidr.includes(':')) return false;
  const toNumber = (a: string) => a.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  const [network, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(toNumber(address) / size) === Math.floor(toNumber(network) / size);
}

/** Whether the policy lets the pods open TCP to an IPv4 address outside the cluster's pods (selector peers never match it). */
function reaches(policy: any, address: string, port: number): boolean {
  const inBlock = ({ ipBlock }: any) => ipBlock && inV4(address, ipBlock.cidr) && !(ipBlock.except ?? []).some((c: string) => inV4(address, c));
  return policy.spec.egress.some(
    (rule: any) => (rule.ports ?? []).some((p: any) => p.protocol === 'TCP' && p.port === port) && (rule.to === undefined || rule.to.some(inBlock)),
  );
}

const NOT_PUBLIC = ['10.1.2.3', '172.16.5.4', '192.168.1.1', '100.64.0.1', '169.254.169.254', '127.0.0.1'];

describe('egress outside the cluster reaches public addresses only', () => {
  test('the JWKS port is open to public addresses, not to the cluster, private networks, the cloud metadata endpoint or loopback', () => {
    const { policy } = policyOf({ networkPolicy: {} });
    expect(reaches(policy, '203.0.113.9', 443)).toBe(true);
    for (const address of NOT_PUBLIC) expect([address, reaches(policy, address, 443)]).toEqual([address, false]);
  });

  test('an http JWKS host (allowInsecureJwks) opens port 80 the same way', () => {
    const authPolicies = [{ ...seedSpec().authPolicies![0], jwksUrl: 'http://keys.example.com/jwks', allowInsecureJwks: true }];
    const { policy } = policyOf({ authPolicies, networkPolicy: {} });
    expect(policy.spec.egress).toEqual([DNS, { to: [namespace('hanzo')], ports: tcp(80) }, { to: PUBLIC, ports: tcp(80) }]);
    for (const address of NOT_PUBLIC) expect([address, reaches(policy, address, 80)]).toEqual([address, false]);
  });

  test('several outside JWKS hosts share one rule, each port once', () => {
    const iam = seedSpec().authPolicies![0];
    const authPolicies = [
      iam,
      { ...iam, name: 'partner', jwksUrl: 'https://keys.partner.example:8443/jwks' },
      { ...iam, name: 'other', jwksUrl: 'https://other.example/jwks' },
    ];
    const { policy } = policyOf({ authPolicies, networkPolicy: {} });
    expect(policy.spec.egress).toEqual([DNS, { to: [namespace('hanzo')], ports: tcp(80) }, { to: PUBLIC, ports: tcp(443, 8443) }]);
  });

  test('a JWKS host given as an address is reached at that address only', () => {
    const iam = seedSpec().authPolicies![0];
    const authPolicies = [
      { ...iam, jwksUrl: 'https://10.20.0.5:8443/jwks' },
      { ...iam, name: 'v6', jwksUrl: 'https://[2001:db8::5]/jwks' },
    ];
    const { policy } = policyOf({ authPolicies, networkPolicy: {} });
    expect(policy.spec.egress).toEqual([
      DNS,
      { to: [namespace('hanzo')], ports: tcp(80) },
      { to: [{ ipBlock: { cidr: '10.20.0.5/32' } }], ports: tcp(8443) },
      { to: [{ ipBlock: { cidr: '2001:db8::5/128' } }], ports: tcp(443) },
    ]);
  });

  test('a narrow allowedEgressCIDRs keeps its meaning: the JWKS rule no longer opens the port to the cluster', () => {
    const routes = [...seedSpec().routes, ...withRoutes('https://api.partner.example/v1')];
    const { policy } = policyOf({ routes, networkPolicy: { allowedEgressCIDRs: ['203.0.113.0/24'] } });
    expect(policy.spec.egress).toEqual([
      DNS,
      { to: [namespace('hanzo')], ports: tcp(80) },
      { to: PUBLIC, ports: tcp(443) },
      { to: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: tcp(443) },
    ]);
    for (const address of NOT_PUBLIC) expect([address, reaches(policy, address, 443)]).toEqual([address, false]);
  });

  test('only the DNS rule has no peers', () => {
    const routes = [...seedSpec().routes, ...withRoutes('https://api.openai.com/v1')];
    const { policy } = policyOf({ routes, networkPolicy: { allowedEgressCIDRs: ['0.0.0.0/0'] } });
    expect(policy.spec.egress.filter((rule: any) => rule.to === undefined)).toEqual([DNS]);
  });
});

describe('ingress', () => {
  test("ingressNamespace narrows the gateway port to the ingress controller's namespace", () => {
    const { policy } = policyOf({ networkPolicy: { ingressNamespace: 'ingress-nginx' } });
    expect(policy.spec.ingress).toEqual([{ from: [namespace('ingress-nginx')], ports: tcp(8080) }]);
  });

  test('with metrics on, the metrics port is open too (Prometheus may live in any namespace)', () => {
    const { policy } = policyOf({ networkPolicy: { ingressNamespace: 'ingress-nginx' }, serviceMonitor: { metricsPort: 9100 } });
    expect(policy.spec.ingress).toEqual([{ from: [namespace('ingress-nginx')], ports: tcp(8080) }, { ports: tcp(9100) }]);
  });
});

test('no networkPolicy, or enabled: false, renders none', () => {
  for (const networkPolicy of [undefined, { enabled: false }]) {
    const { gateway, manifests } = synthGateway({ networkPolicy });
    expect(manifests.map((m) => m.kind)).not.toContain('NetworkPolicy');
    expect(gateway.networkPolicy).toBeUndefined();
  }
});

describe('validation', () => {
  const external = [...seedSpec().routes, { prefix: '/v1/openai', backend: 'https://api.openai.com/v1' }];

  test('a backend outside the cluster without an allowance is refused, naming the route and the way to allow it', () => {
    expect(problemsOf({ ...seedSpec(), routes: external, networkPolicy: { enabled: true } })).toEqual([
      'spec.routes[2].backend: host "api.openai.com" is not a cluster Service name (<service>.<namespace>.svc), ' +
        'so spec.networkPolicy cannot tell where it is — ' +
        'list its addresses in spec.networkPolicy.allowedEgressCIDRs (e.g. ["203.0.113.0/24"], or ["0.0.0.0/0"] for anywhere), ' +
        "or use the Service's cluster name",
    ]);
    const { chart, error } = buildInvalid({ ...seedSpec(), routes: external, networkPolicy: {} });
    expect(error).toBeInstanceOf(GatewayValidationError);
    expect(chart.node.children).toHaveLength(0);
  });

  test('"<svc>.<namespace>" without .svc is not taken for a Service: it could be a public domain', () => {
    const routes = withRoutes('http://chat.hanzo:80');
    expect(problemsOf({ routes, networkPolicy: {} })).toEqual([
      expect.stringMatching(/^spec\.routes\[0\]\.backend: host "chat\.hanzo" is not a cluster Service name/),
    ]);
  });

  test('an address backend must lie in an allowed CIDR', () => {
    const routes = withRoutes('http://10.1.2.3:8080', 'http://10.9.0.1:8080');
    expect(problemsOf({ routes, networkPolicy: { allowedEgressCIDRs: ['10.1.0.0/16'] } })).toEqual([
      'spec.routes[1].backend: address 10.9.0.1 is outside the cluster and not in spec.networkPolicy.allowedEgressCIDRs — ' +
        'add a CIDR that covers it, e.g. "10.9.0.1/32"',
    ]);
  });

  test('with networkPolicy disabled, outside backends need no allowance', () => {
    expect(problemsOf({ ...seedSpec(), routes: external, networkPolicy: { enabled: false } })).toEqual([]);
  });

  // CIDRs are checked with a backend outside the cluster, where they are needed.
  test.each<[string, object, string[]]>([
    [
      'a CIDR with host bits set',
      { routes: external, networkPolicy: { allowedEgressCIDRs: ['10.1.2.3/16'] } },
      ['spec.networkPolicy.allowedEgressCIDRs[0]: has bits set below its /16 prefix (got "10.1.2.3/16") — did you mean "10.1.0.0/16"?'],
    ],
    [
      'no CIDR',
      { routes: external, networkPolicy: { allowedEgressCIDRs: ['api.openai.com'] } },
      ['spec.networkPolicy.allowedEgressCIDRs[0]: must be a CIDR such as 203.0.113.0/24 or 2001:db8::/32 (got "api.openai.com")'],
    ],
    [
      'a prefix too long',
      { routes: external, networkPolicy: { allowedEgressCIDRs: ['10.0.0.0/33'] } },
      ['spec.networkPolicy.allowedEgressCIDRs[0]: must be a CIDR such as 203.0.113.0/24 or 2001:db8::/32 (got "10.0.0.0/33")'],
    ],
    [
      'CIDRs not a list',
      { networkPolicy: { allowedEgressCIDRs: '0.0.0.0/0' } },
      ['spec.networkPolicy.allowedEgressCIDRs: must be a list (got string "0.0.0.0/0")'],
    ],
    [
      'a bad ingress namespace',
      { networkPolicy: { ingressNamespace: 'Ingress_Nginx' } },
      ['spec.networkPolicy.ingressNamespace: must be a namespace name, a DNS-1123 label (got "Ingress_Nginx") — e.g. ingress-nginx'],
    ],
    ['enabled not a boolean', { networkPolicy: { enabled: 'yes' } }, ['spec.networkPolicy.enabled: must be true or false (got string "yes")']],
    [
      'a target port for no backend',
      { networkPolicy: { backendTargetPorts: { 'chat.hanzo.svc:8080': 8000 } } },
      [
        'spec.networkPolicy.backendTargetPorts["chat.hanzo.svc:8080"]: matches no in-cluster backend or JWKS host:port ' +
          '(known: "chat.hanzo.svc:80", "cloud-api.hanzo.svc:80")',
      ],
    ],
    [
      'a target port out of range',
      { networkPolicy: { backendTargetPorts: { 'chat.hanzo.svc:80': 70000 } } },
      ['spec.networkPolicy.backendTargetPorts["chat.hanzo.svc:80"]: must be an integer from 1 to 65535 (got 70000)'],
    ],
    [
      'a misspelt field',
      { networkPolicy: { ingressNamespaces: 'ingress-nginx' } },
      ['spec.networkPolicy.ingressNamespaces: unknown field — did you mean ingressNamespace?'],
    ],
    ['not an object', { networkPolicy: true }, ['spec.networkPolicy: must be an object (got boolean true)']],
  ])('%s', (_, overrides, expected) => {
    expect(problemsOf({ ...seedSpec(), ...overrides })).toEqual(expected);
  });

  test('CIDRs that allow nothing are refused: every backend is in the cluster', () => {
    expect(problemsOf({ ...seedSpec(), networkPolicy: { allowedEgressCIDRs: ['0.0.0.0/0'] } })).toEqual([
      'spec.networkPolicy.allowedEgressCIDRs: allows nothing: no backend is outside the cluster — remove it (JWKS hosts are reached without it)',
    ]);
  });

  test('a JWKS URL no parser reads is refused once, at its field, not a crash', () => {
    const spec = seedSpec();
    const authPolicies = [{ ...spec.authPolicies![0], jwksUrl: 'https://hanzo.id:99999/jwks' }];
    expect(problemsOf({ ...spec, authPolicies, networkPolicy: {} })).toEqual([
      'spec.authPolicies[0].jwksUrl: port must be a number from 1 to 65535 (got "https://hanzo.id:99999/jwks")',
    ]);
  });

  test('IPv6 CIDRs are accepted for outside backends named by host', () => {
    expect(problemsOf({ ...seedSpec(), routes: external, networkPolicy: { allowedEgressCIDRs: ['2001:db8::/32'] } })).toEqual([]);
  });
});

/**
 * Hostile and odd input: values Kubernetes, KrakenD or cdk8s would read differently from what the
 * library promises, strings and lists large enough to hurt, and backends that loop back into the
 * gateway. Each is one clear problem at its path; validation, the construct and the CR path agree.
 */
import { App, Chart, Testing } from 'cdk8s';
import fc from 'fast-check';
import { Gateway, GatewayManifest, GatewayValidationError, validateManifest, validateSpec } from '../../lib';
import { MAX_ROUTES } from '../../lib/limits';
import { SEED_CR, seedSpec } from '../support/fixtures';

const problemsOf = (change: (spec: any) => void) => {
  const spec: any = seedSpec();
  change(spec);
  return validateSpec(spec).map((p) => `${p.path}: ${p.message}`);
};

describe('numbers the cluster or KrakenD cannot hold', () => {
  test.each<[string, (s: any) => void, RegExp]>([
    ['replicas above int32', (s) => (s.replicas = 2 ** 31), /^spec\.replicas: must be an integer from 1 to 2147483647 \(got 2147483648\)/],
    [
      'autoscaling bounds above int32',
      (s) => {
        delete s.replicas;
        s.resources = { requests: { cpu: '250m' } };
        s.autoscaling = { maxReplicas: 2 ** 31 };
      },
      /^spec\.autoscaling\.maxReplicas: must be an integer from 1 to 2147483647/,
    ],
    [
      'cacheDuration above uint32',
      (s) => (s.authPolicies[0].cacheDuration = 2 ** 32),
      /^spec\.authPolicies\[0\]\.cacheDuration: must be an integer from 1 to 4294967295 \(got 4294967296\)/,
    ],
    [
      'a rate above 1e9 a second',
      (s) => Object.assign(s.rateLimits[0], { maxRate: 2e9, every: '1s' }),
      /^spec\.rateLimits\[0\]\.maxRate: is more than KrakenD's rate limiter can count/,
    ],
    [
      'a period longer than 1e9 seconds per request',
      (s) => Object.assign(s.rateLimits[0], { maxRate: 1, every: '300000h' }),
      /^spec\.rateLimits\[0\]\.every: is too long/,
    ],
    ['a gateway timeout over 24h', (s) => (s.timeout = '25h'), /^spec\.timeout: must be at most 24h \(got "25h"\)/],
    [
      'a route timeout whose grace period would overflow kubelet',
      (s) => (s.routes[0].timeout = '2562047h'),
      /^spec\.routes\[0\]\.timeout: must be at most 24h/,
    ],
  ])('%s is one problem at its path', (_what, change, message) => {
    const problems = problemsOf(change);
    expect(problems).toEqual([expect.stringMatching(message)]);
  });

  test('the limits themselves are accepted', () => {
    expect(
      problemsOf((s) => {
        s.replicas = 2 ** 31 - 1;
        s.authPolicies[0].cacheDuration = 2 ** 32 - 1;
        Object.assign(s.rateLimits[0], { maxRate: 1e9, every: '1s' });
        s.timeout = '24h';
      }),
    ).toEqual([]);
  });
});

describe('strings are bounded before any pattern runs', () => {
  test('a 1.5 M-character image repository is refused by its length, not a stack overflow', () => {
    const problems = problemsOf((s) => (s.image.repository = 'a'.repeat(1_500_000)));
    expect(problems).toEqual([expect.stringMatching(/^spec\.image\.repository: must be at most 255 characters \(got 1500000: "aaa/)]);
  });

  test.each<[string, (s: any, long: string) => void, string]>([
    ['a backend', (s, long) => (s.routes[0].backend = `http://chat.hanzo.svc:80/${long}`), 'spec.routes[0].backend'],
    ['a prefix', (s, long) => (s.routes[0].prefix = `/${long}`), 'spec.routes[0].prefix'],
    ['a policy name', (s, long) => (s.rateLimits[0].name = long), 'spec.rateLimits[0].name'],
    ['a claim', (s, long) => (s.authPolicies[0].userIdClaim = long), 'spec.authPolicies[0].userIdClaim'],
    ['a JWKS URL', (s, long) => (s.authPolicies[0].jwksUrl = `https://hanzo.id/${long}`), 'spec.authPolicies[0].jwksUrl'],
    ['a header name', (s, long) => (s.routes[0].inputHeaders = [long]), 'spec.routes[0].inputHeaders[0]'],
    ['an image tag', (s, long) => (s.image.tag = long), 'spec.image.tag'],
  ])('%s of 200 KB is refused at its path', (_what, change, path) => {
    const problems = problemsOf((s) => change(s, 'a'.repeat(200_000)));
    expect(problems.length).toBeGreaterThan(0);
    expect(
      problems.every((p) => p.startsWith(`${path}: `) || p.startsWith('spec.routes[0].rateLimit') || p.startsWith('spec.routes[0].methods')),
    ).toBe(true);
    expect(problems.some((p) => p.startsWith(`${path}: `) && / at most /.test(p))).toBe(true);
  });

  test('an annotation or label key of a megabyte is refused without running the key pattern on it', () => {
    const manifest = { ...structuredClone(SEED_CR), metadata: { name: 'gw', labels: { ['k'.repeat(1_000_000)]: 'v' } } };
    expect(validateManifest(manifest).map((p) => p.message)).toEqual([expect.stringMatching(/^is not a label key/)]);
  });
});

describe('lists too long to ever fit are refused whole', () => {
  test(`more than ${MAX_ROUTES} routes: one problem at spec.routes, no per-route checks`, () => {
    const routes = Array.from({ length: MAX_ROUTES + 1 }, () => ({ prefix: 'bad', backend: 'nope' }));
    expect(problemsOf((s) => (s.routes = routes))).toEqual([
      `spec.routes: has ${MAX_ROUTES + 1} entries, more than the ${MAX_ROUTES} allowed — split it over several Gateways`,
    ]);
  });

  test('routes that fit the list but not the ConfigMap are refused before the config is built', () => {
    // GIVEN as many routes as the list allows (7,231), of five methods at depth 16: 614,635 endpoints, some 100 MB of JSON
    expect(MAX_ROUTES).toBe(7231);
    const routes = Array.from({ length: MAX_ROUTES }, (_, i) => ({
      prefix: `/v1/r${i}`,
      backend: 'http://chat.hanzo.svc:80',
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    }));
    // WHEN the construct checks them
    let error: unknown;
    try {
      new Gateway(Testing.chart(), 'Gateway', { name: 'gw', routes: routes as any, prefixDepth: 16 });
    } catch (e) {
      error = e;
    }
    // THEN the size problem says it is at least that large, computed without rendering
    expect(error).toBeInstanceOf(GatewayValidationError);
    expect((error as GatewayValidationError).problems).toEqual([
      {
        path: 'spec.routes',
        message: expect.stringMatching(/^the rendered krakend\.json is at least \d{9,} bytes, over the 1048576-byte \(1 MiB\) limit/),
      },
    ]);
  });
});

describe('keys cdk8s cannot write out', () => {
  const cr = (metadata: object, spec: object = {}): GatewayManifest =>
    structuredClone({ ...SEED_CR, metadata: { name: 'gw', namespace: 'hanzo', ...metadata }, spec: { ...SEED_CR.spec, ...spec } }) as any;

  test.each<[string, GatewayManifest, string]>([
    ['a label key constructor', cr({ labels: { constructor: 'x' } }), 'metadata.labels.constructor'],
    ['an annotation key constructor', cr({ annotations: { constructor: 'x' } }), 'metadata.annotations.constructor'],
    ['an Ingress annotation key constructor', cr({}, { ingress: { annotations: { constructor: 'x' } } }), 'spec.ingress.annotations.constructor'],
    [
      'a constructor key inside ownerReferences',
      cr({ ownerReferences: [{ name: 'o', constructor: 'x' }] }),
      'metadata.ownerReferences[0].constructor',
    ],
    [
      'an own __proto__ key inside other metadata',
      cr({ ownerReferences: [JSON.parse('{"name":"o","__proto__":"x"}')] }),
      'metadata.ownerReferences[0].__proto__',
    ],
  ])('%s is refused at its path, and the CR adds nothing to the chart', (_what, manifest, path) => {
    expect(validateManifest(manifest).map((p) => p.path)).toEqual([path]);
    const chart = new Chart(new App(), 'c');
    expect(() => Gateway.fromCustomResource(chart, 'Gateway', manifest, { emitCustomResource: true })).toThrow(GatewayValidationError);
    expect(chart.node.children).toHaveLength(0);
  });

  test('other built-in property names (toString, hasOwnProperty, valueOf) are ordinary keys and render', () => {
    const manifest = cr(
      { labels: { toString: 'a', hasOwnProperty: 'b' }, annotations: { valueOf: 'c' } },
      { ingress: { annotations: { toString: 'd' } } },
    );
    expect(validateManifest(manifest)).toEqual([]);
    const app = new App();
    Gateway.fromCustomResource(new Chart(app, 'c'), 'Gateway', manifest, { emitCustomResource: true });
    const yaml = app.synthYaml();
    for (const line of ['toString: a', 'hasOwnProperty: b', 'valueOf: c', 'toString: d']) expect(yaml).toContain(line);
  });
});

describe('annotations within the 256 KiB the API server allows', () => {
  test('Ingress annotations over 256 KiB in all are refused at the map', () => {
    const annotations = { 'a.io/one': 'x'.repeat(200_000), 'a.io/two': 'y'.repeat(70_000) };
    expect(problemsOf((s) => (s.ingress = { annotations }))).toEqual([
      expect.stringMatching(/^spec\.ingress\.annotations: .*270016 bytes.*262144-byte \(256 KiB\) limit/),
    ]);
  });

  test('CR annotations over 256 KiB are refused; just under passes', () => {
    const over = { ...structuredClone(SEED_CR), metadata: { name: 'gw', annotations: { 'a.io/k': 'v'.repeat(262_144) } } };
    const under = { ...structuredClone(SEED_CR), metadata: { name: 'gw', annotations: { 'a.io/k': 'v'.repeat(262_144 - 'a.io/k'.length) } } };
    expect(validateManifest(over).map((p) => p.path)).toEqual(['metadata.annotations']);
    expect(validateManifest(under)).toEqual([]);
  });
});

describe('settings that silently turn a protection off', () => {
  test.each(['0.0.0.0/0', '::/0'])('trustedProxies %s is refused: every sender could pick its address', (cidr) => {
    expect(problemsOf((s) => (s.trustedProxies = ['10.0.0.0/8', cidr]))).toEqual([
      expect.stringMatching(/^spec\.trustedProxies\[1\]: must not trust every address/),
    ]);
  });

  test('allowedEgressCIDRs may still say 0.0.0.0/0 (anywhere), where that is the point', () => {
    const routes = [{ prefix: '/x', backend: 'https://api.example.com' }];
    expect(problemsOf((s) => Object.assign(s, { routes, networkPolicy: { allowedEgressCIDRs: ['0.0.0.0/0'] } }))).toEqual([]);
  });

  test('audience: [] is refused: it would turn the audience check off', () => {
    expect(problemsOf((s) => (s.authPolicies[0].audience = []))).toEqual([
      expect.stringMatching(/^spec\.authPolicies\[0\]\.audience: must list at least one audience/),
    ]);
  });
});

describe('IPv4 addresses written so that readers disagree', () => {
  test.each(['http://010.0.0.5', 'http://0x0a.0.0.5:8080', 'http://167772165', 'http://10.0.0.05/api'])('backend %s is refused', (url) => {
    const problems = problemsOf((s) => (s.routes[1].backend = url));
    expect(problems).toEqual([
      expect.stringMatching(/^spec\.routes\[1\]\.backend: host ".*" is not an IPv4 address written as four decimal numbers/),
    ]);
  });

  test.each(['https://010.0.0.5/jwks', 'https://0x7f.1/jwks'])('JWKS URL %s is refused with the same reason', (url) => {
    expect(problemsOf((s) => (s.authPolicies[0].jwksUrl = url))).toEqual([
      expect.stringMatching(/jwksUrl: host ".*" is not an IPv4 address written/),
    ]);
  });

  test('a canonical address and names with digits stay valid', () => {
    expect(problemsOf((s) => (s.routes[1].backend = 'http://10.0.0.5:8080'))).toEqual(expect.not.arrayContaining([expect.stringMatching(/IPv4/)]));
    expect(problemsOf((s) => (s.routes[1].backend = 'http://svc1.ns2.svc:80'))).toEqual([]);
  });
});

describe('backends that are the gateway itself', () => {
  const withBackend = (backend: string, namespace?: string) => () =>
    new Gateway(Testing.chart(), 'Gateway', { ...seedSpec(), name: 'edge', namespace, routes: [{ prefix: '/x', backend }] });

  test.each([
    ['http://edge', undefined],
    ['http://edge:8080', 'hanzo'],
    ['http://edge.hanzo:80', 'hanzo'],
    ['http://edge.hanzo.svc:80', 'hanzo'],
    ['https://edge.hanzo.svc.cluster.local', 'hanzo'],
  ])('%s (namespace %s) is its own Service', (backend, namespace) => {
    expect(withBackend(backend, namespace)).toThrow(/spec\.routes\[0\]\.backend: is this gateway's own Service/);
  });

  test.each(['http://localhost:8080', 'http://127.0.0.1:8080/api', 'http://127.9.9.9:8080', 'http://0.0.0.0:8080'])(
    '%s is its own port on loopback',
    (backend) => {
      expect(withBackend(backend, 'hanzo')).toThrow(/spec\.routes\[0\]\.backend: is this gateway's own port on loopback/);
    },
  );

  test('the chart namespace counts when the props name none', () => {
    const chart = new Chart(new App(), 'c', { namespace: 'hanzo' });
    expect(
      () => new Gateway(chart, 'Gateway', { ...seedSpec(), name: 'edge', routes: [{ prefix: '/x', backend: 'http://edge.hanzo.svc:80' }] }),
    ).toThrow(/own Service/);
  });

  test.each([
    ['a sidecar on another loopback port', 'http://localhost:9000', 'hanzo'],
    ["KrakenD's own health answer on loopback", 'http://localhost:8080/__health', 'hanzo'],
    ['a Service of the same name in another namespace', 'http://edge.other.svc:80', 'hanzo'],
    ['another Service in the same namespace', 'http://chat.hanzo.svc:80', 'hanzo'],
  ])('%s stays allowed', (_what, backend, namespace) => {
    expect(withBackend(backend, namespace)).not.toThrow();
  });

  test('the CR path refuses it too, at the manifest path', () => {
    const manifest = {
      ...structuredClone(SEED_CR),
      metadata: { name: 'edge', namespace: 'hanzo' },
      spec: { ...SEED_CR.spec, routes: [{ prefix: '/x', backend: 'http://edge.hanzo.svc:80' }] },
    };
    expect(validateManifest(manifest).map((p) => p.path)).toEqual(['spec.routes[0].backend']);
  });
});

describe('inputs of any shape and size', () => {
  const nested = (depth: number, leaf: unknown, wrap: (inner: unknown) => unknown) => {
    let value = leaf;
    for (let i = 0; i < depth; i++) value = wrap(value);
    return value;
  };

  test('metadata nested 100,000 levels deep is refused, not a stack overflow', () => {
    const manifest = { ...structuredClone(SEED_CR), metadata: { name: 'gw', ownerReferences: nested(100_000, 'x', (v) => [v]) } };
    expect(validateManifest(manifest).map((p) => p.message)).toEqual([expect.stringMatching(/^must be a JSON value of at most 64 levels/)]);
  });

  /** Big values: long strings, long lists, wide maps and deep nesting. */
  const hugeArb = fc.oneof(
    fc.integer({ min: 10_000, max: 2_000_000 }).map((n) => 'x'.repeat(n)),
    fc.integer({ min: 1_000, max: 50_000 }).map((n) => Array.from({ length: n }, (_, i) => ({ prefix: `/p${i}`, backend: 'http://a.b.svc:80' }))),
    fc.integer({ min: 1_000, max: 50_000 }).map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']))),
    fc.integer({ min: 1_000, max: 100_000 }).map((n) => nested(n, 1, (v) => ({ a: v }))),
    fc.integer({ min: 1_000, max: 100_000 }).map((n) => nested(n, 'x', (v) => [v])),
  );
  const where = fc.constantFrom<Array<string | number>>(
    ['spec', 'routes'],
    ['spec', 'routes', 0, 'prefix'],
    ['spec', 'routes', 0, 'backend'],
    ['spec', 'routes', 0, 'methods'],
    ['spec', 'routes', 0, 'inputHeaders'],
    ['spec', 'image', 'repository'],
    ['spec', 'image', 'tag'],
    ['spec', 'rateLimits'],
    ['spec', 'authPolicies', 0, 'jwksUrl'],
    ['spec', 'authPolicies', 0, 'audience'],
    ['spec', 'trustedProxies'],
    ['spec', 'ingress'],
    ['spec', 'resources', 'requests'],
    ['metadata', 'labels'],
    ['metadata', 'annotations'],
    ['metadata', 'ownerReferences'],
    ['metadata', 'name'],
  );

  test('validation and the construct answer every one with problems, never another error', () => {
    fc.assert(
      fc.property(where, hugeArb, (path, value) => {
        const manifest: any = structuredClone({ ...SEED_CR, spec: { ...SEED_CR.spec, ingress: {}, resources: { requests: {} } } });
        let node = manifest;
        for (const key of path.slice(0, -1)) node = node[key] ??= {};
        node[path[path.length - 1]] = value;
        const problems = validateManifest(manifest);
        expect(Array.isArray(problems)).toBe(true);
        try {
          Gateway.fromCustomResource(Testing.chart(), 'Gateway', manifest);
        } catch (e) {
          expect(e).toBeInstanceOf(GatewayValidationError);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('wide objects', () => {
  test('300,000 annotations are checked in linear time: one problem for the total size', () => {
    const annotations = Object.fromEntries(Array.from({ length: 300_000 }, (_, i) => [`a.io/k${i}`, 'v']));
    const manifest = { ...structuredClone(SEED_CR), metadata: { name: 'gw', annotations } };
    expect(validateManifest(manifest).map((p) => p.path)).toEqual(['metadata.annotations']);
  });

  test('a spec object with 100,000 unknown fields names the first 20 and counts the rest', () => {
    const image: Record<string, string> = { repository: 'ghcr.io/hanzoai/gateway', tag: '1' };
    for (let i = 0; i < 100_000; i++) image[`x${i}`] = 'y';
    const problems = problemsOf((s) => (s.image = image));
    expect(problems).toHaveLength(21);
    expect(problems[0]).toMatch(/^spec\.image\.x0: unknown field — /);
    expect(problems[20]).toMatch(/^spec\.image: has 99980 more unknown fields — known fields: repository, tag, digest, pullPolicy$/);
  });
});

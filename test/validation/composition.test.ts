/**
 * Composed routes (`backends`, `sequential`): every refusal at its path with the fix, the shapes that
 * pass, and what they render, written out here as KrakenD's own keys (lura config/config.go,
 * proxy/formatter.go, proxy/merging.go).
 */
import { renderKrakendConfig, validateSpec } from '../../lib';
import { resolveSpec } from '../../lib/resolve';
import { selfReferenceProblems } from '../../lib/validation/gateway-spec';
import { renderNetworkPolicy } from '../../lib/kubernetes/network-policy';

const USERS = 'http://users.hanzo.svc:80/users/me';
const ORDERS = 'http://orders.hanzo.svc:80/orders';
const base = { prefix: '/v1/me', exact: true };
const two = [
  { url: USERS, group: 'user' },
  { url: ORDERS, group: 'orders' },
];

const lines = (spec: unknown) => validateSpec(spec).map((p) => `${p.path}: ${p.message}`);
/** The problems of a spec whose routes are an unremarkable one and `route` (at index 1). */
const problems = (route: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  lines({ routes: [{ prefix: '/v1/models', backend: 'http://cloud-api.hanzo.svc:80' }, route], ...extra });

describe('composed routes that pass', () => {
  test.each<[string, Record<string, unknown>]>([
    ['two groups', { ...base, backends: two }],
    ['ungrouped backends, merged at the top level', { ...base, backends: [{ url: USERS }, { url: ORDERS }] }],
    [
      'allow, deny, mapping, target, a collection, an encoding per backend',
      {
        ...base,
        encoding: 'safejson',
        outputEncoding: 'negotiate',
        backends: [
          { url: USERS, allow: ['name', 'profile.city'], mapping: { name: 'fullName' } },
          { url: ORDERS, deny: ['secret'], isCollection: true, encoding: 'json', mapping: { collection: 'orders' } },
          { url: 'https://news.example.com/feed', encoding: 'rss', group: 'news', target: 'items' },
        ],
      },
    ],
    [
      'sequential, with a reference to the first backend under its group',
      {
        ...base,
        sequential: true,
        backends: [
          { url: USERS, group: 'user' },
          { url: `${ORDERS}/{resp0_user.id}`, group: 'orders' },
        ],
      },
    ],
    ['one POST and one GET backend', { ...base, methods: ['POST'], backends: [{ url: USERS }, { url: ORDERS, method: 'GET' }] }],
    ['a JWT route with a rate limit', { ...base, authPolicy: 'iam', rateLimit: 'per-user', backends: two }],
  ])('%s', (_, route) => {
    expect(
      problems(route, {
        authPolicies: [{ name: 'iam', type: 'jwt', iamEndpoint: 'https://hanzo.id', jwksUrl: 'https://hanzo.id/.well-known/jwks' }],
        rateLimits: [{ name: 'per-user', maxRate: 10, every: '1m' }],
      }),
    ).toEqual([]);
  });
});

describe('composed routes are refused at their path with the fix', () => {
  test.each<[string, Record<string, unknown>, string[]]>([
    [
      'backend beside backends',
      { ...base, backend: USERS, backends: two },
      ['spec.routes[1].backends: must not be set beside backend — a route proxies one backend or composes several; remove one of them'],
    ],
    [
      'neither backend nor backends',
      { prefix: '/v1/me' },
      [
        'spec.routes[1].backend: must be a non-empty string (got nothing) — e.g. http://chat.hanzo.svc:80, list backends to compose several, or pubsub for a messaging route',
      ],
    ],
    [
      'one backend',
      { ...base, backends: [{ url: USERS }] },
      ['spec.routes[1].backends: must list at least 2 backends (got 1) — for one, use backend instead'],
    ],
    [
      'nine backends',
      { ...base, backends: Array.from({ length: 9 }, (_, i) => ({ url: `${ORDERS}/${i}`, group: `g${i}` })) },
      ['spec.routes[1].backends: has 9 entries, more than the 8 allowed — split it over several Gateways'],
    ],
    [
      'a prefix route',
      { prefix: '/v1/me', backends: two },
      [
        'spec.routes[1].exact: must be true on a route with backends (got undefined) — a composed route answers its prefix path alone: ' +
          'the backends are called at the URLs given, with no request path to append; add exact: true',
      ],
    ],
    [
      'stripPrefix',
      { ...base, stripPrefix: true, backends: two },
      ['spec.routes[1].stripPrefix: has no effect on a route with backends, which calls each backend at its url as written — remove it'],
    ],
    [
      'no-op',
      { ...base, encoding: 'no-op', backends: two },
      [
        'spec.routes[1].encoding: must not be no-op on a route with backends — KrakenD refuses no-op beside more than one backend ' +
          '(lura config/config.go): the answers are decoded to be merged; remove it for json, or name another decoding encoding',
      ],
    ],
    [
      'no-op on one backend',
      { ...base, backends: [{ url: USERS, encoding: 'no-op' }, { url: ORDERS }] },
      [
        'spec.routes[1].backends[0].encoding: must be one of json, safejson, xml, rss, string (got "no-op") — ' +
          'a merged answer needs every backend decoded; remove it, or use json',
      ],
    ],
    [
      "the route's isCollection",
      { ...base, isCollection: true, backends: two },
      ['spec.routes[1].isCollection: is set per backend on a route with backends — move it to backends[N].isCollection'],
    ],
    [
      'json-collection',
      { ...base, outputEncoding: 'json-collection', backends: two },
      ["spec.routes[1].outputEncoding: json-collection answers one backend's collection, not a merged object — use json, xml, yaml or negotiate"],
    ],
    [
      'streaming',
      { ...base, streaming: true, backends: two },
      [
        'spec.routes[1].streaming: streams one backend through the stream proxy, and the route composes several — remove one of them',
        // The streaming checks refuse an exact streaming route on their own.
        'spec.routes[1].streaming: must not be set on an exact route: a stream is served for its prefix and the paths below (got true) — ' +
          'remove exact, or streaming',
      ],
    ],
    [
      'cache',
      { ...base, cache: true, backends: two },
      ["spec.routes[1].cache: would keep one cache per backend, beyond the cached endpoints' memory bound — cache the backends' own routes instead"],
    ],
    [
      'two backends in one group',
      {
        ...base,
        backends: [
          { url: USERS, group: 'user' },
          { url: ORDERS, group: 'user' },
        ],
      },
      [
        'spec.routes[1].backends[1].group: "user" is already the group of backends[0] — the answers would overwrite each other under one key ' +
          '(whichever arrives last wins); give each backend its own group',
      ],
    ],
    [
      'allow and deny together',
      { ...base, backends: [{ url: USERS, allow: ['id'], deny: ['password'] }, { url: ORDERS }] },
      [
        'spec.routes[1].backends[0].deny: must not be set beside allow — KrakenD then applies allow alone (lura proxy/formatter.go); ' +
          'keep one of them',
      ],
    ],
    [
      'an empty allow list and a bad field name',
      {
        ...base,
        backends: [
          { url: USERS, allow: [] },
          { url: ORDERS, deny: ['a..b'] },
        ],
      },
      [
        'spec.routes[1].backends[0].allow: must list at least one field — remove it to keep every field',
        'spec.routes[1].backends[1].deny[0]: must be a field name of letters, digits and _ @ $ -, ' +
          'with \'.\' between the names of nested fields (got "a..b")',
      ],
    ],
    [
      'a mapping to a dotted name, and two fields mapped to one',
      {
        ...base,
        backends: [
          { url: USERS, mapping: { a: 'x.y' } },
          { url: ORDERS, mapping: { a: 'same', b: 'same' } },
        ],
      },
      [
        'spec.routes[1].backends[0].mapping.a: must be a field name of letters, digits and _ @ $ - (got "x.y")',
        'spec.routes[1].backends[1].mapping.b: renames to "same", as "a" does — KrakenD would keep one of them at random; give each its own name',
      ],
    ],
    [
      'a collection read by rss',
      { ...base, backends: [{ url: USERS, isCollection: true, encoding: 'rss' }, { url: ORDERS }] },
      [
        'spec.routes[1].backends[0].isCollection: needs encoding json or xml to read the answer as a collection (got encoding "rss") — ' +
          'set encoding, or remove it',
      ],
    ],
    [
      'an unknown field and method',
      {
        ...base,
        backends: [
          { url: USERS, methd: 'GET' },
          { url: ORDERS, method: 'HEAD' },
        ],
      },
      [
        expect.stringMatching(/^spec\.routes\[1\]\.backends\[0\]\.methd: unknown field — /) as unknown as string,
        'spec.routes[1].backends[1].method: must be one of GET, POST, PUT, PATCH, DELETE (got "HEAD")',
      ],
    ],
    [
      'a bad URL, with the backend grammar',
      { ...base, backends: [{ url: 'http://users.hanzo.svc:80/a?b=1' }, { url: 'http://{resp0_host}/x' }] },
      [
        'spec.routes[1].backends[0].url: must not have a query string (got "http://users.hanzo.svc:80/a?b=1") — ' +
          "KrakenD forwards the client's query string; a fixed one cannot be added here",
        'spec.routes[1].backends[1].url: must hold {respN_field} in its path only (got "http://{resp0_host}/x") — ' +
          'the host and port are fixed; put the reference after them',
      ],
    ],
    [
      'a reference without sequential',
      { ...base, backends: [{ url: USERS }, { url: `${ORDERS}/{resp0_id}` }] },
      [
        'spec.routes[1].backends[1].url: holds {resp0_id}, which only a sequential route fills with an earlier answer ' +
          '(got "http://orders.hanzo.svc:80/orders/{resp0_id}") — set sequential: true on the route',
      ],
    ],
    [
      'a reference to the backend itself and to a later one',
      { ...base, sequential: true, backends: [{ url: `${USERS}/{resp1_id}` }, { url: `${ORDERS}/{resp1_id}` }] },
      [
        'spec.routes[1].backends[0].url: {resp1_id} names backends[1], which is not called before this one ' +
          '(got "http://users.hanzo.svc:80/users/me/{resp1_id}") — the first backend can use no answer; move the reference to a later backend',
        'spec.routes[1].backends[1].url: {resp1_id} names backends[1], which is not called before this one ' +
          '(got "http://orders.hanzo.svc:80/orders/{resp1_id}") — reference resp0 to resp0',
      ],
    ],
    [
      'a reference outside the earlier backend’s group',
      { ...base, sequential: true, backends: [{ url: USERS, group: 'user' }, { url: `${ORDERS}/{resp0_id}` }] },
      [
        'spec.routes[1].backends[1].url: {resp0_id} reads backends[0]\'s answer, which is merged under its group "user" ' +
          '(got "http://orders.hanzo.svc:80/orders/{resp0_id}") — write {resp0_user.id}',
      ],
    ],
    [
      'any other braces',
      { ...base, sequential: true, backends: [{ url: USERS }, { url: `${ORDERS}/{id}` }] },
      [
        'spec.routes[1].backends[1].url: base path must not contain "{" (got "http://orders.hanzo.svc:80/orders/{id}") — ' +
          'KrakenD would read it as a parameter missing from the endpoint and refuse the config',
      ],
    ],
    [
      'sequential without backends',
      { prefix: '/v1/me', backend: USERS, sequential: true },
      ['spec.routes[1].sequential: orders the calls of backends, and the route has none — list backends, or remove it'],
    ],
    [
      'two POST backends',
      { ...base, methods: ['POST'], backends: [{ url: USERS }, { url: ORDERS }] },
      [
        'spec.routes[1].backends[1]: POST "/v1/me" would send POST to backends[0] and POST to backends[1] — a partial answer is a 200, ' +
          'and a client that retries it repeats every call; give at most one backend a non-idempotent method (method: GET on the others)',
      ],
    ],
    [
      'a GET route calling two PATCH backends',
      {
        ...base,
        backends: [
          { url: USERS, method: 'PATCH' },
          { url: ORDERS, method: 'POST' },
        ],
      },
      [
        'spec.routes[1].backends[1].method: GET "/v1/me" would send PATCH to backends[0] and POST to backends[1] — a partial answer is a 200, ' +
          'and a client that retries it repeats every call; give at most one backend a non-idempotent method (method: GET on the others)',
      ],
    ],
    [
      'a link-local backend without the opt-in',
      { ...base, backends: [{ url: USERS }, { url: 'http://169.254.169.254/latest' }] },
      [
        'spec.routes[1].backends[1].url: is a link-local address (got "http://169.254.169.254") — 169.254.0.0/16 and fe80::/10 hold the ' +
          "cloud metadata endpoints (169.254.169.254, ECS's 169.254.170.2) and the node's credentials; use another host, or set " +
          'allowLinkLocal: true beside backends[1].url if this is meant',
      ],
    ],
    [
      'the opt-in with no link-local backend',
      { ...base, allowLinkLocal: true, backends: two },
      [
        'spec.routes[1].allowLinkLocal: allows nothing: none of backends[0].url, backends[1].url is link-local ' +
          '(got "http://users.hanzo.svc:80") — remove it',
      ],
    ],
  ])('%s', (_, route, expected) => {
    expect(problems(route)).toEqual(expected);
  });

  test("a backend that is the gateway's own Service, by the gateway's name", () => {
    const backends = [{ url: 'http://127.0.0.1:8080/x' }, { url: 'http://edge.hanzo.svc:80/x' }];
    const found = selfReferenceProblems('edge', 'hanzo', { routes: [{ ...base, backends }] });
    expect(found.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'spec.routes[0].backends[0].url: is this gateway\'s own port on loopback (got "http://127.0.0.1:8080/x") — ' +
        'KrakenD listens on 8080 and would call itself; a sidecar on loopback needs another port',
      'spec.routes[0].backends[1].url: is this gateway\'s own Service (got "http://edge.hanzo.svc:80/x") — ' +
        'KrakenD would proxy every request to itself; name the backend Service',
    ]);
  });

  test("a protected composed route guards the path of each backend, its second one's too", () => {
    // GIVEN a public /v1 route on the chat server, and a JWT composed route whose second backend is that server's /v1/admin
    const found = lines({
      authPolicies: [{ name: 'iam', type: 'jwt', iamEndpoint: 'https://hanzo.id', jwksUrl: 'https://hanzo.id/.well-known/jwks' }],
      routes: [
        { prefix: '/v1', backend: 'http://chat.hanzo.svc:80', methods: ['GET', 'DELETE'] },
        { prefix: '/v1/admin', exact: true, authPolicy: 'iam', backends: [{ url: USERS }, { url: 'http://chat.hanzo.svc:80/v1/admin' }] },
      ],
    });
    // THEN DELETE /v1/admin would reach that path through the public route without a token
    expect(found).toEqual([
      expect.stringMatching(
        /^spec\.routes\[1\]\.methods: does not route DELETE, which spec\.routes\[0\] \(\/v1, public\) then serves for \/v1\/admin/,
      ),
    ]);
  });

  test('an external backend must be covered by allowedEgressCIDRs under a NetworkPolicy, at its own path', () => {
    const found = problems({ ...base, backends: [{ url: USERS }, { url: 'http://203.0.113.9:8080/x' }] }, { networkPolicy: { enabled: true } });
    expect(found).toEqual([expect.stringMatching(/^spec\.routes\[1\]\.backends\[1\]\.url: /)]);
  });
});

describe('what a composed route renders', () => {
  test('one endpoint with one backend entry each, decoded as json, with KrakenD’s merge keys; sequential on the endpoint', () => {
    const config = renderKrakendConfig({
      routes: [
        {
          prefix: '/v1/me',
          exact: true,
          sequential: true,
          timeout: '5s',
          backends: [
            { url: USERS, group: 'user', deny: ['password'] },
            { url: `${ORDERS}/{resp0_user.id}`, method: 'GET', target: 'data', mapping: { n: 'count' }, allow: ['n'] },
            { url: 'http://feed.hanzo.svc', encoding: 'xml', isCollection: true },
          ],
        },
      ],
    });
    expect(config.endpoints).toEqual([
      {
        endpoint: '/v1/me',
        timeout: '5s',
        output_encoding: 'json',
        input_headers: ['Accept', 'Authorization', 'Content-Type'],
        input_query_strings: ['*'],
        backend: [
          { host: ['http://users.hanzo.svc:80'], url_pattern: '/users/me', encoding: 'json', deny: ['password'], group: 'user' },
          {
            host: ['http://orders.hanzo.svc:80'],
            url_pattern: '/orders/{resp0_user.id}',
            method: 'GET',
            encoding: 'json',
            target: 'data',
            allow: ['n'],
            mapping: { n: 'count' },
          },
          { host: ['http://feed.hanzo.svc'], url_pattern: '/', encoding: 'xml', is_collection: true },
        ],
        extra_config: { proxy: { sequential: true } },
      },
    ]);
  });

  test('a backend outside the cluster gets its own martian block, and the endpoint then forwards no Authorization', () => {
    const config = renderKrakendConfig({ routes: [{ ...base, backends: [{ url: USERS }, { url: 'https://api.example.com/v2' }] }] });
    const [endpoint] = config.endpoints;
    expect(endpoint.input_headers).toEqual(['Accept', 'Content-Type']);
    expect(endpoint.backend.map((b) => b.extra_config)).toEqual([
      undefined,
      { 'modifier/martian': { 'header.Blacklist': { scope: ['request', 'response'], names: ['Connection', 'Keep-Alive', 'User-Agent'] } } },
    ]);
  });

  test('the NetworkPolicy opens egress to every backend of a composed route', () => {
    const spec = resolveSpec({
      routes: [{ ...base, backends: [{ url: USERS }, { url: 'http://billing.payments.svc:9000/x' }, { url: 'http://10.1.2.3:8443/y' }] }],
      networkPolicy: { enabled: true, allowedEgressCIDRs: ['10.1.2.0/24'] },
    });
    const policy = renderNetworkPolicy('gateway', {}, spec, spec.networkPolicy!, undefined);
    const tcp = (port: number) => ({ protocol: 'TCP', port: { value: port } });
    // After the DNS rule: users in hanzo on 80, billing in payments on 9000, the address outside on 8443.
    expect(JSON.parse(JSON.stringify(policy.spec?.egress)).slice(1)).toEqual([
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'hanzo' } } }], ports: [tcp(80)] },
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'payments' } } }], ports: [tcp(9000)] },
      { to: [{ ipBlock: { cidr: '10.1.2.0/24' } }], ports: [tcp(8443)] },
    ]);
  });
});

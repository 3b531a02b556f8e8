/**
 * The krakend.json renderer, one block per KrakenD CE fact it relies on (each named with its upstream
 * source; docs/design.md tells them in full). Expected values are written out by hand; every config
 * rendered here must also pass KrakenD's schema and CE rules, and the routing claims are replayed in
 * a real gin router when the shared tools are installed.
 */
import {
  AuthPolicySpec,
  GatewaySpec,
  GatewayValidationError,
  KrakendConfig,
  KrakendEndpoint,
  RateLimitSpec,
  RouteSpec,
  renderKrakendConfig,
} from '../../lib';
import { buildKrakendConfig, serializeKrakendConfig } from '../../lib/krakend/render';
import { clientIpReplay, expectRouting, renderConformant as render, skipNotice } from '../support/conformance';
import { resolveSpec } from '../../lib/resolve';

const CHAT = 'http://chat.hanzo.svc:80';
const IAM: AuthPolicySpec = { name: 'iam', type: 'jwt', iamEndpoint: 'https://hanzo.id', jwksUrl: 'https://hanzo.id/.well-known/jwks' };

/** A spec of the given routes that can refer to the auth policy `iam` and to `limits`. */
function gateway(routes: RouteSpec[], extra: Partial<GatewaySpec> = {}, limits: RateLimitSpec[] = []): GatewaySpec {
  return { authPolicies: [IAM], rateLimits: limits, ...extra, routes };
}

const methodOf = (e: KrakendEndpoint) => e.method ?? 'GET';
const paths = (config: KrakendConfig) => config.endpoints.map((e) => e.endpoint);
const segments = (path: string) => (path === '/' ? [] : path.slice(1).split('/'));
const paramsOf = (text: string) => [...text.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]);

// A spec with nested prefixes, both stripPrefix forms, a base path, JWT and public routes.
const NESTED = gateway(
  [
    { prefix: '/', backend: 'http://web.hanzo.svc:8080', methods: ['GET'] },
    { prefix: '/v1', backend: 'http://cloud-api.hanzo.svc:80/api', methods: ['GET', 'POST'], stripPrefix: true },
    { prefix: '/v1/chat', backend: CHAT, methods: ['POST'], authPolicy: 'iam' },
    { prefix: '/v1/chat/completions', backend: 'https://llm.hanzo.svc', methods: ['POST', 'DELETE'], authPolicy: 'iam', stripPrefix: true },
    { prefix: '/auth', backend: 'http://iam.hanzo.svc:8000/api', methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], stripPrefix: true },
  ],
  { prefixDepth: 3 },
);

describe('version 3, port, timeouts (lura config/config.go: a 2s default timeout)', () => {
  test('version 3 on port 8080 with a 120s service timeout by default (KrakenD defaults to 2s)', () => {
    const config = render(gateway([{ prefix: '/v1', backend: CHAT }]));
    expect(config).toMatchObject({ version: 3, port: 8080, timeout: '120s' });
    expect(config.endpoints.every((e) => e.timeout === undefined)).toBe(true);
  });

  test('spec.timeout sets the service timeout', () => {
    expect(render(gateway([{ prefix: '/v1', backend: CHAT }], { timeout: '5m' })).timeout).toBe('5m');
  });

  test("a route's timeout overrides it on every endpoint of that route only", () => {
    const config = render(
      gateway([
        { prefix: '/v1/chat', backend: CHAT, methods: ['GET', 'POST'], timeout: '10m' },
        { prefix: '/v1/models', backend: CHAT },
      ]),
    );
    const chat = config.endpoints.filter((e) => e.endpoint.startsWith('/v1/chat'));
    const models = config.endpoints.filter((e) => e.endpoint.startsWith('/v1/models'));
    expect(chat).toHaveLength(10);
    expect(chat.map((e) => e.timeout)).toEqual(Array(10).fill('10m'));
    expect(models.map((e) => e.timeout)).toEqual(Array(5).fill(undefined));
    expect(config.timeout).toBe('120s');
  });
});

describe('one method per endpoint (lura config/config.go)', () => {
  test('a route with N methods gives N endpoints per path, each with one string method', () => {
    const config = render(gateway([{ prefix: '/v1/chat', backend: CHAT, methods: ['GET', 'POST', 'DELETE'] }], { prefixDepth: 1 }));
    const pairs = config.endpoints.map((e) => `${methodOf(e)} ${e.endpoint}`).sort();
    expect(pairs).toEqual(['DELETE /v1/chat', 'DELETE /v1/chat/{p2}', 'GET /v1/chat', 'GET /v1/chat/{p2}', 'POST /v1/chat', 'POST /v1/chat/{p2}']);
    for (const e of config.endpoints) expect(e.method === undefined || typeof e.method === 'string').toBe(true);
  });

  test('methods default to GET, and a repeated method gives one endpoint', () => {
    expect(render(gateway([{ prefix: '/v1', backend: CHAT }], { prefixDepth: 0 })).endpoints.map(methodOf)).toEqual(['GET']);
    expect(render(gateway([{ prefix: '/v1', backend: CHAT, methods: ['POST', 'POST'] }], { prefixDepth: 0 })).endpoints.map(methodOf)).toEqual([
      'POST',
    ]);
  });

  test('gin routes each method to its endpoint and refuses the others with 404', () => {
    const config = render(gateway([{ prefix: '/v1/chat', backend: CHAT, methods: ['POST', 'PUT'] }]));
    expectRouting(config, [
      `POST /v1/chat/completions ${CHAT}/v1/chat/completions`,
      `PUT /v1/chat/x ${CHAT}/v1/chat/x`,
      'GET /v1/chat/completions 404',
      'DELETE /v1/chat 404',
      'PATCH /v1/chat/x 404',
    ]);
  });
});

describe('prefix routing by expansion (wildcard endpoints are Enterprise-only)', () => {
  test('the default depth serves the prefix and 4 segments below it', () => {
    const config = render(gateway([{ prefix: '/v1/chat', backend: CHAT }]));
    expect(paths(config)).toEqual(['/v1/chat', '/v1/chat/{p2}', '/v1/chat/{p2}/{p3}', '/v1/chat/{p2}/{p3}/{p4}', '/v1/chat/{p2}/{p3}/{p4}/{p5}']);
    expectRouting(config, [
      `GET /v1/chat ${CHAT}/v1/chat`,
      `GET /v1/chat/a ${CHAT}/v1/chat/a`,
      `GET /v1/chat/a/b/c/d ${CHAT}/v1/chat/a/b/c/d`,
      'GET /v1/chat/a/b/c/d/e 404',
      'GET /v1/chatty 404',
      'GET /v1 404',
    ]);
  });

  test('prefixDepth sets how many segments below a prefix are served', () => {
    expect(paths(render(gateway([{ prefix: '/v1/chat', backend: CHAT }], { prefixDepth: 0 })))).toEqual(['/v1/chat']);
    const deep = render(gateway([{ prefix: '/v1/chat', backend: CHAT }], { prefixDepth: 6 }));
    expect(paths(deep)).toHaveLength(7);
    expect(paths(deep)[6]).toBe('/v1/chat/{p2}/{p3}/{p4}/{p5}/{p6}/{p7}');
    expectRouting(deep, [`GET /v1/chat/1/2/3/4/5/6 ${CHAT}/v1/chat/1/2/3/4/5/6`, 'GET /v1/chat/1/2/3/4/5/6/7 404']);
  });

  test('the root prefix serves / and the segments below it, without a wildcard', () => {
    const config = render(gateway([{ prefix: '/', backend: CHAT }], { prefixDepth: 2 }));
    expect(paths(config)).toEqual(['/', '/{p0}', '/{p0}/{p1}']);
    expectRouting(config, [`GET / ${CHAT}/`, `GET /a/b ${CHAT}/a/b`, 'GET /a/b/c 404', 'GET /__health health']);
  });
});

describe('parameter names never clash in gin (gin tree.go panics at start on a clash)', () => {
  test('every parameter is named by its absolute segment position, across nested prefixes', () => {
    const config = render(NESTED);
    const named = config.endpoints.flatMap((e) => segments(e.endpoint).flatMap((s, i) => (s.startsWith('{') ? [{ position: i, name: s }] : [])));
    expect(named.length).toBeGreaterThan(0);
    for (const { position, name } of named) expect(name).toBe(`{p${position}}`);
  });

  test('no method and path is registered twice', () => {
    const pairs = render(NESTED).endpoints.map((e) => `${methodOf(e)} ${e.endpoint}`);
    expect(new Set(pairs).size).toBe(pairs.length);
  });

  test('gin loads nested prefixes and the longest prefix accepting the method wins', () => {
    expectRouting(render(NESTED), [
      'GET / http://web.hanzo.svc:8080/',
      'GET /v2/x http://web.hanzo.svc:8080/v2/x',
      'GET /v1/models http://cloud-api.hanzo.svc:80/api/models',
      'POST /v1/chat http://chat.hanzo.svc:80/v1/chat',
      'POST /v1/chat/x/y http://chat.hanzo.svc:80/v1/chat/x/y',
      // /v1/chat takes POST only, so GET stays with /v1.
      'GET /v1/chat/x http://cloud-api.hanzo.svc:80/api/chat/x',
      'POST /v1/chat/completions https://llm.hanzo.svc/',
      'DELETE /v1/chat/completions/abc https://llm.hanzo.svc/abc',
      'DELETE /v1/chat 404',
      'POST /v1/chatty http://cloud-api.hanzo.svc:80/api/chatty',
      'PATCH /auth/users/1 http://iam.hanzo.svc:8000/api/users/1',
      'GET /authx http://web.hanzo.svc:8080/authx',
      'GET /__health health',
    ]);
  });
});

describe("forbidden characters and paths (lura config/config.go, KrakenD's endpoint schema)", () => {
  const FORBIDDEN = /[*?&%:]|(^|\/)__(health|debug|echo)(\/|$)/;

  test('no endpoint contains * ? & % or lives under /__health, /__debug, /__echo', () => {
    for (const e of render(NESTED).endpoints) expect(e.endpoint).not.toMatch(FORBIDDEN);
  });

  test.each(['/__health', '/__debug/x', '/v1/*', '/v1?x', '/a&b', '/a%20b'])('prefix %s is refused before rendering', (prefix) => {
    expect(() => renderKrakendConfig(gateway([{ prefix, backend: CHAT }]))).toThrow(/spec\.routes\[0\]\.prefix: /);
  });

  // lura refuses /__health, /__debug and /__echo anywhere in an endpoint path, not only at its start.
  test.each(['/v1/__health', '/v1/__debug', '/api/__echo/x'])('a nested reserved segment (%s) is refused before rendering', (prefix) => {
    expect(() => renderKrakendConfig(gateway([{ prefix, backend: CHAT }]))).toThrow(/spec\.routes\[0\]\.prefix: /);
  });

  // gin reads ':' as the start of a parameter: `/a:b` would route `/azzz`, `/v1/:x` clashes with {p1}.
  test.each(['/v1/:model', '/a:b'])('a prefix with gin parameter syntax (%s) is refused before rendering', (prefix) => {
    expect(() => renderKrakendConfig(gateway([{ prefix, backend: CHAT }]))).toThrow(/spec\.routes\[0\]\.prefix: /);
  });
});

describe('backend host and base path (lura config/uri.go)', () => {
  const HOST = /^https?:\/\/[A-Za-z0-9._-]+(:[0-9]{2,5})?$/;

  test('host is scheme://host[:port] only, and the base path goes into url_pattern', () => {
    const config = render(NESTED);
    for (const e of config.endpoints) {
      expect(e.backend).toHaveLength(1);
      expect(e.backend[0].host).toHaveLength(1);
      expect(e.backend[0].host[0]).toMatch(HOST);
    }
    const auth = config.endpoints.filter((e) => e.endpoint.startsWith('/auth'));
    expect(new Set(auth.map((e) => e.backend[0].host[0]))).toEqual(new Set(['http://iam.hanzo.svc:8000']));
  });

  test('the stripPrefix example: /auth/login reaches http://iam.hanzo.svc:8000/api/login with stripPrefix', () => {
    const config = render(
      gateway([{ prefix: '/auth', backend: 'http://iam.hanzo.svc:8000/api', stripPrefix: true, methods: ['POST'] }], { prefixDepth: 1 }),
    );
    expect(config.endpoints.map((e) => [e.endpoint, e.backend[0].url_pattern])).toEqual([
      ['/auth', '/api'],
      ['/auth/{p1}', '/api/{p1}'],
    ]);
    expectRouting(config, ['POST /auth/login http://iam.hanzo.svc:8000/api/login', 'POST /auth http://iam.hanzo.svc:8000/api']);
  });

  test('without stripPrefix the whole path follows the base path; a trailing / on the backend is dropped', () => {
    const config = render(gateway([{ prefix: '/auth', backend: 'https://iam.hanzo.svc/api/' }], { prefixDepth: 1 }));
    expect(config.endpoints.map((e) => [e.backend[0].host[0], e.backend[0].url_pattern])).toEqual([
      ['https://iam.hanzo.svc', '/api/auth'],
      ['https://iam.hanzo.svc', '/api/auth/{p1}'],
    ]);
  });

  test('stripPrefix without a base path sends the prefix itself to /', () => {
    const config = render(gateway([{ prefix: '/v1/chat', backend: CHAT, stripPrefix: true }], { prefixDepth: 1 }));
    expect(config.endpoints.map((e) => e.backend[0].url_pattern)).toEqual(['/', '/{p2}']);
    expectRouting(config, [`GET /v1/chat ${CHAT}/`, `GET /v1/chat/x ${CHAT}/x`]);
  });
});

describe('url_pattern parameters (lura config/config.go)', () => {
  test('every {param} of a url_pattern is in its endpoint', () => {
    const config = render(NESTED);
    for (const e of config.endpoints) {
      const available = new Set(paramsOf(e.endpoint));
      for (const p of paramsOf(e.backend[0].url_pattern)) expect(available).toContain(p);
    }
    expect(config.endpoints.some((e) => paramsOf(e.backend[0].url_pattern).length > 0)).toBe(true);
  });
});

describe('no-op proxying (lura router/gin/render.go, config/config.go)', () => {
  test('every endpoint and its one backend proxy with no-op encoding', () => {
    const config = render(NESTED);
    // As plain JSON: what KrakenD reads, with the encodings it defaults.
    const json = JSON.parse(serializeKrakendConfig(config)) as {
      output_encoding?: string;
      endpoints: Array<{ output_encoding?: string; backend: Array<{ encoding?: string }> }>;
    };
    for (const e of json.endpoints) {
      const output = e.output_encoding ?? json.output_encoding;
      expect(output).toBe('no-op');
      expect(e.backend).toHaveLength(1);
      // lura sets a backend's encoding to no-op whenever its endpoint's output_encoding is no-op.
      expect(e.backend[0].encoding ?? 'no-op').toBe('no-op');
    }
  });
});

describe('headers and query strings (lura transport/http/server/server.go)', () => {
  test('a public route forwards exactly Accept, Authorization and Content-Type', () => {
    const config = render(gateway([{ prefix: '/v1', backend: CHAT }]));
    for (const e of config.endpoints) expect(e.input_headers).toEqual(['Accept', 'Authorization', 'Content-Type']);
  });

  test("a route's inputHeaders are added, once each whatever their case", () => {
    const config = render(gateway([{ prefix: '/v1', backend: CHAT, inputHeaders: ['User-Agent', 'X-Request-Id', 'content-type'] }]));
    expect(config.endpoints[0].input_headers).toEqual(['Accept', 'Authorization', 'Content-Type', 'User-Agent', 'X-Request-Id']);
  });

  test('X-User-Id and X-Org-Id are forwarded on JWT routes only, never "*"', () => {
    const config = render(NESTED);
    for (const e of config.endpoints) {
      const jwt = e.extra_config?.['auth/validator'] !== undefined;
      const lower = e.input_headers.map((h) => h.toLowerCase());
      expect(lower).not.toContain('*');
      expect(lower).toContain('content-type');
      expect(lower.includes('x-user-id')).toBe(jwt);
      expect(lower.includes('x-org-id')).toBe(jwt);
    }
    expect(config.endpoints.filter((e) => e.extra_config?.['auth/validator']).length).toBe(12);
  });

  test('a JWT route that lists x-user-id itself forwards it once', () => {
    const config = render(gateway([{ prefix: '/v1', backend: CHAT, authPolicy: 'iam', inputHeaders: ['x-user-id'] }], { prefixDepth: 0 }));
    expect(config.endpoints[0].input_headers.map((h) => h.toLowerCase())).toEqual([
      'accept',
      'authorization',
      'content-type',
      'x-org-id',
      'x-user-id',
    ]);
  });

  test('a JWT route forwards its own inputHeaders besides the defaults and the identity headers', () => {
    const config = render(
      gateway([{ prefix: '/v1', backend: CHAT, authPolicy: 'iam', inputHeaders: ['User-Agent', 'X-Request-Id'] }], { prefixDepth: 0 }),
    );
    expect(config.endpoints[0].input_headers).toEqual([
      'Accept',
      'Authorization',
      'Content-Type',
      'User-Agent',
      'X-Org-Id',
      'X-Request-Id',
      'X-User-Id',
    ]);
  });

  describe('Authorization reaches backends in the cluster only, unless a route lists it', () => {
    const headersOf = (route: RouteSpec) => render(gateway([route], { prefixDepth: 0 })).endpoints[0].input_headers;

    const IN_CLUSTER = ['http://chat.hanzo.svc:80', 'https://chat.hanzo.svc.cluster.local/api', 'http://chat:8000'];
    const OUTSIDE = ['https://api.openai.com/v1', 'http://203.0.113.7:8080', 'http://chat.hanzo:80'];

    test.each(IN_CLUSTER)('a public route to %s forwards it (API-key backends read it)', (backend) => {
      expect(headersOf({ prefix: '/v1', backend })).toEqual(['Accept', 'Authorization', 'Content-Type']);
    });

    test.each(OUTSIDE)('a route to %s, outside the cluster, does not', (backend) => {
      expect(headersOf({ prefix: '/v1', backend })).toEqual(['Accept', 'Content-Type']);
    });

    test('a JWT route to an outside backend validates the token at the gateway but does not pass it on', () => {
      const config = render(gateway([{ prefix: '/v1', backend: 'https://api.openai.com/v1', authPolicy: 'iam' }], { prefixDepth: 0 }));
      expect(config.endpoints[0].input_headers).toEqual(['Accept', 'Content-Type', 'X-Org-Id', 'X-User-Id']);
      expect(config.endpoints[0].extra_config?.['auth/validator']).toMatchObject({ jwk_url: IAM.jwksUrl, issuer: IAM.iamEndpoint });
    });

    test.each(['Authorization', 'authorization'])('a route to an outside backend opts in by listing %s in inputHeaders', (header) => {
      const headers = headersOf({ prefix: '/v1', backend: 'https://api.partner.example', inputHeaders: [header, 'User-Agent'] });
      expect(headers).toEqual(['Accept', header, 'Content-Type', 'User-Agent']);
    });
  });

  test('all query strings are forwarded', () => {
    for (const e of render(NESTED).endpoints) expect(e.input_query_strings).toEqual(['*']);
  });
});

describe('JWT validation (krakend-jose jws.go)', () => {
  const jwtOf = (spec: GatewaySpec) => render(spec).endpoints.map((e) => e.extra_config?.['auth/validator']);

  test('RS256 against the key set, issuer pinned, key set cached 900s, unknown key ids refused 10s, sub and owner propagated', () => {
    const blocks = jwtOf(gateway([{ prefix: '/v1/chat', backend: CHAT, authPolicy: 'iam', methods: ['GET', 'POST'] }]));
    expect(blocks).toHaveLength(10);
    for (const block of blocks) {
      const { cache_duration: cacheDuration, ...rest } = block ?? { cache_duration: undefined };
      // krakend-jose caches the key set for 900 s when cache is on and cache_duration is unset.
      expect(cacheDuration ?? 900).toBe(900);
      expect(rest).toEqual({
        alg: 'RS256',
        jwk_url: 'https://hanzo.id/.well-known/jwks',
        issuer: 'https://hanzo.id',
        cache: true,
        failed_jwk_key_cooldown: '10s',
        propagate_claims: [
          ['sub', 'X-User-Id'],
          ['owner', 'X-Org-Id'],
        ],
      });
    }
  });

  test('claims, audience and cache duration are configurable', () => {
    const policy: AuthPolicySpec = { ...IAM, audience: ['api.hanzo.ai', 'chat'], userIdClaim: 'uid', orgIdClaim: 'org', cacheDuration: 60 };
    const [block] = jwtOf(gateway([{ prefix: '/v1', backend: CHAT, authPolicy: 'iam' }], { authPolicies: [policy], prefixDepth: 0 }));
    expect(block).toMatchObject({
      audience: ['api.hanzo.ai', 'chat'],
      cache_duration: 60,
      propagate_claims: [
        ['uid', 'X-User-Id'],
        ['org', 'X-Org-Id'],
      ],
    });
  });

  test('disable_jwk_security only for an http key set', () => {
    const http: AuthPolicySpec = { ...IAM, jwksUrl: 'http://iam.hanzo.svc:8000/jwks', allowInsecureJwks: true };
    const [insecure] = jwtOf(gateway([{ prefix: '/v1', backend: CHAT, authPolicy: 'iam' }], { authPolicies: [http], prefixDepth: 0 }));
    expect(insecure).toMatchObject({ jwk_url: 'http://iam.hanzo.svc:8000/jwks', disable_jwk_security: true });
    const https: AuthPolicySpec = { ...IAM, allowInsecureJwks: true };
    const [secure] = jwtOf(gateway([{ prefix: '/v1', backend: CHAT, authPolicy: 'iam' }], { authPolicies: [https], prefixDepth: 0 }));
    expect(secure).not.toHaveProperty('disable_jwk_security');
  });

  test('public routes have no validator', () => {
    expect(jwtOf(gateway([{ prefix: '/v1', backend: CHAT }]))).toEqual(Array(5).fill(undefined));
  });
});

describe('rate limits (krakend-ratelimit router/gin/gin.go)', () => {
  const limitOf = (route: Partial<RouteSpec>, limit: RateLimitSpec) => {
    const config = render(gateway([{ prefix: '/v1', backend: CHAT, rateLimit: limit.name, ...route }], { prefixDepth: 1 }, [limit]));
    const blocks = config.endpoints.map((e) => e.extra_config?.['qos/ratelimit/router']);
    // Every endpoint of the route carries the same limit.
    expect(blocks).toHaveLength(2);
    expect(blocks[1]).toEqual(blocks[0]);
    return blocks[0];
  };

  test('on a JWT route the default counts per user through the X-User-Id header', () => {
    expect(limitOf({ authPolicy: 'iam' }, { name: 'l', maxRate: 100, every: '1m' })).toEqual({
      client_max_rate: 100,
      client_capacity: 100,
      strategy: 'header',
      key: 'X-User-Id',
      every: '1m',
      num_shards: 64,
    });
  });

  test('on a public route the default counts per client IP', () => {
    expect(limitOf({}, { name: 'l', maxRate: 5, every: '1s' })).toEqual({
      client_max_rate: 5,
      client_capacity: 5,
      strategy: 'ip',
      every: '1s',
      num_shards: 64,
    });
  });

  test('key ip on a JWT route counts per IP, with an explicit burst', () => {
    expect(limitOf({ authPolicy: 'iam' }, { name: 'l', maxRate: 10, every: '1h', key: 'ip', capacity: 50 })).toEqual({
      client_max_rate: 10,
      client_capacity: 50,
      strategy: 'ip',
      every: '1h',
      num_shards: 64,
    });
  });

  test('key global limits the whole endpoint with max_rate and capacity', () => {
    expect(limitOf({}, { name: 'l', maxRate: 1000, every: '1m', key: 'global', capacity: 2000 })).toEqual({
      max_rate: 1000,
      capacity: 2000,
      every: '1m',
    });
  });

  test('a route without rateLimit has no limiter', () => {
    expect(render(gateway([{ prefix: '/v1', backend: CHAT }])).endpoints.every((e) => e.extra_config === undefined)).toBe(true);
  });
});

describe('router flags (gin#2959, krakend-ce#1008, gin#4818)', () => {
  test('redirect_fixed_path and handle_method_not_allowed are disabled', () => {
    const { router, ...rest } = render(gateway([{ prefix: '/v1', backend: CHAT }])).extra_config;
    expect(Object.keys(rest)).toEqual(['telemetry/logging']);
    expect(router).toMatchObject({ disable_redirect_fixed_path: true, disable_handle_method_not_allowed: true });
  });

  test('requests that match nothing beside static and parameter nodes get 404, not a router panic', () => {
    const config = render(NESTED);
    expectRouting(config, [
      'GET /v1/chat/completions/a/b/c 404',
      'PUT /v1/chat 404',
      'GET /V1/CHAT http://web.hanzo.svc:8080/V1/CHAT',
      'POST /V1/x/y 404',
      'PATCH /v1/chat/completions/x 404',
      ...['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].flatMap((m) =>
        ['/v1/chat/', '/v1//chat', '/auth/a/b/c/d', '/v1/chatty/x/y/z', '/a/b/c/d/e', '/AUTH/x'].map((p) => `${m} ${p} any`),
      ),
    ]);
  });
});

describe('reviewable diffs', () => {
  const twoRoutes = (every: string) =>
    serializeKrakendConfig(
      buildKrakendConfig(
        resolveSpec({
          routes: [
            { prefix: '/v1/chat', backend: CHAT, methods: ['POST'], rateLimit: 'limit' },
            { prefix: '/v1/models', backend: CHAT },
          ],
          rateLimits: [{ name: 'limit', maxRate: 10, every }],
          prefixDepth: 2,
        }),
      ),
    );

  test('the service settings on the first line, then one endpoint per line, compact inside the line', () => {
    const lines = twoRoutes('1m').split('\n');
    expect(lines).toHaveLength(1 + 6 + 1);
    expect(lines[0]).toMatch(/^\{"version":3,"name":"gateway",.*"endpoints":\[$/);
    expect(lines.slice(1, -1).map((l) => JSON.parse(l.replace(/,$/, '')).endpoint)).toEqual([
      '/v1/chat',
      '/v1/chat/{p2}',
      '/v1/chat/{p2}/{p3}',
      '/v1/models',
      '/v1/models/{p2}',
      '/v1/models/{p2}/{p3}',
    ]);
    expect(lines[7]).toBe(']}');
    expect(lines.every((l) => !l.includes('  '))).toBe(true);
  });

  test("changing one route's rate limit changes exactly the lines of that route's endpoints", () => {
    const before = twoRoutes('1m').split('\n');
    const after = twoRoutes('1h').split('\n');
    const changed = before.map((l, i) => (l === after[i] ? -1 : i)).filter((i) => i >= 0);
    expect(changed).toEqual([1, 2, 3]);
  });
});

describe('purity and errors', () => {
  test('the same spec gives the same bytes, and the spec is not changed', () => {
    const spec = structuredClone(NESTED);
    const first = serializeKrakendConfig(buildKrakendConfig(resolveSpec(spec)));
    expect(serializeKrakendConfig(buildKrakendConfig(resolveSpec(structuredClone(NESTED))))).toBe(first);
    expect(spec).toEqual(NESTED);
    expect(JSON.parse(first)).toEqual(buildKrakendConfig(resolveSpec(NESTED)));
  });

  test('an invalid spec throws every problem with its path and renders nothing', () => {
    const spec = gateway([{ prefix: '/v1', backend: CHAT, rateLimit: 'per-usr', authPolicy: 'nope' }], {}, [
      { name: 'per-user', maxRate: 1, every: '1m' },
    ]);
    const attempt = () => renderKrakendConfig(spec);
    expect(attempt).toThrow(GatewayValidationError);
    expect(attempt).toThrow('spec.routes[0].rateLimit: unknown rate limit "per-usr" (defined: "per-user")');
    expect(attempt).toThrow('spec.routes[0].authPolicy: unknown auth policy "nope" (defined: "iam")');
  });
});

describe('client addresses for per-IP rate limits', () => {
  // gin trusts every sender's X-Forwarded-For unless trusted proxies are set: a client could then
  // pick a fresh address, and a fresh per-IP bucket, for every request.
  test('by default only the private ranges (in-cluster proxies), not the CGNAT/VPN range, may name the client, in X-Forwarded-For only', () => {
    expect(render(gateway([{ prefix: '/v1', backend: CHAT }])).extra_config.router).toEqual({
      disable_redirect_fixed_path: true,
      disable_handle_method_not_allowed: true,
      remove_extra_slash: true,
      hide_version_header: true,
      forwarded_by_client_ip: true,
      remote_ip_headers: ['X-Forwarded-For'],
      trusted_proxies: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
    });
  });

  test('trustedProxies replaces the list', () => {
    const config = render(
      gateway([{ prefix: '/v1', backend: CHAT }], { trustedProxies: ['10.244.0.0/16', '2001:db8::/32'], allowPublicTrustedProxies: true }),
    );
    expect(config.extra_config.router).toMatchObject({ forwarded_by_client_ip: true, trusted_proxies: ['10.244.0.0/16', '2001:db8::/32'] });
  });

  test("trustedProxies: [] turns forwarding off (lura would otherwise keep gin's trust-everyone default)", () => {
    const router = render(gateway([{ prefix: '/v1', backend: CHAT }], { trustedProxies: [] })).extra_config.router;
    expect(router.forwarded_by_client_ip).toBe(false);
    expect(router).not.toHaveProperty('trusted_proxies');
  });
});

describe('client addresses in a real gin engine (test/ginengine)', () => {
  const config = (trustedProxies?: string[]) =>
    renderKrakendConfig({ routes: [{ prefix: '/v1', backend: CHAT }], ...(trustedProxies ? { trustedProxies } : {}) });

  test('behind an in-cluster proxy the client is the address the proxy appended; a forged entry is ignored', () => {
    const failures = clientIpReplay(config(), [
      '10.244.1.7 6.6.6.6,203.0.113.9 203.0.113.9', // forged entry first, then what the ingress appended
      '10.244.1.7 6.6.6.6,203.0.113.9,10.244.3.3 203.0.113.9', // two proxies in the cluster
      '10.244.1.7 - 10.244.1.7',
      '203.0.113.50 6.6.6.6 203.0.113.50', // a client reaching the pod directly cannot pick its address
    ]);
    if (failures === undefined)
      return skipNotice('ginengine', 'go or gin sources not installed (apt-get install golang-go golang-github-gin-gonic-gin-dev)');
    expect(failures).toEqual([]);
  });

  test('with trustedProxies: [] the connection address is the client', () => {
    const failures = clientIpReplay(config([]), ['10.244.1.7 6.6.6.6 10.244.1.7']);
    if (failures === undefined) return skipNotice('ginengine', 'go or gin sources not installed');
    expect(failures).toEqual([]);
  });

  test('the replay is real: without the router options gin takes the forged address', () => {
    const failures = clientIpReplay({ extra_config: { router: {} } }, ['203.0.113.50 6.6.6.6 203.0.113.50']);
    if (failures === undefined) return skipNotice('ginengine', 'go or gin sources not installed');
    expect(failures).toHaveLength(1);
  });
});

describe('trailing slashes', () => {
  test('a path with a trailing slash is redirected to the route without it, never proxied', () => {
    const config = render(gateway([{ prefix: '/v1/chat', backend: CHAT, methods: ['GET', 'POST'] }]));
    expectRouting(config, ['GET /v1/chat/ 301', 'POST /v1/chat/ 307', 'GET /v1/chat/a/ 301', 'GET /v1/chat/a/b/c/d/e/ 404']);
  });
});

describe('the HTTP server: connection timeouts, version header and log level', () => {
  test('by default: 10s for headers, 90s idle, the whole request 130s (the 120s timeout + 10s), the response 120s, INFO to stdout', () => {
    const config = render(gateway([{ prefix: '/v1', backend: CHAT }]));
    expect(config).toMatchObject({ read_header_timeout: '10s', read_timeout: '130s', write_timeout: '120s', idle_timeout: '90s' });
    expect(config.extra_config['telemetry/logging']).toEqual({ level: 'INFO', prefix: '[KRAKEND]', stdout: true });
    expect(config.extra_config.router.hide_version_header).toBe(true);
  });

  test('read and write timeouts follow the longest request timeout, a route’s own included', () => {
    const routes = [
      { prefix: '/v1', backend: CHAT, timeout: '5m' },
      { prefix: '/v2', backend: CHAT, timeout: '1500ms' },
    ];
    expect(render(gateway(routes, { timeout: '30s' }))).toMatchObject({ read_timeout: '310s', write_timeout: '5m' });
    // 1.5 s rounds up to 2 s for reading; the response's deadline is the timeout itself.
    expect(render(gateway([routes[1]], { timeout: '1s' }))).toMatchObject({ read_timeout: '12s', write_timeout: '1500ms' });
  });

  test('readHeaderTimeout, idleTimeout and logLevel come from the spec', () => {
    const config = render(gateway([{ prefix: '/v1', backend: CHAT }], { readHeaderTimeout: '3s', idleTimeout: '5m', logLevel: 'WARNING' }));
    expect(config).toMatchObject({ read_header_timeout: '3s', idle_timeout: '5m' });
    expect(config.extra_config['telemetry/logging'].level).toBe('WARNING');
  });
});

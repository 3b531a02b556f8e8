/**
 * Property tests of the renderer on random valid specs (test/support/arbitraries): the invariants
 * KrakenD CE needs on every endpoint (docs/design.md), KrakenD's schema and CE rules, and routing in a
 * real gin router compared request by request with an oracle written from the route semantics
 * (docs/krakend-json.md, "Which route serves a request").
 */
import fc from 'fast-check';
import { GatewaySpec, KrakendConfig, renderKrakendConfig, validateSpec } from '../../lib';
import { buildKrakendConfig, serializeKrakendConfig } from '../../lib/krakend/render';
import { validateMetadata } from '../../lib/validation/gateway-spec';
import { expectRoutedAsDesigned, expectedRoute, gatewayCrArb, gatewaySpecArb, samplePaths } from '../support/arbitraries';
import { krakendCheck, skipNotice } from '../support/conformance';
import { resolveSpec } from '../../lib/resolve';

const TOOL_ABSENT = 'needs ../shared/tools (and ajv / go + gin); see docs/development.md, "Conformance tools"';
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const HOST = /^https?:\/\/[A-Za-z0-9._-]+(:[0-9]{2,5})?$/;
const FORBIDDEN = /[*?&%:]|(^|\/)__(health|debug|echo)(\/|$)/;
const paramsOf = (text: string) => [...text.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]);

/**
 * What every rendered config must hold, whatever the spec, for KrakenD CE to load and route it safely:
 * version 3, one method and one backend per endpoint, lura's host grammar, positional parameter names,
 * an explicit header allowlist, cached JWKS, per-client limits with a strategy (docs/design.md).
 */
function expectInvariants(spec: GatewaySpec, all: KrakendConfig): void {
  // With a streaming route the stream proxy takes 8080 and KrakenD listens on 8081 behind it.
  // Numbered among the HTTP routes: the messaging routes resolve apart.
  const http = spec.routes.filter((r) => r.pubsub === undefined);
  const streaming = http.flatMap((r, i) => (r.streaming === true ? [i] : []));
  expect(all).toMatchObject({ version: 3, port: streaming.length > 0 ? 8081 : 8080, timeout: spec.timeout ?? '120s', output_encoding: 'no-op' });
  const config = { ...all, endpoints: all.endpoints.filter((e) => !e.endpoint.startsWith('/__stream-auth/')) };
  expectStreamChecks(spec, streaming, all.endpoints.slice(config.endpoints.length), config.endpoints);
  expect(config.extra_config.router).toMatchObject({ disable_redirect_fixed_path: true, disable_handle_method_not_allowed: true });
  // Per method: the prefix and each depth below it (the route's own, else the gateway's); an exact
  // route its prefix alone, and a prefix route beside an exact one of the same method only the depths below.
  const depth = spec.prefixDepth ?? 4;
  const exactPairs = new Set(spec.routes.filter((r) => r.exact || r.pubsub).flatMap((r) => (r.methods ?? ['GET']).map((m) => `${m} ${r.prefix}`)));
  const expectedCount = spec.routes.reduce(
    (n, r) =>
      n +
      [...new Set(r.methods ?? ['GET'])].reduce(
        // A messaging route serves its prefix alone, as an exact route.
        (k, m) => k + (r.exact || r.pubsub ? 1 : (r.prefixDepth ?? depth) + (exactPairs.has(`${m} ${r.prefix}`) ? 0 : 1)),
        0,
      ),
    0,
  );
  expect(config.endpoints).toHaveLength(expectedCount);

  const seen = new Set<string>();
  for (const e of config.endpoints) {
    const method = e.method ?? 'GET';
    expect(METHODS).toContain(method);
    const key = `${method} ${e.endpoint}`;
    expect(seen.has(key)).toBe(false);
    seen.add(key);

    expect(e.endpoint).not.toMatch(FORBIDDEN);
    const segments = e.endpoint === '/' ? [] : e.endpoint.slice(1).split('/');
    segments.forEach((s, i) => {
      if (s.startsWith('{')) expect(s).toBe(`{p${i}}`);
    });

    const pubsub = e.backend[0].extra_config?.['backend/pubsub/publisher'] ?? e.backend[0].extra_config?.['backend/pubsub/subscriber'];
    // A messaging backend: the driver's scheme alone, kept as written, decoded, with no query string passed on.
    expect(e.backend[0].disable_host_sanitize === true).toBe(pubsub !== undefined);
    if (pubsub) {
      expect(e.backend).toHaveLength(1);
      expect(e.backend[0].host).toEqual([expect.stringMatching(/^(nats|kafka|rabbit):\/\/$/)]);
      expect(e.backend[0].encoding).toBeDefined();
      expect(e.output_encoding).toBeDefined();
      expect(e.input_query_strings).toEqual([]);
      expect(e.endpoint).not.toContain('{');
      continue;
    }
    // One backend, or on a composed (decoding) endpoint 2 to 8, merged: lura refuses several beside no-op.
    if (e.output_encoding === undefined) expect(e.backend).toHaveLength(1);
    else expect([1, 2, 3, 4, 5, 6, 7, 8]).toContain(e.backend.length);
    const available = paramsOf(e.endpoint);
    e.backend.forEach((b, j) => {
      expect(b.host).toHaveLength(1);
      expect(b.host[0]).toMatch(HOST);
      expect(b.url_pattern.startsWith('/')).toBe(true);
      for (const p of paramsOf(b.url_pattern)) {
        // A field of an earlier backend's answer, only on a sequential endpoint (lura proxy/merging.go).
        const earlier = /^resp([0-9]+)_/.exec(p);
        if (earlier) expect([Number(earlier[1]) < j, e.extra_config?.proxy?.sequential]).toEqual([true, true]);
        else expect(available).toContain(p);
      }
    });

    const validator = e.extra_config?.['auth/validator'];
    const headers = e.input_headers.map((h) => h.toLowerCase());
    expect(headers).toContain('content-type');
    expect(headers).not.toContain('*');
    expect(headers.includes('x-user-id')).toBe(validator !== undefined);
    // Every header a policy propagates reaches the backend of its routes.
    for (const [, header] of validator?.propagate_claims ?? []) expect(headers).toContain(header.toLowerCase());
    expect(headers.includes('x-org-id')).toBe(validator !== undefined);
    expect(e.input_query_strings).toEqual(['*']);
    if (validator) {
      expect(validator).toMatchObject({ cache: true });
      // krakend-jose refuses an empty or unknown algorithm, and the HMAC ones would need a shared secret.
      expect(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA']).toContain(validator.alg);
      // A scope check needs its claim named: krakend-jose checks no scope without scopes_key.
      if (validator.scopes !== undefined) expect(validator.scopes_key).toBeDefined();
      expect(validator.disable_jwk_security === true).toBe(validator.jwk_url.startsWith('http://'));
    }

    const limit = e.extra_config?.['qos/ratelimit/router'];
    if (limit?.client_max_rate !== undefined) {
      expect(limit.client_capacity).toBeGreaterThanOrEqual(1);
      expect(['ip', 'header']).toContain(limit.strategy);
      // A header strategy counts X-User-Id, which only a validated token can set.
      if (limit.strategy === 'header') expect([limit.key, validator !== undefined]).toEqual(['X-User-Id', true]);
      // A total cap beside the per-client one is at least as large.
      if (limit.max_rate !== undefined) expect(limit.max_rate).toBeGreaterThanOrEqual(limit.client_max_rate);
    } else if (limit) {
      expect(limit).toEqual({ max_rate: expect.any(Number), capacity: expect.any(Number), every: expect.any(String) });
    }
  }
}

/**
 * The check endpoints of the streaming routes, after the routes' own: one GET per streaming route, to
 * the stream proxy's identity echo on loopback, no query string, only the identity headers, and the
 * validator and limit of that route's own endpoints, which a streamed request passes instead.
 */
function expectStreamChecks(spec: GatewaySpec, streaming: number[], checks: KrakendConfig['endpoints'], own: KrakendConfig['endpoints']): void {
  expect(checks.map((e) => e.endpoint)).toEqual(streaming.map((i) => `/__stream-auth/${i}`));
  streaming.forEach((i, k) => {
    const check = checks[k];
    const route = spec.routes.filter((r) => r.pubsub === undefined)[i];
    const first = own.find((e) => e.endpoint === route.prefix && (e.method ?? 'GET') === (route.methods ?? ['GET'])[0])!;
    expect(check.method ?? 'GET').toBe('GET');
    expect(check.backend).toEqual([{ host: ['http://127.0.0.1:8082'], url_pattern: '/' }]);
    expect(check.input_query_strings).toEqual([]);
    const validator = first.extra_config?.['auth/validator'];
    expect(check.extra_config?.['auth/validator']).toEqual(validator);
    expect(check.extra_config?.['qos/ratelimit/router']).toEqual(first.extra_config?.['qos/ratelimit/router']);
    const identity = (validator?.propagate_claims ?? []).map(([, header]: readonly [string, string]) => header).sort();
    expect(check.input_headers).toEqual(identity);
  });
}

test('the arbitraries give specs and CRs that validation accepts', () => {
  fc.assert(
    fc.property(gatewayCrArb(), (cr) => {
      expect(validateMetadata(cr.metadata.name, cr.metadata.namespace)).toEqual([]);
      expect(validateSpec(cr.spec)).toEqual([]);
    }),
    { numRuns: 200 },
  );
});

test('the routing oracle agrees with the worked examples of docs/krakend-json.md and the README', () => {
  const seed: GatewaySpec = {
    routes: [
      { prefix: '/v1/chat', backend: 'http://chat.hanzo.svc:80', methods: ['POST'] },
      { prefix: '/v1/models', backend: 'http://cloud-api.hanzo.svc:80' },
    ],
  };
  expect(expectedRoute(seed, 'POST', '/v1/chat/completions')).toBe('http://chat.hanzo.svc:80/v1/chat/completions');
  expect(expectedRoute(seed, 'GET', '/v1/models/zen-1')).toBe('http://cloud-api.hanzo.svc:80/v1/models/zen-1');
  expect(expectedRoute(seed, 'GET', '/v1/chat')).toBe(404);
  expect(expectedRoute(seed, 'POST', '/v1/chatty')).toBe(404);
  expect(expectedRoute(seed, 'POST', '/v1/chat/a/b/c/d')).toBe('http://chat.hanzo.svc:80/v1/chat/a/b/c/d');
  expect(expectedRoute(seed, 'POST', '/v1/chat/a/b/c/d/e')).toBe(404);
  const auth: GatewaySpec = { routes: [{ prefix: '/auth', backend: 'http://iam.hanzo.svc:8000/api', stripPrefix: true }] };
  expect(expectedRoute(auth, 'GET', '/auth/login')).toBe('http://iam.hanzo.svc:8000/api/login');
  expect(expectedRoute(auth, 'GET', '/auth')).toBe('http://iam.hanzo.svc:8000/api');
  const nested: GatewaySpec = {
    routes: [
      { prefix: '/v1', backend: 'http://a.x.svc', methods: ['GET'] },
      { prefix: '/v1/chat', backend: 'http://b.x.svc', methods: ['POST'] },
    ],
  };
  expect(expectedRoute(nested, 'GET', '/v1/chat/x')).toBe('http://a.x.svc/v1/chat/x');
  expect(expectedRoute(nested, 'POST', '/v1/chat/x')).toBe('http://b.x.svc/v1/chat/x');
  expect(expectedRoute(nested, 'POST', '/v1/x')).toBe(404);
  expect(samplePaths(nested)).toEqual(
    expect.arrayContaining([
      { method: 'POST', path: '/v1/chatty' },
      { method: 'POST', path: '/v1' },
      { method: 'POST', path: '/v1/chat/' },
    ]),
  );
});

test('every endpoint of a random valid spec holds the KrakenD CE invariants', () => {
  fc.assert(
    fc.property(gatewaySpecArb(), (spec) => expectInvariants(spec, renderKrakendConfig(spec))),
    { numRuns: 150 },
  );
});

test('the same spec always gives the same bytes, and rendering leaves the spec unchanged', () => {
  fc.assert(
    fc.property(gatewaySpecArb(), (spec) => {
      const copy = structuredClone(spec);
      const first = serializeKrakendConfig(buildKrakendConfig(resolveSpec(spec)));
      expect(JSON.stringify(buildKrakendConfig(resolveSpec(copy)))).toBe(JSON.stringify(buildKrakendConfig(resolveSpec(spec))));
      expect(serializeKrakendConfig(buildKrakendConfig(resolveSpec(copy)))).toBe(first);
      expect(spec).toEqual(copy);
    }),
    { numRuns: 100 },
  );
});

test('KrakenD schema and CE checks pass for random valid specs', () => {
  if (krakendCheck({}) === undefined) return skipNotice('krakend-check', TOOL_ABSENT);
  fc.assert(
    fc.property(gatewaySpecArb(), (spec) => {
      expect(krakendCheck(renderKrakendConfig(spec))).toEqual([]);
    }),
    { numRuns: 40 },
  );
});

test('gin loads random valid specs and routes every sample request where the routing oracle says, without a panic', () => {
  fc.assert(
    fc.property(gatewaySpecArb(), (spec) => {
      const config = renderKrakendConfig(spec);
      expectInvariants(spec, config);
      // One replay per spec, with all its sample requests: each replay starts a process.
      expectRoutedAsDesigned(spec, config);
    }),
    { numRuns: 30 },
  );
}, 180_000);

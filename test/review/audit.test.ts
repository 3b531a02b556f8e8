/**
 * `audit`: every method and path of the rendered config, collapsed back to routes and grouped by
 * backend, with the policy that applies and warnings for risky shapes.
 */
import * as path from 'path';
import { GatewaySpec } from '../../lib';
import { buildKrakendConfig } from '../../lib/krakend/render';
import { auditGateways } from '../../lib/review/audit';
import { formatAuditText } from '../../lib/review/format';
import { CR, SEED, rendered, review } from './support';
import { resolveSpec } from '../../lib/resolve';

describe('the seed Gateway', () => {
  const report = auditGateways(rendered(SEED));
  const [gateway] = report.gateways;

  test('every endpoint of krakend.json, with its route, backend URL and policy', () => {
    expect(report.version).toBe(1);
    expect(gateway.gateway).toBe('hanzo/gateway');
    expect(gateway.endpoints.map((e) => `${e.method} ${e.path} ${e.route} ${e.backend}`)).toEqual([
      'POST /v1/chat /v1/chat/** http://chat.hanzo.svc:80/v1/chat',
      'POST /v1/chat/{p2} /v1/chat/** http://chat.hanzo.svc:80/v1/chat/{p2}',
      'POST /v1/chat/{p2}/{p3} /v1/chat/** http://chat.hanzo.svc:80/v1/chat/{p2}/{p3}',
      'POST /v1/chat/{p2}/{p3}/{p4} /v1/chat/** http://chat.hanzo.svc:80/v1/chat/{p2}/{p3}/{p4}',
      'POST /v1/chat/{p2}/{p3}/{p4}/{p5} /v1/chat/** http://chat.hanzo.svc:80/v1/chat/{p2}/{p3}/{p4}/{p5}',
      'GET /v1/models /v1/models/** http://cloud-api.hanzo.svc:80/v1/models',
      'GET /v1/models/{p2} /v1/models/** http://cloud-api.hanzo.svc:80/v1/models/{p2}',
      'GET /v1/models/{p2}/{p3} /v1/models/** http://cloud-api.hanzo.svc:80/v1/models/{p2}/{p3}',
      'GET /v1/models/{p2}/{p3}/{p4} /v1/models/** http://cloud-api.hanzo.svc:80/v1/models/{p2}/{p3}/{p4}',
      'GET /v1/models/{p2}/{p3}/{p4}/{p5} /v1/models/** http://cloud-api.hanzo.svc:80/v1/models/{p2}/{p3}/{p4}/{p5}',
    ]);
    expect(gateway.endpoints[1]).toEqual({
      method: 'POST',
      path: '/v1/chat/{p2}',
      route: '/v1/chat/**',
      backend: 'http://chat.hanzo.svc:80/v1/chat/{p2}',
      backendLocation: 'in-cluster',
      auth: 'iam-jwt',
      jwt: { issuer: 'https://hanzo.id', audience: [], jwksUrl: 'https://hanzo.id/.well-known/jwks' },
      identityHeaders: [
        { header: 'X-User-Id', claim: 'sub' },
        { header: 'X-Org-Id', claim: 'owner' },
      ],
      rateLimits: [{ name: 'per-user', key: 'user', maxRate: 100, capacity: 100, every: '1m' }],
      forwardsAuthorization: true,
      forwardedHeaders: ['Accept', 'Authorization', 'Content-Type'],
      setHeaders: [],
      overridesAuthorization: false,
      removedRequestHeaders: [],
      removedResponseHeaders: [],
      stream: null,
    });
    expect(gateway.securityHeaders).toBeNull();
    expect(gateway.endpoints[5]).toMatchObject({ auth: null, jwt: null, identityHeaders: [], rateLimits: [], forwardsAuthorization: true });
  });

  test('the text: auth policies once, routes by backend, no warning', () => {
    expect(formatAuditText(report).replace(SEED, 'seed.yaml')).toBe(
      [
        'hanzo/gateway (seed.yaml): 10 endpoints, 2 routes, 2 backends',
        '  security headers: off',
        '  auth iam-jwt: issuer https://hanzo.id, keys https://hanzo.id/.well-known/jwks, sets X-User-Id from sub, X-Org-Id from owner',
        '  http://chat.hanzo.svc:80 (in cluster)',
        '    /v1/chat/** POST   auth iam-jwt · limit 100/1m per user (per-user) · identity X-User-Id, X-Org-Id · forwards Authorization',
        '  http://cloud-api.hanzo.svc:80 (in cluster)',
        '    /v1/models/** GET  public · no limit · forwards Authorization',
        '  warnings: none',
        '',
      ].join('\n'),
    );
  });
});

test('methods of one policy are listed together, and a backend path that differs from the route follows it', () => {
  const report = auditGateways(rendered(path.join(CR, 'multi.yaml')));
  expect(report.gateways.map((g) => g.gateway)).toEqual(['edge/public', 'internal']);
  expect(report.gateways[0].routes.map((r) => [r.path, r.methods, r.backend, r.endpoints])).toEqual([
    ['/auth/**', ['GET', 'POST'], 'http://iam.hanzo.svc:8000/api/**', 10],
    ['/v1/models/**', ['GET'], 'http://cloud-api.hanzo.svc:80/v1/models/**', 5],
  ]);
  expect(formatAuditText(report).split('\n').slice(0, 6)).toEqual([
    expect.stringMatching(/^edge\/public \(.*multi\.yaml#2\): 15 endpoints, 2 routes, 2 backends$/),
    '  security headers: off',
    '  http://cloud-api.hanzo.svc:80 (in cluster)',
    '    /v1/models/** GET            public · no limit · forwards Authorization',
    '  http://iam.hanzo.svc:8000 (in cluster)',
    '    /auth/** GET POST → /api/**  public · no limit · forwards Authorization',
  ]);
  // The prefix `/` of depth 2: `/`, `/{p0}`, `/{p0}/{p1}`.
  expect(report.gateways[1].routes.map((r) => r.path)).toEqual(['/**']);
});

test('an exact route and a prefix route of the same prefix: the prefix path alone, and the paths below it', () => {
  // GIVEN the models routes of examples/hanzo-slice.ts: /v1/models exact on cloud-api, and 2 deep below it on models
  const spec: GatewaySpec = {
    routes: [
      { prefix: '/v1/models', backend: 'http://cloud-api.hanzo.svc:80', exact: true },
      { prefix: '/v1/models', backend: 'http://models.hanzo.svc:80', prefixDepth: 2 },
    ],
  };
  // WHEN it is audited
  const [gateway] = auditGateways([{ id: 'slice', location: 'spec', config: buildKrakendConfig(resolveSpec(spec)), spec }]).gateways;
  // THEN each route is one line, `*` for a segment the route requires
  expect(gateway.routes.map((r) => [r.path, r.backend, r.endpoints])).toEqual([
    ['/v1/models', 'http://cloud-api.hanzo.svc:80/v1/models', 1],
    ['/v1/models/*/**', 'http://models.hanzo.svc:80/v1/models/*/**', 2],
  ]);
});

describe('warnings', () => {
  const [gateway] = auditGateways(rendered(review('seed.risky.yaml'))).gateways;

  test('one for each risky shape of seed.risky.yaml, at its route', () => {
    expect(gateway.warnings.map((w) => `${w.path} ${w.methods.join(' ')} ${w.code}`)).toEqual([
      '/internal GET insecure-jwks',
      '/v1/** POST public-parent-of-protected',
      '/v1/files GET jwt-without-limit',
      '/v1/search GET public-external-backend',
      '/v1/tools GET authorization-to-external',
      '/v1/tools GET plain-http-external',
    ]);
    expect(gateway.warnings[1].message).toBe(
      'public, around /v1/chat/** (behind iam-jwt) on the same backend server chat.hanzo: a request under /v1/chat ' +
        'that the protected route does not serve reaches that server without a token',
    );
  });

  test('the text lists them after the routes', () => {
    const text = formatAuditText(auditGateways(rendered(review('seed.risky.yaml'))));
    expect(text.split('\n').slice(-8)).toEqual([
      '  6 warnings:',
      '    /internal GET: insecure-jwks: checks tokens with keys fetched over plain http (http://iam.hanzo.svc:8000/jwks): keys can be forged in transit',
      '    /v1/** POST: public-parent-of-protected: public, around /v1/chat/** (behind iam-jwt) on the same backend server chat.hanzo: ' +
        'a request under /v1/chat that the protected route does not serve reaches that server without a token',
      '    /v1/files GET: jwt-without-limit: behind iam-jwt without a rate limit: one valid token can send any number of requests',
      '    /v1/search GET: public-external-backend: public, to https://search.example.com outside the cluster: anyone can make the gateway call it',
      "    /v1/tools GET: authorization-to-external: forwards the client's Authorization (a user's token) to http://tools.example.com:8080 outside the cluster",
      '    /v1/tools GET: plain-http-external: to http://tools.example.com:8080 outside the cluster over plain http',
      '',
    ]);
  });

  test('a public parent on another backend, or too shallow to reach the protected prefix, is no warning', () => {
    const spec = (publicRoute: GatewaySpec['routes'][number]): GatewaySpec => ({
      routes: [
        { prefix: '/v1/admin', backend: 'http://admin.hanzo.svc:80', methods: ['POST'], authPolicy: 'iam-jwt', rateLimit: 'per-user' },
        publicRoute,
      ],
      rateLimits: [{ name: 'per-user', maxRate: 100, every: '1m' }],
      authPolicies: [{ name: 'iam-jwt', type: 'jwt', iamEndpoint: 'https://hanzo.id', jwksUrl: 'https://hanzo.id/.well-known/jwks' }],
    });
    const warnings = (s: GatewaySpec) =>
      auditGateways([{ id: 'g', location: 'spec', config: buildKrakendConfig(resolveSpec(s)), spec: s }]).gateways[0].warnings;
    expect(warnings(spec({ prefix: '/v1', backend: 'http://web.hanzo.svc:80', methods: ['POST'] }))).toEqual([]);
    expect(warnings(spec({ prefix: '/v1', backend: 'http://admin.hanzo.svc:80', methods: ['POST'], exact: true }))).toEqual([]);
    // A bare Service name may be the same Service as admin.hanzo: it resolves in the gateway's own namespace.
    expect(warnings(spec({ prefix: '/v1', backend: 'http://admin:80', methods: ['POST'] })).map((w) => w.code)).toEqual([
      'public-parent-of-protected',
    ]);
  });
});

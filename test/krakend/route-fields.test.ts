/**
 * The per-route fields `exact` and `prefixDepth`, the auth policies' `propagateClaims` and the rate
 * limits' total cap, rendered: expected values written out by hand, every config checked against
 * KrakenD's schema and CE rules, and every endpoint shape replayed in a real gin router when the
 * shared tools are installed.
 */
import { AuthPolicySpec, GatewaySpec, GatewayValidationError, KrakendConfig, RouteSpec, renderKrakendConfig } from '../../lib';
import { lintKrakendConfig } from '../../lib/krakend/lint';
import { minConfigBytes } from '../../lib/krakend/size';
import { serializeKrakendConfig } from '../../lib/krakend/render';
import { expectRouting, renderConformant as render } from '../support/conformance';
import { resolveSpec } from '../../lib/resolve';

const IAM: AuthPolicySpec = { name: 'iam', type: 'jwt', iamEndpoint: 'https://hanzo.id', jwksUrl: 'https://hanzo.id/.well-known/jwks' };

const shapes = (config: KrakendConfig) => config.endpoints.map((e) => `${e.method ?? 'GET'} ${e.endpoint} -> ${e.backend[0].url_pattern}`);

describe('exact routes', () => {
  // GIVEN an exact route and a prefix route on /v1/models, an exact route inside a prefix route, and stripPrefix forms
  const spec: GatewaySpec = {
    prefixDepth: 2,
    routes: [
      { prefix: '/v1/models', backend: 'http://cloud-api.hanzo.svc/api', exact: true, stripPrefix: true },
      { prefix: '/v1/models', backend: 'http://models.hanzo.svc' },
      { prefix: '/v1', backend: 'http://llm.hanzo.svc', methods: ['GET', 'POST'] },
      { prefix: '/v1/chat', backend: 'http://chat.hanzo.svc', methods: ['POST'], exact: true, stripPrefix: true },
      { prefix: '/', backend: 'http://web.hanzo.svc', exact: true },
    ],
  };

  test('an exact route is its prefix alone; the prefix route beside it renders only the depths below', () => {
    // WHEN rendered
    const config = render(spec);
    // THEN one endpoint per method of an exact route, no {pN}; stripPrefix forwards the base path alone, or /
    expect(shapes(config)).toEqual([
      'GET /v1/models -> /api',
      'GET /v1/models/{p2} -> /v1/models/{p2}',
      'GET /v1/models/{p2}/{p3} -> /v1/models/{p2}/{p3}',
      'GET /v1 -> /v1',
      'GET /v1/{p1} -> /v1/{p1}',
      'GET /v1/{p1}/{p2} -> /v1/{p1}/{p2}',
      'POST /v1 -> /v1',
      'POST /v1/{p1} -> /v1/{p1}',
      'POST /v1/{p1}/{p2} -> /v1/{p1}/{p2}',
      'POST /v1/chat -> /',
      'GET / -> /',
    ]);
  });

  test('gin routes the prefix path to the exact route and the paths below to the prefix routes', () => {
    expectRouting(render(spec), [
      'GET /v1/models http://cloud-api.hanzo.svc/api',
      'GET /v1/models/gpt-4 http://models.hanzo.svc/v1/models/gpt-4',
      'GET /v1/models/a/b http://models.hanzo.svc/v1/models/a/b',
      'GET /v1/models/a/b/c 404',
      'POST /v1/chat http://chat.hanzo.svc/',
      // Below the exact /v1/chat, the shorter prefix /v1 serves: gin falls back from the static leaf.
      'POST /v1/chat/completions http://llm.hanzo.svc/v1/chat/completions',
      'POST /v1/models http://llm.hanzo.svc/v1/models',
      'GET / http://web.hanzo.svc/',
      'GET /index.html 404',
    ]);
  });
});

describe('per-route prefixDepth', () => {
  // GIVEN a gateway depth of 1, a route 3 deep and a route 0 deep inside it
  const spec: GatewaySpec = {
    prefixDepth: 1,
    routes: [
      { prefix: '/files', backend: 'http://files.hanzo.svc', prefixDepth: 3 },
      { prefix: '/files/meta', backend: 'http://meta.hanzo.svc', prefixDepth: 0 },
      { prefix: '/v1', backend: 'http://api.hanzo.svc' },
    ],
  };

  test('each route expands to its own depth, else the gateway’s', () => {
    expect(shapes(render(spec))).toEqual([
      'GET /files -> /files',
      'GET /files/{p1} -> /files/{p1}',
      'GET /files/{p1}/{p2} -> /files/{p1}/{p2}',
      'GET /files/{p1}/{p2}/{p3} -> /files/{p1}/{p2}/{p3}',
      'GET /files/meta -> /files/meta',
      'GET /v1 -> /v1',
      'GET /v1/{p1} -> /v1/{p1}',
    ]);
  });

  test('gin serves each depth from the longest prefix that reaches it', () => {
    expectRouting(render(spec), [
      'GET /files/a/b/c http://files.hanzo.svc/files/a/b/c',
      'GET /files/a/b/c/d 404',
      'GET /files/meta http://meta.hanzo.svc/files/meta',
      'GET /files/meta/x/y http://files.hanzo.svc/files/meta/x/y',
      'GET /v1/x http://api.hanzo.svc/v1/x',
      'GET /v1/x/y 404',
    ]);
  });

  test('the size lower bound counts each route’s own depth', () => {
    expect(minConfigBytes(resolveSpec(spec))).toBe(
      // 145 bytes of skeleton per endpoint (MIN_ENDPOINT_BYTES), plus the prefix and the origin.
      4 * (145 + '/files'.length + 'http://files.hanzo.svc'.length) +
        1 * (145 + '/files/meta'.length + 'http://meta.hanzo.svc'.length) +
        2 * (145 + '/v1'.length + 'http://api.hanzo.svc'.length),
    );
    expect(Buffer.byteLength(serializeKrakendConfig(render(spec)))).toBeGreaterThanOrEqual(minConfigBytes(resolveSpec(spec)));
  });

  test('a per-route depth that takes krakend.json past 1 MiB is refused with the size, before rendering', () => {
    // GIVEN 400 routes of 5 methods, each 16 deep by its own prefixDepth under a gateway depth of 1
    const routes: RouteSpec[] = Array.from({ length: 400 }, (_, i) => ({
      prefix: `/svc${i}`,
      backend: `http://svc${i}.hanzo.svc`,
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      prefixDepth: 16,
    }));
    // The same table at the gateway's depth 1 fits.
    const shallow = routes.map(({ prefixDepth: _d, ...r }) => r);
    expect(() => renderKrakendConfig({ prefixDepth: 1, routes: shallow })).not.toThrow();
    // WHEN the routes' own depth is 16
    let error: unknown;
    try {
      renderKrakendConfig({ prefixDepth: 1, routes });
    } catch (e) {
      error = e;
    }
    // THEN the lower bound refuses it at spec.routes
    expect(error).toBeInstanceOf(GatewayValidationError);
    expect((error as GatewayValidationError).problems).toEqual([
      { path: 'spec.routes', message: expect.stringMatching(/^the rendered krakend\.json is at least \d{7,} bytes, over the 1048576-byte/) },
    ]);
  });
});

describe('propagateClaims', () => {
  const spec: GatewaySpec = {
    authPolicies: [
      {
        ...IAM,
        propagateClaims: [
          { claim: 'roles', header: 'X-Roles' },
          { claim: 'realm_access.roles', header: 'X-Realm-Roles' },
        ],
      },
    ],
    routes: [
      { prefix: '/v1/admin', backend: 'http://admin.hanzo.svc', authPolicy: 'iam', exact: true },
      { prefix: '/v1/public', backend: 'https://status.example.com' },
    ],
  };

  test('the claims follow the user and org ids in propagate_claims, and their headers reach the backend', () => {
    const [admin, pub] = render(spec).endpoints;
    expect(admin.extra_config?.['auth/validator']?.propagate_claims).toEqual([
      ['sub', 'X-User-Id'],
      ['owner', 'X-Org-Id'],
      ['roles', 'X-Roles'],
      ['realm_access.roles', 'X-Realm-Roles'],
    ]);
    expect(admin.input_headers).toEqual(['Accept', 'Authorization', 'Content-Type', 'X-Org-Id', 'X-Realm-Roles', 'X-Roles', 'X-User-Id']);
    // A public route forwards none of them.
    expect(pub.input_headers).toEqual(['Accept', 'Content-Type']);
  });

  test('the lint treats a propagated header as identity: forwarded by an endpoint without the validator, it is a finding', () => {
    const config = render(spec);
    const forged = { ...config, endpoints: [config.endpoints[0], { ...config.endpoints[1], input_headers: ['Accept', 'x-roles'] }] };
    expect(lintKrakendConfig(forged)).toEqual([
      'endpoints[1] (GET /v1/public): forwards identity header x-roles without auth/validator — a client could forge it',
    ]);
  });

  test('gin routes the exact JWT route', () => {
    expectRouting(render(spec), [
      'GET /v1/admin http://admin.hanzo.svc/v1/admin',
      'GET /v1/admin/x 404',
      'GET /v1/public/x https://status.example.com/v1/public/x',
    ]);
  });
});

describe('total rate caps', () => {
  const routes: RouteSpec[] = [
    { prefix: '/v1/chat', backend: 'http://chat.hanzo.svc', methods: ['POST'], authPolicy: 'iam', rateLimit: 'per-user', exact: true },
    { prefix: '/v1/models', backend: 'http://models.hanzo.svc', rateLimit: 'per-ip', prefixDepth: 0 },
  ];
  const spec: GatewaySpec = {
    authPolicies: [IAM],
    rateLimits: [
      { name: 'per-user', maxRate: 60, every: '1m', totalMaxRate: 6000 },
      { name: 'per-ip', maxRate: 10, every: '1s', capacity: 20, totalMaxRate: 500, totalCapacity: 1000 },
    ],
    routes,
  };

  test('max_rate and capacity sit beside client_max_rate in the same block; capacity defaults to the total rate', () => {
    const [chat, models] = render(spec).endpoints;
    expect(chat.extra_config?.['qos/ratelimit/router']).toEqual({
      max_rate: 6000,
      capacity: 6000,
      client_max_rate: 60,
      client_capacity: 60,
      strategy: 'header',
      key: 'X-User-Id',
      every: '1m',
      num_shards: 64,
    });
    expect(models.extra_config?.['qos/ratelimit/router']).toEqual({
      max_rate: 500,
      capacity: 1000,
      client_max_rate: 10,
      client_capacity: 20,
      strategy: 'ip',
      every: '1s',
      num_shards: 64,
    });
  });

  test('gin loads and routes the capped endpoints', () => {
    expectRouting(render(spec), [
      'POST /v1/chat http://chat.hanzo.svc/v1/chat',
      'GET /v1/models http://models.hanzo.svc/v1/models',
      'GET /v1/models/x 404',
    ]);
  });
});

/**
 * The path-variant check of lib/krakend/cel.ts as rendered: which endpoints carry it, the exact
 * expression, the protected areas it names (backend paths, exact or prefix), the substrings krakend-cel
 * would misread, the size bound, and the lenient reading of lib/grammar/backend-paths.ts it rests on.
 * test/e2e/path-tricks.test.ts and test/e2e/protected-prefix.test.ts run it in KrakenD.
 */
import fc from 'fast-check';
import { GatewaySpec, RouteSpec, renderKrakendConfig } from '../../lib';
import { mayBeSameServer, readsAsSegment, segmentKey } from '../../lib/grammar/backend-paths';
import { pathGuards } from '../../lib/krakend/cel';
import { buildKrakendConfig, serializeKrakendConfig } from '../../lib/krakend/render';
import { minConfigBytes } from '../../lib/krakend/size';
import { KrakendConfig } from '../../lib/krakend/types';
import { CONFIGMAP_LIMIT_BYTES } from '../../lib/limits';
import { resolveSpec } from '../../lib/resolve';

const IAM = { name: 'iam', type: 'jwt' as const, iamEndpoint: 'https://hanzo.id', jwksUrl: 'https://hanzo.id/jwks' };
const APP = 'http://app.hanzo.svc';
const spec = (...routes: GatewaySpec['routes']): GatewaySpec => ({ routes, authPolicies: [IAM], prefixDepth: 2 });

/** `METHOD endpoint` → its path check (the `validation/cel` entry naming req_params), for the endpoints that have one. */
function pathChecks(config: KrakendConfig): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of config.endpoints) {
    const check = e.extra_config?.['validation/cel']?.find((c) => c.check_expr.includes('req_params'));
    if (check) out[`${e.method ?? 'GET'} ${e.endpoint}`] = check.check_expr;
  }
  return out;
}

const DOT_PIECE = String.raw`[/\\][.\s]*(?:;[^/\\]*)?(?:[/\\]|$)`;
const ODD_CHAR = String.raw`[\x{80}-\x{bf}\x{2000}-\x{2bff}\x{3000}-\x{303f}\x{fe10}-\x{fe6f}\x{feff}\x{ff00}-\x{ff60}\x{ffe0}-\x{ffff}]`;
const HEAD = `${DOT_PIECE}|${ODD_CHAR}`;
const letters = (word: string) => [...word].map((c) => `(?:${/[a-z]/.test(c) ? `[${c}${c.toUpperCase()}]` : c}|[^ -~])`).join('');
const ADMIN = letters('admin');

test('a public /v1 around a JWT /v1/admin on one backend: each /v1 endpoint with parameters, and no other, refuses /admin…', () => {
  const checks = pathChecks(renderKrakendConfig(spec({ prefix: '/v1', backend: APP }, { prefix: '/v1/admin', backend: APP, authPolicy: 'iam' })));
  const pattern = `${HEAD}|^/(?:${ADMIN}(?:[^a-zA-Z0-9_~-]|$))`;
  expect(checks).toEqual({
    'GET /v1/{p1}': `!('/' + req_params.P1).matches(r'${pattern}')`,
    'GET /v1/{p1}/{p2}': `!('/' + req_params.P1 + '/' + req_params.P2).matches(r'${pattern}')`,
  });
});

test('no check where nothing is protected on the same server, or the routes share the auth policy', () => {
  expect(
    pathChecks(
      renderKrakendConfig(spec({ prefix: '/v1', backend: APP }, { prefix: '/v1/admin', backend: 'http://admin.hanzo.svc', authPolicy: 'iam' })),
    ),
  ).toEqual({});
  expect(
    pathChecks(
      renderKrakendConfig(spec({ prefix: '/v1', backend: APP, authPolicy: 'iam' }, { prefix: '/v1/admin', backend: APP, authPolicy: 'iam' })),
    ),
  ).toEqual({});
  expect(pathChecks(renderKrakendConfig(spec({ prefix: '/v1', backend: APP }, { prefix: '/v2', backend: APP })))).toEqual({});
});

test('a sibling on the same server gets the dot and odd-character part alone; an exact route or depth 0 gets none (no parameters)', () => {
  const checks = pathChecks(renderKrakendConfig(spec({ prefix: '/auth', backend: APP }, { prefix: '/v1', backend: APP, authPolicy: 'iam' })));
  expect(checks['GET /auth/{p1}']).toBe(`!('/' + req_params.P1).matches(r'${HEAD}')`);
  expect(
    pathChecks(renderKrakendConfig(spec({ prefix: '/auth', backend: APP, exact: true }, { prefix: '/v1', backend: APP, authPolicy: 'iam' }))),
  ).toEqual({});
  expect(
    pathChecks(renderKrakendConfig(spec({ prefix: '/auth', backend: APP, prefixDepth: 0 }, { prefix: '/v1', backend: APP, authPolicy: 'iam' }))),
  ).toEqual({});
});

test('the areas are backend paths: stripPrefix and base paths move them, an exact protected route ends its area', () => {
  // /public/… goes to /…; /admin is protected at /admin of the same server; /v1/keys exactly at /api/v1/keys
  const checks = pathChecks(
    renderKrakendConfig(
      spec(
        { prefix: '/public', backend: APP, stripPrefix: true },
        { prefix: '/admin', backend: APP, authPolicy: 'iam' },
        { prefix: '/v1/keys', backend: `${APP}/api`, authPolicy: 'iam', exact: true },
      ),
    ),
  );
  const [api, v1, keys] = [letters('api'), letters('v1'), letters('keys')];
  const junk = String.raw`(?:[^a-zA-Z0-9_~/\\-][^/\\]*)?`;
  const separator = String.raw`[/\\]`;
  expect(checks['GET /public/{p1}']).toBe(
    `!('/' + req_params.P1).matches(r'${HEAD}|^/(?:${ADMIN}(?:[^a-zA-Z0-9_~-]|$)|${api}${junk}${separator}${v1}${junk}${separator}${keys}${junk}$)')`,
  );
});

test("letters are written one by one and quotes escaped: a protected /Responses/JWT/o'k never reads as resp, JWT or a quote", () => {
  const config = renderKrakendConfig(spec({ prefix: '/', backend: APP }, { prefix: "/Responses/JWT/o'k", backend: APP, authPolicy: 'iam' }));
  const check = pathChecks(config)['GET /{p0}'];
  expect(check).toContain('(?:[oO]|[^ -~])(?:\\x27|[^ -~])(?:[kK]|[^ -~])');
  expect(check.match(/resp|JWT|'/g)).toEqual(["'", "'", "'", "'"]); // the raw string's quotes and the two '/' literals
});

test('the size bound counts the checks and stays below the rendered size', () => {
  const guarded = spec(
    { prefix: '/v1', backend: APP, methods: ['GET', 'POST'] },
    { prefix: '/v1/admin', backend: APP, authPolicy: 'iam', methods: ['GET', 'POST'] },
  );
  const unguarded = spec(
    { prefix: '/v1', backend: APP, methods: ['GET', 'POST'] },
    { prefix: '/v1/admin', backend: 'http://adm.hanzo.svc', authPolicy: 'iam', methods: ['GET', 'POST'] },
  );
  const size = (s: GatewaySpec) => Buffer.byteLength(serializeKrakendConfig(buildKrakendConfig(resolveSpec(s))));
  expect(minConfigBytes(resolveSpec(guarded))).toBeLessThanOrEqual(size(guarded));
  // 2 methods × 2 depths carry the pattern: the dot and odd-character part, and /admin (15 bytes a letter)
  expect(minConfigBytes(resolveSpec(guarded)) - minConfigBytes(resolveSpec(unguarded))).toBeGreaterThan(4 * (HEAD.length + ADMIN.length));
});

test('a table whose checks alone pass 1 MiB is refused by the bound, without building them', () => {
  // GIVEN a public root 16 deep and 3,000 protected exact paths on its server: 16 endpoints × 3,000 areas
  const routes: RouteSpec[] = [{ prefix: '/', backend: APP, prefixDepth: 16 }];
  for (let i = 0; i < 3000; i++) routes.push({ prefix: `/tenant-${i}/settings`, backend: APP, authPolicy: 'iam', exact: true });
  const big: GatewaySpec = { routes, authPolicies: [IAM] };

  // WHEN the bound is taken
  const started = Date.now();
  const bound = minConfigBytes(resolveSpec(big));

  // THEN it passes the limit, fast, and stops counting soon after
  expect(bound).toBeGreaterThan(CONFIGMAP_LIMIT_BYTES);
  expect(bound).toBeLessThan(2 * CONFIGMAP_LIMIT_BYTES);
  expect(Date.now() - started).toBeLessThan(1000);
  expect(pathGuards(resolveSpec(big), CONFIGMAP_LIMIT_BYTES).byRoute).toBeUndefined();
});

describe('the lenient reading (lib/grammar/backend-paths.ts)', () => {
  test.each([
    ['admin', 'admin', true],
    ['ADMIN', 'admin', true],
    ['admin;x=1', 'admin', true],
    ['admin.json', 'admin', true],
    ['admin.', 'admin', true],
    ['admin ', 'admin', true],
    ['admin\\users', 'admin', true],
    ['admins', 'admin', false],
    ['admin-tools', 'admin', false],
    ['admin_x', 'admin', false],
    ['adm', 'admin', false],
    ['x.y_z-1.json', 'x.y_z-1', true],
  ])('%s reads as %s: %s', (s, t, reads) => expect(readsAsSegment(s, t)).toBe(reads));

  test('a segment read as another has its key', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (t, rest) => {
        const s = t + rest;
        if (readsAsSegment(s, t)) expect(segmentKey(s)).toBe(segmentKey(t));
      }),
      { numRuns: 500 },
    );
  });

  test.each([
    ['chat.hanzo', 'chat.hanzo', true],
    ['chat', 'chat.hanzo', true],
    ['chat.hanzo', 'chat', true],
    ['chat', 'chat.example.com', false],
    ['chat.hanzo', 'chat.other', false],
    ['chat', 'chats', false],
  ])('servers %s and %s may be one: %s', (x, y, same) => expect(mayBeSameServer(x, y)).toBe(same));
});

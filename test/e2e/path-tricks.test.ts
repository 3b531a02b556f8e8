/**
 * Path tricks against a public parent of a protected prefix, through the real KrakenD CE 2.13
 * (`krakend run`) serving exactly the krakend.json the Gateway construct renders: `/v1` is public,
 * `/v1/admin` needs a JWT, and both go to the SAME stub backend on 127.0.0.1. A trick wins when a
 * request without a token reaches that backend with a path a normalizing backend reads as
 * `/v1/admin/…`.
 *
 * KrakenD facts it relies on:
 * - gin routes Go's decoded `URL.Path` (UseRawPath off), so `%2F`, `%2e` and `%69` are decoded
 *   before the lookup (`handleHTTPRequest` in gin `gin.go`, `URL.Path` in Go `net/url`).
 * - With `remove_extra_slash` (lura router option, `NewEngine` in lura `router/gin/engine.go`) gin
 *   cleans `//`, `/./` and `/../` of that decoded path before the lookup (`cleanPath` in gin
 *   `path.go`), so every such trick lands on the JWT endpoint, whose `auth/validator` answers 401
 *   (krakend-jose `gin/jose.go`). Without the option gin matches the raw path against the public
 *   `/v1/{p1}/…` endpoints and lura forwards it as written (the last describe shows it).
 * - lura refuses a parameter that still decodes, or holds `?` or `#`, with 400 (`paramChecker` in
 *   lura `router/gin/engine.go`), and Go refuses a backend URL with a control character (500).
 * - gin leaves `;`, letter case, `\`, trailing dots, extensions and non-ASCII characters alone: such
 *   paths match the public route. Servlet containers drop `;…` path parameters (Tomcat, Jetty:
 *   `/v1/admin;x=1/users` and `/v1/x/..;/admin/users` read as `/v1/admin/users`), case-insensitive
 *   routers (ASP.NET, IIS) ignore case, IIS reads `\` as `/` and drops trailing dots and spaces, suffix
 *   pattern matching (Spring MVC before 5.3) serves `/v1/admin.json` as `/v1/admin`, and servers that
 *   apply Unicode compatibility or "best fit" mappings read `／` as `/` and `ａ` as `a`. The renderer
 *   puts a `validation/cel` check on the public route's endpoints (lib/krakend/cel.ts): krakend-cel
 *   refuses a request whose parameters read so as `/v1/admin…` with 500 and an empty body, before the
 *   backend call (krakend-cel proxy.go, evalChecks; lura's DefaultToHTTPError), and the paths beside it
 *   pass. Before the check these variants reached the backend without a token.
 */
import * as path from 'path';
import { GatewaySpec } from '../../lib';
import { RunningKrakend, describeWithKrakend, renderedKrakendJson, serveGateway, startKrakend, stopAllKrakends } from '../support/krakend';
import { ClientRequest, Issuer, send, startIssuer } from '../support/peers';
import { Stubs, closeStubs, outcome, startStubs } from './routing-support';

function trickSpec(app: string, iam: Issuer): GatewaySpec {
  return {
    routes: [
      { prefix: '/v1', backend: app },
      { prefix: '/v1/admin', backend: app, authPolicy: 'iam' },
    ],
    authPolicies: [{ name: 'iam', type: 'jwt', iamEndpoint: iam.iss, jwksUrl: iam.jwksUrl, allowInsecureJwks: true }],
  };
}

/**
 * The outcome of each request (see routing-support.ts `outcome`), followed by the `X-User-Id` the
 * backend got, `(no user)` when none. Every request carries a forged `X-User-Id: forged-admin`, as an
 * attacker's would: the public route must drop it, the JWT route replace it with the token's `sub`.
 */
async function tricks(
  gateway: RunningKrakend,
  stubs: Stubs<'app'>,
  table: Readonly<Record<string, string>>,
  extra: Partial<ClientRequest> = {},
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const request of Object.keys(table)) {
    const line = await outcome(gateway, stubs, request, { ...extra, headers: { 'X-User-Id': 'forged-admin', ...extra.headers } });
    const users = stubs.app.requests.map((r) => r.headers['x-user-id'] ?? 'no user');
    out[request] = users.length === 0 ? line : `${line} (${users.join(', ')})`;
  }
  return out;
}

/** Tricks that gin, with remove_extra_slash, routes to the JWT endpoint of `/v1/admin/users` (or `/v1/admin`). */
const CLOSED = [
  'GET /v1//admin/users',
  'GET /v1/./admin/users',
  'GET /v1/x/../admin/users',
  'GET /v1/x/y/../../admin/users',
  'GET /v1/../v1/admin/users',
  'GET /v1/x/..//admin/users',
  'GET /v1/admin%2Fusers',
  'GET /v1/%2e%2e/v1/admin/users',
  'GET /v1/%2e/admin/users',
  'GET /v1/%2E/admin/users',
  'GET /v1/.%2e/v1/admin/users',
  'GET /v1/x/%2e%2e/admin/users',
  'GET /v1/x/..%2fadmin/users',
  'GET /v1/%2e%2e%2fv1/admin/users',
  'GET /v1/%2F/admin/users',
  'GET /v1/%2fadmin/users',
  'GET /v1/adm%69n/users',
  'GET //v1/admin/users',
  'GET /./v1/admin/users',
  'GET /v1/admin/./users',
  'GET /v1/admin//users',
];
const CLOSED_PREFIX = ['GET /v1//admin', 'GET /v1/./admin', 'GET /v1/x/../admin', 'GET /v1/x/%2e%2e/admin'];

/**
 * Variants of `/v1/admin/users` (or `/v1/admin`) that gin routes to the public `/v1` route, by class:
 * what a normalizing backend may read as the protected path. Each reached the backend without a token
 * before the path check; each is refused now.
 */
const VARIANT_PATHS = {
  ';': [
    '/v1/admin;/users',
    '/v1/admin;x=1/users',
    '/v1/admin%3b/users',
    '/v1/admin%3B/users',
    '/v1/admin;jsessionid=0A1B/users',
    '/v1/admin;',
    '/v1/admin;x=1',
    '/v1/x/..;/admin/users',
    '/v1/x/..;x=1/admin/users',
    '/v1/..;/v1/admin/users',
    '/v1/.;/admin/users',
    '/v1/;/admin/users',
    '/v1/;x/admin/users',
    '/v1/x/%2e%2e;/admin/users',
    '/v1/x/..%3b/admin/users',
    '/v1/%2e%2e;/v1/admin/users',
  ],
  case: ['/v1/ADMIN/users', '/v1/Admin/users', '/v1/aDmIn/users', '/v1/%41dmin/users', '/v1/ADMIN', '/v1/admIN;x/users', '/v1/ADMIN%3b/users'],
  backslash: [
    '/v1/admin%5cusers',
    '/v1/admin%5Cusers',
    '/v1/admin\\users',
    '/v1/x/..%5cadmin/users',
    '/v1/%2e%2e%5cadmin/users',
    '/v1/x%5c..%5cadmin/users',
    '/v1/%5cadmin/users',
    '/v1/admin%5c',
    '/v1/x\\..\\admin\\users',
  ],
  'overlong UTF-8 and Unicode': [
    '/v1/admin%c0%afusers',
    '/v1/x/%c0%ae%c0%ae/admin/users',
    '/v1/%c0%ae/admin/users',
    '/v1/admin%e0%80%afusers',
    '/v1/%c1%81dmin/users',
    '/v1/%ef%bd%81dmin/users',
    '/v1/adm%c4%b1n/users',
    '/v1/%ef%bc%a1DMIN/users',
    '/v1/admin%ef%bc%8fusers',
    '/v1/admin%ef%bc%bcusers',
    '/v1/x/%ef%bc%8e%ef%bc%8e/admin/users',
    '/v1/admin%ef%bc%9b/users',
    '/v1/admin%c2%a0/users',
    '/v1/admin%e2%80%8b/users',
    '/v1/admin%e2%88%95users',
    '/v1/x/%e2%80%a5/admin/users',
  ],
  'trailing dot, suffix, space': [
    '/v1/admin./users',
    '/v1/admin%2e/users',
    '/v1/admin../users',
    '/v1/admin.json',
    '/v1/admin.html',
    '/v1/admin.json/users',
    '/v1/admin%20/users',
    '/v1/admin%20',
    '/v1/admin+/users',
    '/v1/admin%2e%2e/users',
    '/v1/admin.%20/users',
    '/v1/admin::$DATA/users',
  ],
  'with a trick gin cleans': [
    '/v1//admin;/users',
    '/v1/./ADMIN/users',
    '/v1/x/../ADMIN/users',
    '/v1/%2e/admin;/users',
    '//v1/admin;x/users',
    '/v1/admin;/users/deeper/path',
  ],
};
const VARIANTS = Object.values(VARIANT_PATHS).flatMap((paths) => paths.map((p) => `GET ${p}`));

/** Paths under /v1 that no server reads as /v1/admin: each keeps reaching the backend (as the second item) through /v1. */
const CONTROLS: Array<[string, string]> = [
  ['/v1/public', '/v1/public'],
  ['/v1/administrators', '/v1/administrators'],
  ['/v1/admins/x', '/v1/admins/x'],
  ['/v1/admin-tools', '/v1/admin-tools'],
  ['/v1/admin_x', '/v1/admin_x'],
  ['/v1/adminx', '/v1/adminx'],
  ['/v1/adm1n', '/v1/adm1n'],
  ['/v1/ad', '/v1/ad'],
  ['/v1/x.admin', '/v1/x.admin'],
  ['/v1/x/admin', '/v1/x/admin'],
  ['/v1/x/admin/users', '/v1/x/admin/users'],
  ['/v1/v1/admin', '/v1/v1/admin'],
  ['/v1/users/admin;x', '/v1/users/admin;x'],
  ['/v1/users;jsessionid=0A1B', '/v1/users;jsessionid=0A1B'],
  ['/v1/x;y', '/v1/x;y'],
  ['/v1/.well-known/x', '/v1/.well-known/x'],
  ['/v1/x/...x', '/v1/x/...x'],
  ['/v1/files/a.b.c', '/v1/files/a.b.c'],
  ['/v1/files/report.json', '/v1/files/report.json'],
  ['/v1/files/a%20b', '/v1/files/a%20b'],
  ['/v1/search/a+b', '/v1/search/a+b'],
  ['/v1/files/caf%c3%a9', '/v1/files/caf%C3%A9'],
  ['/v1/files/%e5%90%8d%e5%89%8d', '/v1/files/%E5%90%8D%E5%89%8D'],
  ['/v1/a/b/c/d', '/v1/a/b/c/d'],
];

describeWithKrakend('path tricks on a public /v1 around a JWT /v1/admin, one backend', (bin) => {
  let stubs: Stubs<'app'>;
  let iam: Issuer;
  let gateway: RunningKrakend;
  let bearer: { Authorization: string };

  beforeAll(async () => {
    [stubs, iam] = await Promise.all([startStubs(['app']), startIssuer()]);
    gateway = await serveGateway(bin, trickSpec(stubs.app.url, iam));
    bearer = { Authorization: `Bearer ${iam.sign()}` };
  });
  afterAll(async () => {
    await stopAllKrakends();
    await closeStubs(stubs);
    await iam?.close();
  });

  test('control: the protected path answers 401 without a token and reaches the backend as the user with one', async () => {
    const anonymous = { 'GET /v1/admin/users': '401: no backend', 'GET /v1/public': '200: app GET /v1/public (no user)' };
    expect(await tricks(gateway, stubs, anonymous)).toEqual(anonymous);
    const withToken = { 'GET /v1/admin/users': '200: app GET /v1/admin/users (user-1)', 'GET /v1/public': '200: app GET /v1/public (no user)' };
    expect(await tricks(gateway, stubs, withToken, { headers: bearer })).toEqual(withToken);
  });

  test('//, /./, /../ and their percent-encoded forms get 401 without a token, and the backend is never called', async () => {
    const table = Object.fromEntries([...CLOSED, ...CLOSED_PREFIX].map((r) => [r, '401: no backend']));
    expect(await tricks(gateway, stubs, table)).toEqual(table);
  });

  test('with a token the same tricks land on the JWT endpoint: the backend gets the clean path and the user', async () => {
    const table = {
      ...Object.fromEntries(CLOSED.map((r) => [r, '200: app GET /v1/admin/users (user-1)'])),
      ...Object.fromEntries(CLOSED_PREFIX.map((r) => [r, '200: app GET /v1/admin (user-1)'])),
    };
    expect(await tricks(gateway, stubs, table, { headers: bearer })).toEqual(table);
  });

  test('a trailing slash on the protected path is redirected, never proxied without a token', async () => {
    const table = { 'GET /v1/admin/users/': '301 Location /v1/admin/users: no backend', 'GET /v1/admin/': '301 Location /v1/admin: no backend' };
    expect(await tricks(gateway, stubs, table)).toEqual(table);
  });

  test('refused on the public route before any backend: a segment that decodes twice or holds ? or # (400), a control character (500)', async () => {
    const table = {
      'GET /v1/%2561dmin/users': '400: no backend',
      'GET /v1/admin%252Fusers': '400: no backend',
      'GET /v1/admin%3f/users': '400: no backend',
      'GET /v1/admin%23/users': '400: no backend',
      'GET /v1/admin%00/users': '500: no backend',
      'GET /v1/admin%09/users': '500: no backend',
    };
    expect(await tricks(gateway, stubs, table)).toEqual(table);
  });

  test(`closed: all ${VARIANTS.length} \`;\`, case, backslash, overlong and Unicode, dot, suffix, space variants get 500, no backend`, async () => {
    // WHEN each variant is sent without a token, then with one (the public route reads no token)
    const table = Object.fromEntries(VARIANTS.map((r) => [r, '500: no backend']));

    // THEN krakend-cel refuses every one before the backend call
    expect(await tricks(gateway, stubs, table)).toEqual(table);
    expect(await tricks(gateway, stubs, table, { headers: bearer })).toEqual(table);
  });

  test('the refusal is 500 with an empty body, and KrakenD logged no CEL expression it could not parse or check', async () => {
    const res = await send(gateway.url, { path: '/v1/admin;/users' });
    expect([res.status, res.text, res.headers['x-krakend-completed']]).toEqual([500, '', 'false']);
    // krakend-cel drops a list it cannot parse with a WARNING, and skips an expression that does not type-check
    expect(gateway.logs()).toContain('[CEL][pre] Evaluator #0 result: false');
    expect(gateway.logs()).not.toMatch(/error parsing the expression|Falling back|Error parsing the definitions/);
  });

  test(`control: the ${CONTROLS.length} paths under /v1 that no server reads as /v1/admin still reach the backend, without a user`, async () => {
    const table = Object.fromEntries(CONTROLS.map(([p, reached]) => [`GET ${p}`, `200: app GET ${reached} (no user)`]));
    expect(await tricks(gateway, stubs, table)).toEqual(table);
  });
});

describeWithKrakend('path tricks without remove_extra_slash (what the option closes)', (bin) => {
  let stubs: Stubs<'app'>;
  let iam: Issuer;
  let gateway: RunningKrakend;
  let withChecks: RunningKrakend;

  beforeAll(async () => {
    // GIVEN the rendered config with the router's remove_extra_slash deleted, and the path checks of
    // the public route too (they refuse these tricks on their own: the last test)
    [stubs, iam] = await Promise.all([startStubs(['app']), startIssuer()]);
    const config = JSON.parse(renderedKrakendJson(trickSpec(stubs.app.url, iam)));
    expect(config.extra_config.router.remove_extra_slash).toBe(true);
    delete config.extra_config.router.remove_extra_slash;
    withChecks = await startKrakend(bin, config);
    for (const e of config.endpoints) if (e.extra_config?.['validation/cel']) delete e.extra_config['validation/cel'];
    gateway = await startKrakend(bin, config);
  });
  afterAll(async () => {
    await stopAllKrakends();
    await closeStubs(stubs);
    await iam?.close();
  });

  test('without remove_extra_slash, `//`, `/./`, `/../` and %2e tricks reach the backend unauthenticated through the public route', async () => {
    // WHEN the tricks are sent without a token
    const table = {
      'GET /v1/admin/users': '401: no backend',
      'GET /v1//admin/users': '200: app GET /v1//admin/users (no user)',
      'GET /v1/./admin/users': '200: app GET /v1/./admin/users (no user)',
      'GET /v1/x/../admin/users': '200: app GET /v1/x/../admin/users (no user)',
      'GET /v1/%2e%2e/v1/admin/users': '200: app GET /v1/../v1/admin/users (no user)',
      'GET /v1/%2e/admin/users': '200: app GET /v1/./admin/users (no user)',
      'GET /v1/%2fadmin/users': '200: app GET /v1//admin/users (no user)',
      // Decoding alone already closes this one: Go's URL.Path holds the real slash.
      'GET /v1/admin%2Fusers': '401: no backend',
    };

    // THEN each reaches the shared backend without a user
    expect(await tricks(gateway, stubs, table)).toEqual(table);
    // AND a backend that normalizes the path (as Node's path.posix.normalize does) reads each as the protected one
    const backendPaths = Object.values(table).flatMap((line) => /^200: app GET (\S+)/.exec(line)?.[1] ?? []);
    expect(backendPaths.map((p) => path.posix.normalize(p))).toEqual(Array(6).fill('/v1/admin/users'));
  });

  test('the path checks of the public route refuse the same tricks on their own, without remove_extra_slash', async () => {
    const table = {
      'GET /v1//admin/users': '500: no backend',
      'GET /v1/./admin/users': '500: no backend',
      'GET /v1/x/../admin/users': '500: no backend',
      'GET /v1/%2e%2e/v1/admin/users': '500: no backend',
      'GET /v1/%2e/admin/users': '500: no backend',
      'GET /v1/%2fadmin/users': '500: no backend',
      'GET /v1/public': '200: app GET /v1/public (no user)',
    };
    expect(await tricks(withChecks, stubs, table)).toEqual(table);
  });
});

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
 * - gin leaves `;`, letter case, `\`, and trailing dots or extensions alone: such paths match the
 *   public route and reach the backend unauthenticated. Servlet containers drop `;…` path
 *   parameters (Tomcat, Jetty: `/v1/admin;x=1/users` and `/v1/x/..;/admin/users` read as
 *   `/v1/admin/users`), case-insensitive routers (ASP.NET, IIS) ignore case, IIS reads `\` as `/`
 *   and drops trailing dots, and suffix pattern matching (Spring MVC before 5.3) serves
 *   `/v1/admin.json` as `/v1/admin`. The "not closed yet" tests record that behaviour as it is
 *   today, so a fix flips them.
 */
import * as path from 'path';
import { GatewaySpec } from '../../lib';
import { RunningKrakend, describeWithKrakend, renderedKrakendJson, serveGateway, startKrakend, stopAllKrakends } from '../support/krakend';
import { ClientRequest, Issuer, startIssuer } from '../support/peers';
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

  test('not closed yet (documented limit): a `;` path parameter reaches the backend through the public route, without a token', async () => {
    const table = {
      'GET /v1/admin;/users': '200: app GET /v1/admin;/users (no user)',
      'GET /v1/admin;x=1/users': '200: app GET /v1/admin;x=1/users (no user)',
      'GET /v1/admin%3b/users': '200: app GET /v1/admin;/users (no user)',
      'GET /v1/admin%3B/users': '200: app GET /v1/admin;/users (no user)',
      'GET /v1/x/..;/admin/users': '200: app GET /v1/x/..;/admin/users (no user)',
    };
    expect(await tricks(gateway, stubs, table)).toEqual(table);
  });

  test('not closed yet (documented limit): letter case reaches the backend through the public route, without a token', async () => {
    const table = {
      'GET /v1/ADMIN/users': '200: app GET /v1/ADMIN/users (no user)',
      'GET /v1/Admin/users': '200: app GET /v1/Admin/users (no user)',
      'GET /v1/%41dmin/users': '200: app GET /v1/Admin/users (no user)',
    };
    expect(await tricks(gateway, stubs, table)).toEqual(table);
  });

  test('not closed yet (documented limit): a backslash, raw or %5c, reaches the backend through the public route, without a token', async () => {
    const table = {
      'GET /v1/admin%5cusers': '200: app GET /v1/admin%5Cusers (no user)',
      'GET /v1/admin\\users': '200: app GET /v1/admin%5Cusers (no user)',
      'GET /v1/%2e%2e%5cadmin/users': '200: app GET /v1/..%5Cadmin/users (no user)',
    };
    expect(await tricks(gateway, stubs, table)).toEqual(table);
  });

  test('not closed yet (documented limit): an extension, a trailing dot or space reaches the backend via the public route, tokenless', async () => {
    const table = {
      'GET /v1/admin.json': '200: app GET /v1/admin.json (no user)',
      'GET /v1/admin./users': '200: app GET /v1/admin./users (no user)',
      'GET /v1/admin%2e/users': '200: app GET /v1/admin./users (no user)',
      'GET /v1/admin%20/users': '200: app GET /v1/admin%20/users (no user)',
    };
    expect(await tricks(gateway, stubs, table)).toEqual(table);
  });
});

describeWithKrakend('path tricks without remove_extra_slash (what the option closes)', (bin) => {
  let stubs: Stubs<'app'>;
  let iam: Issuer;
  let gateway: RunningKrakend;

  beforeAll(async () => {
    // GIVEN the rendered config with only the router's remove_extra_slash deleted
    [stubs, iam] = await Promise.all([startStubs(['app']), startIssuer()]);
    const config = JSON.parse(renderedKrakendJson(trickSpec(stubs.app.url, iam)));
    expect(config.extra_config.router.remove_extra_slash).toBe(true);
    delete config.extra_config.router.remove_extra_slash;
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
});

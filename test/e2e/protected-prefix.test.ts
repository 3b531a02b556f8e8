/**
 * A protected prefix beside a less protected route on the same backend server, through the real
 * KrakenD CE 2.13 (`krakend run`) serving what the Gateway construct renders (only the port changed),
 * with stub backends on 127.0.0.1.
 *
 * Methods. gin keeps one route tree per method (gin `tree.go`; lura registers each endpoint under its
 * one method, lura `router/gin/engine.go`), so a method that `/v1/admin` does not list is routed by the
 * longest prefix that does: a public `/v1` on the same backend sent `DELETE /v1/admin/users` there
 * without a token. Validation now refuses that spec at the protected route's `methods`
 * (lib/validation/protected-prefixes.ts); the rule counts only the same backend server, because a
 * public route on another backend sends the request to its own backend, which the protected one never
 * sees. The public route's path check (lib/krakend/cel.ts) also refuses `/v1/admin/…` on it, so even a
 * config rendered past validation does not let it through.
 *
 * Shapes. The path check of path-tricks.test.ts holds for a public parent at the root, a sibling route
 * on the same backend (`/auth/..;/v1/users` climbs out of it), stripPrefix and base paths (it compares
 * the backend paths), an exact protected route (only its own path is protected), and a parent of
 * another auth policy. Routes on another backend get no check.
 */
import { GatewaySpec } from '../../lib';
import { buildKrakendConfig, serializeKrakendConfig } from '../../lib/krakend/render';
import { describeWithKrakend, RunningKrakend, renderedKrakendJson, serveGateway, startKrakend, stopAllKrakends } from '../support/krakend';
import { ClientRequest, Issuer, startIssuer } from '../support/peers';
import { Stubs, closeStubs, outcome, startStubs } from './routing-support';
import { resolveSpec } from '../../lib/resolve';

const ALL_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

function policy(iam: Issuer, name = 'iam') {
  return { name, type: 'jwt' as const, iamEndpoint: iam.iss, jwksUrl: iam.jwksUrl, allowInsecureJwks: true };
}

/** The issue's spec: `/v1` public with every method, `/v1/admin` JWT with GET and POST, one backend. */
function issueSpec(app: string, iam: Issuer, adminMethods: GatewaySpec['routes'][number]['methods'] = ['GET', 'POST']): GatewaySpec {
  return {
    routes: [
      { prefix: '/v1', backend: app, methods: [...ALL_METHODS] },
      { prefix: '/v1/admin', backend: app, authPolicy: 'iam', methods: adminMethods },
    ],
    authPolicies: [policy(iam)],
  };
}

/** The outcome of each request (routing-support.ts), followed by the X-User-Id the backend got. */
async function outcomesWithUser(
  gateway: RunningKrakend,
  stubs: Stubs<string>,
  table: Readonly<Record<string, string>>,
  extra: Partial<ClientRequest> = {},
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const request of Object.keys(table)) {
    const line = await outcome(gateway, stubs, request, extra);
    const users = Object.values(stubs).flatMap((s) => s.requests.map((r) => r.headers['x-user-id'] ?? 'no user'));
    out[request] = users.length === 0 ? line : `${line} (${users.join(', ')})`;
  }
  return out;
}

describeWithKrakend('a protected prefix that lists fewer methods than its public parent', (bin) => {
  let stubs: Stubs<'app' | 'admin'>;
  let iam: Issuer;
  let bearer: { Authorization: string };

  beforeAll(async () => {
    [stubs, iam] = await Promise.all([startStubs(['app', 'admin']), startIssuer()]);
    bearer = { Authorization: `Bearer ${iam.sign()}` };
  });
  afterAll(async () => {
    await stopAllKrakends();
    await closeStubs(stubs);
    await iam?.close();
  });

  test('the issue’s spec is refused at the protected route’s methods, naming the methods, the public route and the fix', () => {
    expect(() => renderedKrakendJson(issueSpec(stubs.app.url, iam))).toThrow(
      'spec.routes[1].methods: does not route PUT, PATCH, DELETE, which spec.routes[0] (/v1, public) then serves below /v1/admin on the ' +
        'same backend server: PUT /v1/admin/… reaches it without a token (got ["GET","POST"]) — add PUT, PATCH, DELETE to this ' +
        `route's methods so that they need auth policy "iam", or give spec.routes[0] another backend`,
    );
  });

  test('a config rendered past validation still does not pass DELETE /v1/admin/users: the path check of /v1 answers 500', async () => {
    // GIVEN the refused spec rendered by the renderer alone, as an older release served it
    const gateway = await startKrakend(bin, serializeKrakendConfig(buildKrakendConfig(resolveSpec(issueSpec(stubs.app.url, iam)))));

    // WHEN the methods /v1/admin leaves out are sent without a token
    const table = {
      'DELETE /v1/admin/users': '500: no backend',
      'PUT /v1/admin/users': '500: no backend',
      'PATCH /v1/admin': '500: no backend',
      'GET /v1/admin/users': '401: no backend',
      'DELETE /v1/public': '200: app DELETE /v1/public (no user)',
    };

    // THEN none reaches the backend through /v1, and /v1's own paths still do
    expect(await outcomesWithUser(gateway, stubs, table)).toEqual(table);
    await gateway.stop();
  });

  test('with the methods added, every method under /v1/admin needs the token, and /v1 keeps them elsewhere', async () => {
    // GIVEN the fix the message names
    const gateway = await serveGateway(bin, issueSpec(stubs.app.url, iam, [...ALL_METHODS]));

    // THEN without a token each method under /v1/admin gets 401 and never reaches the backend
    const anonymous = Object.fromEntries(ALL_METHODS.map((m) => [`${m} /v1/admin/users`, '401: no backend']));
    expect(await outcomesWithUser(gateway, stubs, { ...anonymous, 'DELETE /v1/public': '' })).toEqual({
      ...anonymous,
      'DELETE /v1/public': '200: app DELETE /v1/public (no user)',
    });
    // AND with one each reaches it as the token's user
    const withToken = Object.fromEntries(ALL_METHODS.map((m) => [`${m} /v1/admin/users`, `200: app ${m} /v1/admin/users (user-1)`]));
    expect(await outcomesWithUser(gateway, stubs, withToken, { headers: bearer })).toEqual(withToken);
    await gateway.stop();
  });

  test('on another backend it is no hole and passes: DELETE /v1/admin/users reaches the public backend, never the protected one', async () => {
    // GIVEN /v1 public on `app`, /v1/admin JWT with GET and POST on `admin`
    const spec: GatewaySpec = {
      routes: [
        { prefix: '/v1', backend: stubs.app.url.replace('127.0.0.1', 'localhost'), methods: [...ALL_METHODS] },
        { prefix: '/v1/admin', backend: stubs.admin.url, authPolicy: 'iam', methods: ['GET', 'POST'] },
      ],
      authPolicies: [policy(iam)],
    };
    // (127.0.0.1 and localhost are one server to the rule: give the public route a real other host)
    expect(() => renderedKrakendJson(spec)).toThrow(/spec\.routes\[1\]\.methods: does not route PUT, PATCH, DELETE/);
    const apart: GatewaySpec = { ...spec, routes: [{ ...spec.routes[0], backend: 'http://app.other.svc' }, spec.routes[1]] };
    const config = JSON.parse(renderedKrakendJson(apart));
    expect(JSON.stringify(config)).not.toContain('req_params');

    // WHEN that config is served with the public route pointed at the `app` stub
    const gateway = await startKrakend(bin, JSON.stringify(config).replaceAll('http://app.other.svc', stubs.app.url));
    const table = {
      'DELETE /v1/admin/users': '200: app DELETE /v1/admin/users (no user)',
      'GET /v1/admin/users': '401: no backend',
      'GET /v1/ADMIN/users': '200: app GET /v1/ADMIN/users (no user)',
    };

    // THEN the protected backend never sees a request without a token
    expect(await outcomesWithUser(gateway, stubs, table)).toEqual(table);
    await gateway.stop();
  });
});

describeWithKrakend('path variants of a protected prefix on other route shapes, one backend', (bin) => {
  let stubs: Stubs<'app'>;
  let iam: Issuer;
  let partner: Issuer;

  beforeAll(async () => {
    [stubs, iam, partner] = await Promise.all([startStubs(['app']), startIssuer(), startIssuer('https://partner.test')]);
  });
  afterAll(async () => {
    await stopAllKrakends();
    await closeStubs(stubs);
    await iam?.close();
    await partner?.close();
  });

  test('a public root route: variants of /v1/admin are refused at any depth, the rest of / passes', async () => {
    const gateway = await serveGateway(bin, {
      routes: [
        { prefix: '/', backend: stubs.app.url },
        { prefix: '/v1/admin', backend: stubs.app.url, authPolicy: 'iam' },
      ],
      authPolicies: [policy(iam)],
    });
    const table = {
      'GET /V1/ADMIN/users': '500: no backend',
      'GET /v1/ADMIN': '500: no backend',
      'GET /v1;x/admin/users': '500: no backend',
      'GET /v1%5cadmin%5cusers': '500: no backend',
      'GET /x/..;/v1/admin': '500: no backend',
      'GET /v1/admin/users': '401: no backend',
      'GET /v1/public': '200: app GET /v1/public (no user)',
      'GET /v2/admin/users': '200: app GET /v2/admin/users (no user)',
      'GET /V1': '200: app GET /V1 (no user)',
    };
    expect(await outcomesWithUser(gateway, stubs, table)).toEqual(table);
    await gateway.stop();
  });

  test('a sibling public route on the same backend: a `;` or `\\` climb out of it is refused, its own paths pass', async () => {
    const gateway = await serveGateway(bin, {
      routes: [
        { prefix: '/auth', backend: stubs.app.url },
        { prefix: '/v1', backend: stubs.app.url, authPolicy: 'iam' },
      ],
      authPolicies: [policy(iam)],
    });
    const table = {
      'GET /auth/..;/v1/users': '500: no backend',
      'GET /auth/..;x=1/v1/users': '500: no backend',
      'GET /auth/..%5cv1%5cusers': '500: no backend',
      'GET /auth/%c0%ae%c0%ae/v1/users': '500: no backend',
      'GET /auth/login': '200: app GET /auth/login (no user)',
      'GET /auth/v1/users': '200: app GET /auth/v1/users (no user)',
      'GET /v1/users': '401: no backend',
    };
    expect(await outcomesWithUser(gateway, stubs, table)).toEqual(table);
    await gateway.stop();
  });

  test('stripPrefix: a public route that sends /public/… to / of the server may not send the protected /admin, in any spelling', async () => {
    const gateway = await serveGateway(bin, {
      routes: [
        { prefix: '/public', backend: stubs.app.url, stripPrefix: true },
        { prefix: '/admin', backend: stubs.app.url, authPolicy: 'iam' },
      ],
      authPolicies: [policy(iam)],
    });
    const table = {
      'GET /public/admin/users': '500: no backend',
      'GET /public/ADMIN/users': '500: no backend',
      'GET /public/admin;x/users': '500: no backend',
      'GET /public/docs': '200: app GET /docs (no user)',
      'GET /public/administrators': '200: app GET /administrators (no user)',
    };
    expect(await outcomesWithUser(gateway, stubs, table)).toEqual(table);
    await gateway.stop();
  });

  test('an exact protected route protects its path alone: its variants are refused, the paths below stay public', async () => {
    const gateway = await serveGateway(bin, {
      routes: [
        { prefix: '/v1', backend: stubs.app.url },
        { prefix: '/v1/admin', backend: stubs.app.url, authPolicy: 'iam', exact: true },
      ],
      authPolicies: [policy(iam)],
    });
    const table = {
      'GET /v1/ADMIN': '500: no backend',
      'GET /v1/admin;x=1': '500: no backend',
      'GET /v1/admin.json': '500: no backend',
      'GET /v1/admin': '401: no backend',
      'GET /v1/admin/users': '200: app GET /v1/admin/users (no user)',
      'GET /v1/admin;x/users': '200: app GET /v1/admin;x/users (no user)',
    };
    expect(await outcomesWithUser(gateway, stubs, table)).toEqual(table);
    await gateway.stop();
  });

  test('a parent of another auth policy: its tokens do not reach /v1/admin through a variant either', async () => {
    const gateway = await serveGateway(bin, {
      routes: [
        { prefix: '/v1', backend: stubs.app.url, authPolicy: 'partner' },
        { prefix: '/v1/admin', backend: stubs.app.url, authPolicy: 'iam' },
      ],
      authPolicies: [policy(iam), policy(partner, 'partner')],
    });
    const table = {
      'GET /v1/ADMIN/users': '500: no backend',
      'GET /v1/admin;/users': '500: no backend',
      'GET /v1/admin/users': '401: no backend',
      'GET /v1/reports': '200: app GET /v1/reports (user-1)',
    };
    expect(await outcomesWithUser(gateway, stubs, table, { headers: { Authorization: `Bearer ${partner.sign()}` } })).toEqual(table);
    await gateway.stop();
  });
});

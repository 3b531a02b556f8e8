/**
 * Composed routes (`backends`) through the real KrakenD CE 2.13 (`krakend run`), serving what the
 * construct renders: one endpoint, several loopback services, one merged JSON answer. Each expected
 * answer is written out here from what the services send:
 * - two services merged, each under its group; `allow`, `deny`, `mapping`, `target` and a collection;
 * - sequential calls, the second backend's path filled from the first answer (`{resp0_id}`);
 * - one backend down or late: a 200 with the other's part and `X-Krakend-Completed: false`; all down;
 * - a JWT route: the identity headers from the token reach every backend, a client's forged ones none,
 *   and the rate limit counts the client request once, however many backends it calls;
 * - `krakend check -t -n` and the gin replay accept the rendered shapes.
 */
import { GatewaySpec, renderKrakendConfig } from '../../lib';
import { RunningKrakend, describeWithKrakend, krakendCheck, serveGateway, stopAllKrakends } from '../support/krakend';
import { expectRouting } from '../support/conformance';
import { Issuer, RecordedRequest, StubBackend, StubReply, send, startIssuer, startStub } from '../support/peers';
import { bearer, receivedHeaders } from './auth-support';

const IDENTITY = ['x-user-id', 'x-org-id'];

function json(body: unknown, delayMs?: number): StubReply {
  return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), delayMs };
}

/** The users service: the caller's profile, with a field the gateway must not pass on. */
function users(req: RecordedRequest): StubReply {
  if (req.path === '/users/me')
    return json({ id: 7, name: 'Ann', password: 'hunter2', profile: { city: 'Oslo', zip: '0150' }, user: req.headers['x-user-id'] ?? null });
  if (req.path === '/users/slow') return json({ id: 7 }, 1500);
  return { status: 404, body: 'no such user' };
}

/** The orders service: all orders, and a user's summary. */
function orders(req: RecordedRequest): StubReply {
  if (req.path === '/orders') return json([{ id: 1 }, { id: 2 }]);
  if (req.path === '/orders/summary/7') return json({ count: 2, latest: { id: 2, total: 30 } });
  if (req.path === '/orders/failing') return { status: 500, body: 'boom' };
  return { status: 404, body: 'no such order' };
}

function compositionSpec(iam: Issuer, u: StubBackend, o: StubBackend, down: string): GatewaySpec {
  return {
    authPolicies: [{ name: 'iam', type: 'jwt', iamEndpoint: iam.iss, jwksUrl: iam.jwksUrl, allowInsecureJwks: true }],
    rateLimits: [{ name: 'per-user', maxRate: 2, every: '1h' }],
    routes: [
      {
        prefix: '/v1/dashboard',
        exact: true,
        backends: [
          { url: `${u.url}/users/me`, group: 'user', deny: ['password', 'profile.zip'] },
          { url: `${o.url}/orders`, group: 'orders', isCollection: true, mapping: { collection: 'items' } },
        ],
      },
      {
        prefix: '/v1/profile',
        exact: true,
        backends: [
          { url: `${u.url}/users/me`, allow: ['name', 'profile.city'], mapping: { name: 'fullName' } },
          { url: `${o.url}/orders/summary/7`, target: 'latest' },
        ],
      },
      {
        prefix: '/v1/my-orders',
        exact: true,
        sequential: true,
        backends: [
          { url: `${u.url}/users/me`, group: 'user', allow: ['id'] },
          // lura reads the earlier answer as merged: under its group (proxy/merging.go, sequentialMerge).
          { url: `${o.url}/orders/summary/{resp0_user.id}`, group: 'summary' },
        ],
      },
      {
        prefix: '/v1/chain-broken',
        exact: true,
        sequential: true,
        backends: [
          { url: `${down}/users`, group: 'user' },
          { url: `${o.url}/orders/summary/{resp0_user.id}`, group: 'summary' },
        ],
      },
      {
        prefix: '/v1/partial',
        exact: true,
        backends: [
          { url: `${u.url}/users/me`, group: 'user', allow: ['id'] },
          { url: `${down}/gone`, group: 'gone' },
        ],
      },
      {
        prefix: '/v1/failing',
        exact: true,
        backends: [
          { url: `${u.url}/users/me`, group: 'user', allow: ['id'] },
          { url: `${o.url}/orders/failing`, group: 'orders' },
        ],
      },
      {
        prefix: '/v1/late',
        exact: true,
        timeout: '1s',
        backends: [
          { url: `${o.url}/orders/summary/7`, group: 'summary' },
          { url: `${u.url}/users/slow`, group: 'user' },
        ],
      },
      {
        prefix: '/v1/all-down',
        exact: true,
        backends: [
          { url: `${down}/a`, group: 'a' },
          { url: `${down}/b`, group: 'b' },
        ],
      },
      {
        prefix: '/v1/private',
        exact: true,
        authPolicy: 'iam',
        rateLimit: 'per-user',
        backends: [
          { url: `${u.url}/users/me`, group: 'user', allow: ['user'] },
          { url: `${o.url}/orders/summary/7`, group: 'summary', allow: ['count'] },
        ],
      },
    ],
  };
}

describeWithKrakend('composed routes in krakend run', (bin) => {
  let iam: Issuer;
  let u: StubBackend;
  let o: StubBackend;
  let spec: GatewaySpec;
  let gateway: RunningKrakend;

  beforeAll(async () => {
    iam = await startIssuer();
    u = await startStub(users);
    o = await startStub(orders);
    // A port nothing listens on: a stub that is started and closed again.
    const gone = await startStub();
    await gone.close();
    spec = compositionSpec(iam, u, o, gone.url);
    gateway = await serveGateway(bin, spec);
  }, 60_000);

  afterAll(async () => {
    await stopAllKrakends();
    await Promise.all([iam?.close(), u?.close(), o?.close()]);
  });

  beforeEach(() => {
    u.clear();
    o.clear();
  });

  const get = (path: string, headers: Record<string, string> = {}) => send(gateway.url, { path, headers });
  const parsed = (text: string) => JSON.parse(text) as unknown;

  test('KrakenD accepts the rendered config (check -t -n), and gin routes each composed path to its first backend', async () => {
    const config = renderKrakendConfig(spec);
    const check = await krakendCheck(bin, config);
    expect(check.output).toContain('Syntax OK!');
    expect(check.ok).toBe(true);
    // ginroute reports the first backend of an endpoint. The sequential route is left out: ginroute
    // refuses {resp0_id} in a url_pattern, which lura lets through (config.go, sequentialParamsPattern) and KrakenD accepts above.
    const parallel = { ...spec, routes: spec.routes.filter((r) => r.sequential !== true) };
    expectRouting(renderKrakendConfig(parallel), [
      `GET /v1/dashboard ${u.url}/users/me`,
      `GET /v1/profile ${u.url}/users/me`,
      'GET /v1/dashboard/x 404',
      'POST /v1/dashboard 404',
    ]);
  });

  test('two services merge into one answer, each under its group; deny drops fields, a collection is renamed by mapping', async () => {
    const res = await get('/v1/dashboard');
    expect([res.status, res.headers['content-type'], res.headers['x-krakend-completed']]).toEqual([200, 'application/json; charset=utf-8', 'true']);
    expect(parsed(res.text)).toEqual({
      user: { id: 7, name: 'Ann', profile: { city: 'Oslo' }, user: null },
      orders: { items: [{ id: 1 }, { id: 2 }] },
    });
    expect(u.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /users/me']);
    expect(o.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /orders']);
  });

  test('allow keeps the fields named (nested ones too), mapping renames, target takes a sub-object: all merged at the top level', async () => {
    const res = await get('/v1/profile');
    expect(res.status).toBe(200);
    expect(parsed(res.text)).toEqual({ fullName: 'Ann', profile: { city: 'Oslo' }, id: 2, total: 30 });
  });

  test('sequential: the second backend is called after the first, with {resp0_user.id} from its answer', async () => {
    const res = await get('/v1/my-orders');
    expect(res.status).toBe(200);
    expect(parsed(res.text)).toEqual({ user: { id: 7 }, summary: { count: 2, latest: { id: 2, total: 30 } } });
    expect(o.requests.map((r) => r.path)).toEqual(['/orders/summary/7']);
  });

  test('sequential with the first backend down: 500, and the backends after it are never called', async () => {
    const res = await get('/v1/chain-broken');
    expect([res.status, res.text]).toEqual([500, '']);
    expect(o.requests).toEqual([]);
  });

  test('one backend down: 200 with the other part, and X-Krakend-Completed: false', async () => {
    const res = await get('/v1/partial');
    expect([res.status, res.headers['x-krakend-completed']]).toEqual([200, 'false']);
    expect(parsed(res.text)).toEqual({ user: { id: 7 } });
  });

  test('one backend answering 500: its part is left out the same way', async () => {
    const res = await get('/v1/failing');
    expect([res.status, res.headers['x-krakend-completed']]).toEqual([200, 'false']);
    expect(parsed(res.text)).toEqual({ user: { id: 7 } });
    expect(res.text).not.toContain('boom');
  });

  test('one backend past the merge timeout (85% of the route timeout): the answer comes without it, before the route timeout', async () => {
    const started = Date.now();
    const res = await get('/v1/late');
    const took = Date.now() - started;
    expect([res.status, res.headers['x-krakend-completed']]).toEqual([200, 'false']);
    expect(parsed(res.text)).toEqual({ summary: { count: 2, latest: { id: 2, total: 30 } } });
    // lura cuts the merge at 85% of the 1s timeout (proxy/merging.go); the slow backend answers after 1.5s.
    expect(took).toBeGreaterThanOrEqual(800);
    expect(took).toBeLessThan(1400);
  });

  test('every backend down: KrakenD answers 500 with no body', async () => {
    const res = await get('/v1/all-down');
    expect([res.status, res.headers['x-krakend-completed'], res.text]).toEqual([500, 'false', '']);
  });

  test('a JWT route: the identity headers from the token reach every backend, the client’s forged ones none', async () => {
    const token = iam.sign({ sub: 'user-42', owner: 'org-9' });
    const res = await get('/v1/private', { ...bearer(token), 'X-User-Id': 'forged', 'X-Org-Id': 'forged-org' });
    expect(res.status).toBe(200);
    expect(parsed(res.text)).toEqual({ user: { user: 'user-42' }, summary: { count: 2 } });
    for (const req of [...u.requests, ...o.requests])
      expect(receivedHeaders(req, IDENTITY)).toEqual({ 'x-user-id': ['user-42'], 'x-org-id': ['org-9'] });
    expect(u.requests).toHaveLength(1);
    expect(o.requests).toHaveLength(1);
  });

  test('a JWT route refuses a missing token before any backend is called, and its rate limit counts client requests', async () => {
    const none = await get('/v1/private', { 'X-User-Id': 'forged' });
    expect(none.status).toBe(401);
    expect([u.requests.length, o.requests.length]).toEqual([0, 0]);
    const token = iam.sign({ sub: 'user-limit', owner: 'org-1' });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await get('/v1/private', bearer(token))).status);
    // Two client requests per hour, each calling two backends: the third is refused.
    expect(statuses).toEqual([200, 200, 429]);
    expect([u.requests.length, o.requests.length]).toEqual([2, 2]);
  });
});

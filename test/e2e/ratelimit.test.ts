/**
 * Rate limits end to end: the real KrakenD CE (`krakend run`) serves exactly the krakend.json the
 * Gateway construct renders, in front of a stub backend and an IAM serving a JWKS, all on 127.0.0.1.
 * It proves what each kind of limit counts and what a client over it gets. Every limit refills one
 * token an hour, so a test only ever spends its burst (`capacity`) and never waits for a refill.
 *
 * KrakenD facts relied on, each checked by a test below:
 * - krakend-ratelimit (`router/gin/gin.go`, RateLimiterWrapperFromCfg) wraps the endpoint in the
 *   per-client limiter (`client_max_rate`/`client_capacity`, NewTokenLimiterMw: 429 when the
 *   client's bucket is empty or its key is empty) around the endpoint-wide one (`max_rate`/`capacity`,
 *   NewEndpointRateLimiterMw: 503). A request refused by its client's bucket never takes a token of
 *   the endpoint's bucket.
 * - The client key is the `X-User-Id` header for `strategy: header` (HeaderTokenExtractor), gin's
 *   `ClientIP()` for `strategy: ip` (`router/gin/tokenextractor.go`); without a known strategy the
 *   per-client limiter is not installed at all (TokenExtractorFromCfg fails, a warning is logged).
 * - krakend-ce `handler_factory.go` puts the JWT validator (krakend-jose `gin/jose.go`) outside the
 *   rate limiter: `X-User-Id` is already the token's `sub` when the limiter reads it.
 * - gin's `ClientIP()` (`context.go`, with lura `router/gin/engine.go` passing `trusted_proxies`)
 *   takes `X-Forwarded-For` only from a trusted proxy, read from the right; lura `NewRequest`
 *   (`router/gin/endpoint.go`) sends that address to the backend as `X-Forwarded-For`.
 * - Each endpoint handler builds its own store (`router.StoreFromCfg`), so every depth of a prefix
 *   counts apart.
 */
import { GatewaySpec } from '../../lib';
import { describeWithKrakend, RunningKrakend, serveGateway, stopAllKrakends } from '../support/krakend';
import { ClientRequest, Issuer, send, startIssuer, startStub, StubBackend } from '../support/peers';
import { bearer, serveAltered, withoutRateLimitStrategy } from './auth-support';

/** The gateway whose proxy is the loopback client: it may name any client in X-Forwarded-For. */
function trustingSpec(iam: Issuer, backend: StubBackend): GatewaySpec {
  return {
    trustedProxies: ['127.0.0.1/32'],
    authPolicies: [{ name: 'iam', type: 'jwt', iamEndpoint: iam.iss, jwksUrl: iam.jwksUrl, allowInsecureJwks: true }],
    rateLimits: [
      { name: 'per-user', maxRate: 1, capacity: 3, every: '1h' },
      { name: 'per-ip', maxRate: 1, capacity: 2, every: '1h' },
      { name: 'everyone', key: 'global', maxRate: 1, capacity: 3, every: '1h' },
      { name: 'capped', maxRate: 1, capacity: 2, totalMaxRate: 3, totalCapacity: 3, every: '1h' },
      { name: 'per-depth', maxRate: 1, capacity: 2, every: '1h' },
    ],
    routes: [
      { prefix: '/user', backend: backend.url, authPolicy: 'iam', rateLimit: 'per-user', exact: true },
      { prefix: '/ip', backend: backend.url, rateLimit: 'per-ip', exact: true },
      { prefix: '/everyone', backend: backend.url, rateLimit: 'everyone', exact: true },
      { prefix: '/capped-users', backend: backend.url, authPolicy: 'iam', rateLimit: 'capped', exact: true },
      { prefix: '/capped-ips', backend: backend.url, rateLimit: 'capped', exact: true },
      { prefix: '/p', backend: backend.url, rateLimit: 'per-depth', prefixDepth: 2 },
    ],
  };
}

/** The same per-IP limit behind the default trustedProxies, which do not hold 127.0.0.1. */
function defaultProxiesSpec(backend: StubBackend): GatewaySpec {
  return {
    rateLimits: [{ name: 'per-ip', maxRate: 1, capacity: 2, every: '1h' }],
    routes: [{ prefix: '/ip', backend: backend.url, rateLimit: 'per-ip', exact: true }],
  };
}

/** Sends the requests one after the other and returns their statuses. */
async function statuses(baseUrl: string, requests: ClientRequest[]): Promise<number[]> {
  const out: number[] = [];
  for (const req of requests) out.push((await send(baseUrl, req)).status);
  return out;
}

const from = (ip: string) => ({ 'X-Forwarded-For': ip });

describeWithKrakend('rate limits in krakend run', (bin) => {
  let iam: Issuer;
  let backend: StubBackend;
  let trusting: RunningKrakend;
  let defaultProxies: RunningKrakend;
  const tokenOf = (sub: string) => bearer(iam.sign({ sub }));

  beforeAll(async () => {
    iam = await startIssuer();
    backend = await startStub();
    [trusting, defaultProxies] = await Promise.all([serveGateway(bin, trustingSpec(iam, backend)), serveGateway(bin, defaultProxiesSpec(backend))]);
  }, 60_000);

  afterAll(async () => {
    await stopAllKrakends();
    await backend?.close();
    await iam?.close();
  });

  beforeEach(() => backend.clear());

  test('per user: after capacity requests the user gets 429, a forged X-User-Id does not help, another user still passes', async () => {
    // GIVEN per-user: capacity 3, refilling one an hour
    const alice = tokenOf('alice');

    // WHEN
    const got = await statuses(trusting.url, [
      { path: '/user', headers: alice },
      { path: '/user', headers: alice },
      { path: '/user', headers: alice },
      { path: '/user', headers: alice },
      { path: '/user', headers: { ...alice, 'X-User-Id': 'mallory' } },
      { path: '/user', headers: tokenOf('bob') },
    ]);

    // THEN
    expect(got).toEqual([200, 200, 200, 429, 429, 200]);
    expect(backend.requests.map((r) => r.headers['x-user-id'])).toEqual(['alice', 'alice', 'alice', 'bob']);
  });

  test('per user: a valid token without the user claim is refused with 401 by the validator, before the limiter', async () => {
    const res = await send(trusting.url, { path: '/user', headers: bearer(iam.sign({ sub: undefined })) });

    expect(res.status).toBe(401);
    expect(backend.requests).toHaveLength(0);
  });

  test('a 429 carries no body', async () => {
    const carol = tokenOf('carol');
    await statuses(
      trusting.url,
      [1, 2, 3].map(() => ({ path: '/user', headers: carol })),
    );

    const res = await send(trusting.url, { path: '/user', headers: carol });

    expect(res.status).toBe(429);
    expect(res.text).toBe('');
  });

  test('per IP behind a trusted proxy: each X-Forwarded-For address has its own bucket, read from the right', async () => {
    // GIVEN per-ip: capacity 2; 127.0.0.1 is a trusted proxy
    // WHEN
    const got = await statuses(trusting.url, [
      { path: '/ip', headers: from('198.51.100.1') },
      { path: '/ip', headers: from('198.51.100.1') },
      { path: '/ip', headers: from('198.51.100.1') },
      { path: '/ip', headers: from('203.0.113.9, 198.51.100.1') },
      { path: '/ip', headers: from('198.51.100.2') },
      { path: '/ip', headers: from('198.51.100.1, 198.51.100.3') },
      { path: '/ip' },
    ]);

    // THEN
    expect(got).toEqual([200, 200, 429, 429, 200, 200, 200]);
    expect(backend.requests.map((r) => r.headers['x-forwarded-for'])).toEqual([
      '198.51.100.1',
      '198.51.100.1',
      '198.51.100.2',
      '198.51.100.3',
      '127.0.0.1',
    ]);
  });

  test('per IP with the default trustedProxies: X-Forwarded-For from 127.0.0.1 is ignored, so a new one gets no fresh bucket', async () => {
    const got = await statuses(defaultProxies.url, [
      { path: '/ip', headers: from('198.51.100.1') },
      { path: '/ip', headers: from('198.51.100.2') },
      { path: '/ip', headers: from('198.51.100.3') },
      { path: '/ip', headers: from('10.0.0.1') },
      { path: '/ip' },
    ]);

    expect(got).toEqual([200, 200, 429, 429, 429]);
    expect(backend.requests.map((r) => r.headers['x-forwarded-for'])).toEqual(['127.0.0.1', '127.0.0.1']);
  });

  test('key global: all clients share one bucket, and when it is empty KrakenD answers 503', async () => {
    // GIVEN everyone: capacity 3 for the endpoint
    // WHEN
    const got = await statuses(trusting.url, [
      { path: '/everyone', headers: from('198.51.100.1') },
      { path: '/everyone', headers: from('198.51.100.2') },
      { path: '/everyone' },
      { path: '/everyone', headers: from('198.51.100.4') },
      { path: '/everyone', headers: from('198.51.100.1') },
    ]);

    // THEN
    expect(got).toEqual([200, 200, 200, 503, 503]);
    expect(backend.requests).toHaveLength(3);
    const refused = await send(trusting.url, { path: '/everyone', headers: from('198.51.100.5') });
    expect([refused.status, refused.text]).toEqual([503, '']);
  });

  test('totalMaxRate beside a per-user limit: the client bucket answers 429 first, the endpoint-wide cap 503', async () => {
    // GIVEN capped: capacity 2 per user, 3 for all users together
    const [dave, erin, frank] = [tokenOf('dave'), tokenOf('erin'), tokenOf('frank')];

    // WHEN
    const got = await statuses(trusting.url, [
      { path: '/capped-users', headers: dave },
      { path: '/capped-users', headers: dave },
      { path: '/capped-users', headers: dave },
      { path: '/capped-users', headers: erin },
      { path: '/capped-users', headers: frank },
      { path: '/capped-users', headers: erin },
      { path: '/capped-users', headers: dave },
    ]);

    // THEN the refused third request of dave took no token of the total: erin still got the third
    expect(got).toEqual([200, 200, 429, 200, 503, 503, 429]);
    expect(backend.requests.map((r) => r.headers['x-user-id'])).toEqual(['dave', 'dave', 'erin']);
  });

  test('totalMaxRate beside a per-IP limit: 429 for the client over its own limit, 503 once the total is spent', async () => {
    const got = await statuses(trusting.url, [
      { path: '/capped-ips', headers: from('198.51.100.1') },
      { path: '/capped-ips', headers: from('198.51.100.1') },
      { path: '/capped-ips', headers: from('198.51.100.1') },
      { path: '/capped-ips', headers: from('198.51.100.2') },
      { path: '/capped-ips', headers: from('198.51.100.3') },
    ]);

    expect(got).toEqual([200, 200, 429, 200, 503]);
    expect(backend.requests).toHaveLength(3);
  });

  test('counters are per endpoint: each depth below a prefix has its own bucket, shared by every path of that depth', async () => {
    // GIVEN per-depth: capacity 2 per IP on each of /p, /p/{p1}, /p/{p1}/{p2}
    const client = from('198.51.100.1');

    // WHEN
    const got = await statuses(trusting.url, [
      { path: '/p/a', headers: client },
      { path: '/p/a', headers: client },
      { path: '/p/a', headers: client },
      { path: '/p/x', headers: client },
      { path: '/p/a/b', headers: client },
      { path: '/p/y/z', headers: client },
      { path: '/p/a/b', headers: client },
      { path: '/p', headers: client },
    ]);

    // THEN
    expect(got).toEqual([200, 200, 429, 429, 200, 200, 429, 200]);
    expect(backend.requests.map((r) => r.path)).toEqual(['/p/a', '/p/a', '/p/a/b', '/p/y/z', '/p']);
  });

  test('the rendered strategy matters: without it KrakenD silently drops the per-user limit', async () => {
    // GIVEN the same spec, served with `strategy` deleted from every qos/ratelimit/router block
    const altered = await serveAltered(bin, trustingSpec(iam, backend), withoutRateLimitStrategy);
    const grace = tokenOf('grace');

    // WHEN six requests of one user meet a limit of three
    const got = await statuses(
      altered.url,
      [1, 2, 3, 4, 5, 6].map(() => ({ path: '/user', headers: grace })),
    );
    const logs = altered.logs();
    await altered.stop();

    // THEN all pass, and a log line is the only trace
    expect(got).toEqual([200, 200, 200, 200, 200, 200]);
    expect(backend.requests).toHaveLength(6);
    expect(logs).toContain('[ENDPOINT: /user][Ratelimit] Unknown strategy');
  });
});

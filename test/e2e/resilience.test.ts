/**
 * A route's resilience settings through the real KrakenD CE 2.13 (`krakend run`), serving what the
 * construct renders:
 * - `concurrentCalls` sends that many backend requests per client request and answers with the
 *   first good one (lura proxy/concurrent.go);
 * - `cache` answers from the pod's memory for as long as the backend's `Cache-Control` allows, and
 *   not at all when it forbids it (krakend-httpcache, krakend/httpcache); on a JWT route, which
 *   validation refuses, one user would get another's answer: the altered config below shows it;
 * - `circuitBreaker` stops calling a failing backend after more than `maxErrors` failures in a row,
 *   answers 500 at once while open, and lets one request through after `timeout` (sony/gobreaker).
 */
import { GatewaySpec, validateSpec } from '../../lib';
import * as net from 'net';
import { renderedKrakendJson, RunningKrakend, describeWithKrakend, serveGateway, startKrakend, stopAllKrakends } from '../support/krakend';
import { Issuer, RecordedRequest, StubBackend, StubReply, send, startIssuer, startStub } from '../support/peers';
import { bearer } from './auth-support';

let served = 0; // answers the backend gave, numbered in the bodies
let failing = false;

function backend(req: RecordedRequest): StubReply {
  served += 1;
  if (req.path.startsWith('/slow-first')) {
    // Of each group of concurrent calls, the first to arrive is slow, the others answer after 200 ms
    // (so that all three arrive first): the client must not wait for the slow one.
    const body = req.path.endsWith('/big') ? JSON.stringify({ n: served, pad: 'x'.repeat(4 << 20) }) : `{"n":${served}}`;
    return { status: 200, headers: { 'content-type': 'application/json' }, body, delayMs: served % 3 === 1 ? 2_000 : 200 };
  }
  if (req.path.startsWith('/cacheable')) return { status: 200, headers: { 'cache-control': 'max-age=60' }, body: `answer ${served}` };
  if (req.path.startsWith('/no-store')) return { status: 200, headers: { 'cache-control': 'no-store' }, body: `answer ${served}` };
  if (req.path.startsWith('/me')) return { status: 200, headers: { 'cache-control': 'max-age=60' }, body: `for ${String(req.headers['x-user-id'])}` };
  if (req.path.startsWith('/flaky'))
    return failing ? { status: 503, body: 'down' } : { status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' };
  return { status: 200, body: 'ok' };
}

function resilienceSpec(iam: Issuer, svc: StubBackend, dropping: string): GatewaySpec {
  return {
    authPolicies: [{ name: 'iam', type: 'jwt', iamEndpoint: iam.iss, jwksUrl: iam.jwksUrl, allowInsecureJwks: true }],
    routes: [
      // Translating: a pass-through answer would still be read after the winner's context is cancelled.
      { prefix: '/slow-first', backend: svc.url, concurrentCalls: 3, encoding: 'json' },
      { prefix: '/cacheable', backend: svc.url, cache: true },
      { prefix: '/no-store', backend: svc.url, cache: true },
      { prefix: '/me', backend: svc.url, authPolicy: 'iam' },
      // A translating route: lura reads a 503 as a failure there (return_error_code); a pass-through route proxies it as an answer.
      { prefix: '/flaky', backend: svc.url, encoding: 'json', circuitBreaker: { maxErrors: 2, timeout: '2s' } },
      { prefix: '/flaky-passthrough', backend: svc.url, circuitBreaker: { maxErrors: 2, timeout: '2s' } },
      { prefix: '/down', backend: dropping, circuitBreaker: { maxErrors: 2, timeout: '1m' } },
    ],
  };
}

describeWithKrakend('resilience settings in krakend run', (bin) => {
  let iam: Issuer;
  let svc: StubBackend;
  let gateway: RunningKrakend;
  let spec: GatewaySpec;
  let dropper: net.Server;

  beforeAll(async () => {
    iam = await startIssuer();
    svc = await startStub(backend);
    // A server that drops every connection before answering: held open so no other process takes its port.
    dropper = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => dropper.listen(0, '127.0.0.1', resolve));
    spec = resilienceSpec(iam, svc, `http://127.0.0.1:${(dropper.address() as net.AddressInfo).port}`);
    gateway = await serveGateway(bin, spec);
  }, 60_000);

  afterAll(async () => {
    await stopAllKrakends();
    await Promise.all([iam?.close(), svc?.close(), new Promise((resolve) => dropper?.close(resolve))]);
  });

  beforeEach(() => {
    svc.clear();
    failing = false;
  });

  test('concurrentCalls 3: three backend requests per client request, answered by the first good one', async () => {
    served = 0;
    const started = Date.now();
    const res = await send(gateway.url, { path: '/slow-first/x' });
    const took = Date.now() - started;
    expect(res.status).toBe(200);
    expect(svc.requests.filter((r) => r.path === '/slow-first/x')).toHaveLength(3);
    // One of the three was held for 2 s; the answer did not wait for it.
    expect(took).toBeLessThan(1_500);
    expect(JSON.parse(res.text).n).not.toBe(1);
  });

  test('concurrentCalls: a large answer arrives whole; on a pass-through route, which validation refuses, it would be empty', async () => {
    served = 0;
    const res = await send(gateway.url, { path: '/slow-first/big' });
    expect(res.status).toBe(200);
    expect((JSON.parse(res.text) as { pad: string }).pad.length).toBe(4 << 20);
    // GIVEN the same route without its encoding: refused
    const passThrough = {
      ...spec,
      routes: spec.routes.map(({ encoding: _e, ...r }) => r),
    };
    expect(validateSpec(passThrough).map((p) => p.path)).toEqual(['spec.routes[0].concurrentCalls']);
    // WHEN its rendered endpoint drops the encoding anyway
    const config = JSON.parse(renderedKrakendJson(spec)) as { endpoints: Array<Record<string, any>> };
    for (const e of config.endpoints) {
      delete e.output_encoding;
      delete e.backend[0].encoding;
      delete e.backend[0].extra_config;
    }
    const altered = await startKrakend(bin, config);
    served = 0;
    const cut = await send(altered.url, { path: '/slow-first/big' });
    await altered.stop();
    // THEN lura cancels the winner's request with the others once it has its headers, and the body is lost
    expect([cut.status, cut.body.length]).toEqual([200, 0]);
  });

  test('cache: an answer the backend lets be cached for 60 s is served from memory the second time', async () => {
    const first = await send(gateway.url, { path: '/cacheable/a' });
    const second = await send(gateway.url, { path: '/cacheable/a' });
    const other = await send(gateway.url, { path: '/cacheable/b' });
    expect([first.status, second.status, other.status]).toEqual([200, 200, 200]);
    expect(second.text).toBe(first.text);
    expect(other.text).not.toBe(first.text);
    expect(svc.requests.map((r) => r.path)).toEqual(['/cacheable/a', '/cacheable/b']);
  });

  test('cache: an answer marked no-store is asked of the backend every time', async () => {
    const a = await send(gateway.url, { path: '/no-store/a' });
    const b = await send(gateway.url, { path: '/no-store/a' });
    expect(a.text).not.toBe(b.text);
    expect(svc.requests).toHaveLength(2);
  });

  test('cache on a JWT route is refused, and the altered config shows why: one user gets another’s answer', async () => {
    // GIVEN the route as a user would ask for it: refused
    const cachedJwt = { ...spec, routes: spec.routes.map((r) => (r.prefix === '/me' ? { ...r, cache: true } : r)) };
    expect(validateSpec(cachedJwt).map((p) => p.path)).toEqual([`spec.routes[3].cache`]);
    // WHEN the rendered config gets the cache block on the JWT route anyway
    const config = JSON.parse(renderedKrakendJson(spec)) as { endpoints: Array<{ endpoint: string; backend: Array<{ extra_config?: object }> }> };
    for (const e of config.endpoints) {
      if (e.endpoint.startsWith('/me')) e.backend[0].extra_config = { 'qos/http-cache': { max_items: 256, max_size: 1048576 } };
    }
    const altered = await startKrakend(bin, config);
    const alice = await send(altered.url, { path: '/me/profile', headers: bearer(iam.sign({ sub: 'alice' })) });
    const bob = await send(altered.url, { path: '/me/profile', headers: bearer(iam.sign({ sub: 'bob' })) });
    await altered.stop();
    // THEN bob gets alice's answer; on the rendered route each gets their own
    expect([alice.text, bob.text]).toEqual(['for alice', 'for alice']);
    const own = await Promise.all(['alice', 'bob'].map((sub) => send(gateway.url, { path: '/me/profile', headers: bearer(iam.sign({ sub })) })));
    expect(own.map((r) => r.text)).toEqual(['for alice', 'for bob']);
  });

  test('circuit breaker: open after more than maxErrors failures in a row, 500 at once while open, closed again after timeout', async () => {
    // GIVEN a backend that fails
    failing = true;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await send(gateway.url, { path: '/flaky/x' })).status);
    // THEN the first three failures reach it (maxErrors 2: the third opens the circuit), the rest fail at the gateway
    expect(statuses).toEqual([503, 503, 503, 500, 500]);
    expect(svc.requests).toHaveLength(3);
    // WHEN the backend recovers and the timeout passes
    failing = false;
    expect((await send(gateway.url, { path: '/flaky/x' })).status).toBe(500);
    await new Promise((r) => setTimeout(r, 2_300));
    // THEN one request is let through, and its success closes the circuit
    const after = [await send(gateway.url, { path: '/flaky/x' }), await send(gateway.url, { path: '/flaky/x' })];
    expect(after.map((r) => r.status)).toEqual([200, 200]);
    expect(svc.requests).toHaveLength(5);
  }, 20_000);

  test('circuit breaker on a pass-through route: a 503 is an answer, not a failure, so the circuit stays closed', async () => {
    failing = true;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await send(gateway.url, { path: '/flaky-passthrough/x' })).status);
    expect(statuses).toEqual([503, 503, 503, 503, 503]);
    expect(svc.requests).toHaveLength(5);
    expect(gateway.logs()).not.toContain("named '/flaky-passthrough' went from 'closed' to 'open'");
  });

  test('circuit breaker on a pass-through route: a backend that drops connections opens it, and KrakenD logs it', async () => {
    for (let i = 0; i < 3; i++) expect((await send(gateway.url, { path: '/down/x' })).status).toBe(500);
    expect(gateway.logs()).toContain("[CB] Circuit breaker named '/down' went from 'closed' to 'open'");
  });
});

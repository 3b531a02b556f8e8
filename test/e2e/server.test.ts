/**
 * The gateway's HTTP server, observed in a running KrakenD CE: health and the debug endpoints, a
 * graceful stop, the connection timeouts the renderer sets, the version header and the log level.
 *
 * - lura (transport/http/server/server.go, RunServerWithLoggerFactory) stops on SIGTERM with Go's
 *   http.Server.Shutdown: it stops accepting and waits for requests in flight.
 * - Go's http.Server has no header, body or idle deadline unless told; lura copies
 *   `read_header_timeout`, `read_timeout`, `write_timeout` and `idle_timeout` into it
 *   (server.go, NewServerWithLogger).
 * - `router.hide_version_header` makes lura (router/gin/engine.go) send `X-Krakend: Version
 *   undefined` instead of the version; KrakenD CE has no option that drops the header.
 * - Without a `telemetry/logging` block KrakenD CE logs at DEBUG (krakend-ce executor.go, NewLogger).
 */
import * as net from 'net';
import { GatewaySpec } from '../../lib';
import { describeWithKrakend, RunningKrakend, serveGateway, stopAllKrakends } from '../support/krakend';
import { send, startStub, StubBackend } from '../support/peers';

/** Milliseconds from now until the server closes `socket`, or `limitMs` if it is still open then. */
function closedAfter(socket: net.Socket, limitMs: number): Promise<number> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(limitMs), limitMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - t0);
    });
  });
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
  });
}

describeWithKrakend('the gateway server in a running KrakenD', (bin) => {
  let stub: StubBackend;
  let gateway: RunningKrakend;
  const spec = (): GatewaySpec => ({ routes: [{ prefix: '/v1', backend: stub.url, methods: ['GET', 'POST'] }] });

  beforeAll(async () => {
    stub = await startStub();
    gateway = await serveGateway(bin, spec());
  });
  afterAll(async () => {
    await stopAllKrakends();
    await stub.close();
  });

  test('/__health answers 200; no /__debug, /__echo or /__stats endpoint is served', async () => {
    expect((await send(gateway.url, { path: '/__health' })).status).toBe(200);
    for (const p of ['/__debug/', '/__debug/x', '/__echo/', '/__echo/x', '/__stats/', '/__stats']) {
      expect([p, (await send(gateway.url, { path: p })).status]).toEqual([p, 404]);
    }
  });

  test('no response names the KrakenD version: X-Krakend says "Version undefined" where it is sent', async () => {
    const seen: Record<string, unknown> = {};
    for (const p of ['/v1/x', '/__health', '/nowhere']) {
      const res = await send(gateway.url, { path: p });
      seen[p] = res.headers['x-krakend'];
      expect(res.rawHeaders.join('\n')).not.toMatch(/2\.13/);
    }
    // A router middleware sets it on every route and on 404s (lura router/gin/engine.go); /__health has none.
    expect(seen).toEqual({ '/v1/x': 'Version undefined', '/__health': undefined, '/nowhere': 'Version undefined' });
  });

  test('the log is at INFO by default: no DEBUG line at start or per request', async () => {
    await send(gateway.url, { path: '/v1/logged' });
    expect(gateway.logs()).toMatch(/▶ INFO/);
    expect(gateway.logs()).not.toMatch(/▶ DEBUG/);
  });

  test('a client that sends one header line every 5 s is cut off by the 10 s header timeout', async () => {
    // GIVEN a connection that starts a request and trickles its headers
    const socket = await connect(gateway.port);
    socket.write('GET /v1/slow HTTP/1.1\r\nHost: gateway\r\n');
    const drip = setInterval(() => socket.writable && socket.write(`X-Drip-${Date.now()}: 1\r\n`), 5_000);
    // WHEN the gateway gets no end of headers
    const ms = await closedAfter(socket, 20_000);
    clearInterval(drip);
    socket.destroy();
    // THEN it closes the connection at its read_header_timeout (10s), and the backend never saw the request
    expect(ms).toBeGreaterThanOrEqual(9_000);
    expect(ms).toBeLessThan(13_000);
    expect(stub.requests.map((r) => r.path)).not.toContain('/v1/slow');
  }, 30_000);

  test('a request in flight when KrakenD gets SIGTERM completes; then it exits 0', async () => {
    // GIVEN a second gateway whose backend takes 1.5 s to answer
    const slow = await startStub(() => ({ status: 200, body: 'finished', delayMs: 1_500 }));
    const stopping = await serveGateway(bin, { routes: [{ prefix: '/v1', backend: slow.url }] });
    try {
      const inFlight = send(stopping.url, { path: '/v1/long' });
      await new Promise((r) => setTimeout(r, 300));
      // WHEN KrakenD is told to stop while the request waits on the backend
      const exit = stopping.stop(10_000);
      // THEN the request still gets its whole answer, and KrakenD exits cleanly once it is out
      const res = await inFlight;
      expect([res.status, res.text]).toEqual([200, 'finished']);
      expect(await exit).toBe(0);
    } finally {
      await slow.close();
    }
  }, 30_000);
});

describeWithKrakend('server settings from the spec in a running KrakenD', (bin) => {
  let stub: StubBackend;
  let gateway: RunningKrakend;

  beforeAll(async () => {
    stub = await startStub();
    gateway = await serveGateway(bin, { routes: [{ prefix: '/v1', backend: stub.url }], idleTimeout: '2s', logLevel: 'DEBUG' });
  });
  afterAll(async () => {
    await stopAllKrakends();
    await stub.close();
  });

  test('an idle keep-alive connection is closed within idleTimeout (2s)', async () => {
    // GIVEN a keep-alive connection that has had one request answered
    const socket = await connect(gateway.port);
    const answered = new Promise<void>((resolve) => socket.once('data', () => resolve()));
    socket.write('GET /v1/idle HTTP/1.1\r\nHost: gateway\r\n\r\n');
    await answered;
    // WHEN it stays idle
    const ms = await closedAfter(socket, 10_000);
    socket.destroy();
    // THEN the gateway closes it at its idle_timeout
    expect(ms).toBeGreaterThanOrEqual(1_500);
    expect(ms).toBeLessThan(4_000);
  }, 20_000);

  test('logLevel DEBUG logs at DEBUG', () => {
    expect(gateway.logs()).toMatch(/▶ DEBUG/);
  });
});

/**
 * What a client of a running KrakenD CE 2.13 sees when something goes wrong: a backend slower than
 * the timeout, a backend that refuses the connection, a response cut by the timeout, a rate limit, and
 * the headers that name KrakenD or a backend's connection. Each test either proves what the rendered
 * config changes, or records, under a name starting "CE limit", what KrakenD CE offers no way to change
 * (docs/limits.md says why, with the source). A change in KrakenD that fixes one flips its test.
 *
 * KrakenD facts relied on:
 * - lura's endpoint handler answers any error without a status of its own with the status of
 *   `DefaultToHTTPError`, always 500, and no body unless `return_error_msg` (lura
 *   `router/gin/endpoint.go`, CustomErrorEndpointHandler; `transport/http/server/server.go`;
 *   krakend-ce `handler_factory.go`). A timeout or a refused connection is such an error.
 * - The route's timeout is a context started when the handler runs; the no-op body copy stops when it
 *   ends (lura `proxy/http_response.go`, NoOpHTTPResponseParser wraps the body in NewReadCloserWrapper),
 *   and lura ends the response normally (`router/gin/render.go`, noopRender ignores io.Copy's error).
 *   Go's server then closes a chunked body with its last chunk, or, for a body that never filled its
 *   2 KiB buffer, sends it whole with a Content-Length. Only a body shorter than the backend's
 *   Content-Length makes Go close the connection.
 * - Go's server sets the write deadline when a request's headers are read (Go net/http `server.go`,
 *   conn.readRequest), before the handler starts the route's timeout: with `write_timeout` equal to a
 *   route's timeout, whatever is written at that timeout fails and the connection is closed.
 * - krakend-ratelimit answers 429 with `AbortWithError` before lura's handler runs
 *   (`router/gin/gin.go`, NewTokenLimiterMw): no body, no header of its own, none of lura's.
 * - krakend-martian's `header.Blacklist` runs on the request lura built and on the backend's response
 *   before lura copies its headers (krakend-martian `martian.go`, HTTPRequestExecutor).
 */
import * as http from 'http';
import * as net from 'net';
import { GatewaySpec } from '../../lib';
import { describeWithKrakend, freePort, RunningKrakend, serveGateway, stopAllKrakends } from '../support/krakend';
import { send } from '../support/peers';

/** What the origin answers, by the last segment of the path. */
interface Origin {
  readonly url: string;
  readonly port: number;
  /** The paths it received, oldest first. */
  readonly paths: string[];
  close(): Promise<void>;
}

/**
 * The backend of every route: `…/slow` answers after 4 s; `…/stream-big` sends 1,000 bytes every
 * 100 ms for 5 s, `…/stream-small` a 9-byte server-sent event every 100 ms for 5 s (both chunked);
 * `…/sized` announces 1,000 bytes and sends 100; `…/trailer` ends with a trailer; anything else is
 * a JSON echo of the request headers, with `Connection: keep-alive` and `Keep-Alive: timeout=600`.
 */
async function startOrigin(): Promise<Origin> {
  const paths: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    const path = req.url ?? '';
    paths.push(path);
    const last = path.slice(path.lastIndexOf('/') + 1);
    const every = (ms: number, times: number, write: (i: number) => void) => {
      let i = 0;
      const timer = setInterval(() => {
        i += 1;
        if (i <= times) return write(i);
        clearInterval(timer);
        res.end();
      }, ms);
      res.on('close', () => clearInterval(timer));
    };
    switch (last) {
      case 'slow':
        setTimeout(() => {
          if (!res.writableEnded) res.end('late');
        }, 4_000);
        return;
      case 'stream-big':
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        return every(100, 50, () => res.write('x'.repeat(1_000)));
      case 'stream-small':
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        return every(100, 50, (i) => res.write(`data: ${i % 10}\n\n`));
      case 'sized':
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '1000' });
        res.write('y'.repeat(100));
        return;
      case 'trailer':
        res.writeHead(200, { 'content-type': 'text/plain', trailer: 'X-Checksum' });
        res.write('body');
        res.addTrailers({ 'X-Checksum': 'sha256-abc' });
        res.end();
        return;
      default:
        res.writeHead(200, { 'content-type': 'application/json', connection: 'keep-alive', 'keep-alive': 'timeout=600' });
        res.end(JSON.stringify(req.headers));
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    paths,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Everything the gateway sent for one request (latin1, byte for byte), and when it stopped. */
interface Wire {
  readonly text: string;
  /** Milliseconds from sending the request to a complete response or the connection's close. */
  readonly ms: number;
}

/** Whether `text` holds one whole HTTP/1.1 response, by its own framing. */
function wholeResponse(text: string): boolean {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const head = text.slice(0, end).toLowerCase();
  const body = text.slice(end + 4);
  if (head.includes('\r\ntransfer-encoding: chunked')) return body === '0\r\n\r\n' || body.endsWith('\r\n0\r\n\r\n');
  const length = /\r\ncontent-length: (\d+)/.exec(head);
  return length !== null && body.length >= Number(length[1]);
}

/**
 * Sends `GET path` on a keep-alive connection, as a proxy in front does, and reads until the response
 * is whole by its framing or the gateway closes the connection (at most 10 s).
 */
function onTheWire(port: number, path: string, headers: Record<string, string> = {}): Promise<Wire> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    let text = '';
    const socket = net.connect(port, '127.0.0.1', () => {
      const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
      socket.write(`GET ${path} HTTP/1.1\r\nHost: gateway.example\r\n${lines.join('')}\r\n`);
    });
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, ms: Date.now() - t0 });
    };
    const timer = setTimeout(done, 10_000);
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (wholeResponse(text)) done();
    });
    socket.on('close', done);
    socket.on('error', () => undefined);
  });
}

/**
 * A response in one line, as a client can tell it: its status and framing, and whether the framing
 * says it is whole: `200 chunked, with its last chunk`, `200 Content-Length 1000, 100 bytes`, `no response`.
 */
function framing(w: Wire): string {
  if (w.text === '') return 'no response';
  const end = w.text.indexOf('\r\n\r\n');
  const head = w.text.slice(0, end < 0 ? undefined : end);
  const body = end < 0 ? '' : w.text.slice(end + 4);
  const status = head.split(' ')[1];
  if (/\r\ntransfer-encoding: chunked/i.test(head)) return `${status} chunked, ${wholeResponse(w.text) ? 'with' : 'without'} its last chunk`;
  return `${status} Content-Length ${/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? '-'}, ${body.length} bytes`;
}

/** The response's header lines as `Name: value`, in the order they arrived. */
function headerLines(w: Wire): string[] {
  return w.text.slice(0, w.text.indexOf('\r\n\r\n')).split('\r\n').slice(1);
}

/** The JSON body of a whole response with a Content-Length. */
function jsonBody(w: Wire): Record<string, string> {
  return JSON.parse(w.text.slice(w.text.indexOf('\r\n\r\n') + 4)) as Record<string, string>;
}

/** `ms` is `expected` ms, give or take the time KrakenD and the loopback take. */
function about(ms: number, expected: number): void {
  expect(ms).toBeGreaterThanOrEqual(expected - 100);
  expect(ms).toBeLessThan(expected + 1_500);
}

describeWithKrakend('responses of a running KrakenD: timeouts, cut streams, rate limits, leaked headers', (bin) => {
  let origin: Origin;
  let gateway: RunningKrakend;

  beforeAll(async () => {
    origin = await startOrigin();
    const spec: GatewaySpec = {
      // The longest timeout: the rendered write_timeout.
      timeout: '2s',
      rateLimits: [
        { name: 'one', maxRate: 1, capacity: 1, every: '1h' },
        { name: 'all', key: 'global', maxRate: 1, capacity: 1, every: '1h' },
      ],
      routes: [
        // 127.0.0.1 is outside the cluster for the renderer (lib/grammar/destinations.ts); localhost is a Service name.
        { prefix: '/long', backend: origin.url },
        { prefix: '/short', backend: origin.url, timeout: '1s' },
        { prefix: '/refused', backend: `http://127.0.0.1:${await freePort()}` },
        { prefix: '/limited', backend: origin.url, rateLimit: 'one', exact: true },
        { prefix: '/everyone', backend: origin.url, rateLimit: 'all', exact: true },
        { prefix: '/ua', backend: origin.url, inputHeaders: ['User-Agent'] },
        { prefix: '/in', backend: `http://localhost:${origin.port}`, inputHeaders: ['User-Agent'] },
      ],
    };
    gateway = await serveGateway(bin, spec);
  });
  afterAll(async () => {
    await stopAllKrakends();
    await origin.close();
  });

  describe('timeouts and cut responses', () => {
    test('at the longest timeout (write_timeout), a backend that has not answered gets the connection closed, not a 500', async () => {
      const w = await onTheWire(gateway.port, '/long/slow');
      expect(framing(w)).toBe('no response');
      about(w.ms, 2_000);
    });

    test('at the longest timeout, a chunked stream still being sent is cut without its last chunk: the client can tell', async () => {
      const w = await onTheWire(gateway.port, '/long/stream-big');
      expect(framing(w)).toBe('200 chunked, without its last chunk');
      about(w.ms, 2_000);
    });

    test('at the longest timeout, a stream that never filled the 2 KiB buffer gets no response at all', async () => {
      const w = await onTheWire(gateway.port, '/long/stream-small');
      expect(framing(w)).toBe('no response');
      about(w.ms, 2_000);
    });

    test('CE limit: a backend slower than a shorter route timeout gets 500 with an empty body, not 504', async () => {
      const w = await onTheWire(gateway.port, '/short/slow');
      expect(framing(w)).toBe('500 Content-Length 0, 0 bytes');
      expect(headerLines(w)).toEqual(expect.arrayContaining(['X-Krakend: Version undefined', 'X-Krakend-Completed: false']));
      about(w.ms, 1_000);
    });

    test('CE limit: a backend that refuses the connection gets 500 with an empty body, not 502', async () => {
      const w = await onTheWire(gateway.port, '/refused/x');
      expect(framing(w)).toBe('500 Content-Length 0, 0 bytes');
      expect(w.ms).toBeLessThan(1_000);
    });

    test('CE limit: at a shorter route timeout, a chunked stream is cut with a clean last chunk and 200', async () => {
      const w = await onTheWire(gateway.port, '/short/stream-big');
      expect(framing(w)).toBe('200 chunked, with its last chunk');
      about(w.ms, 1_000);
    });

    test('CE limit: at a shorter route timeout, a small stream arrives whole-looking, with a Content-Length of what came', async () => {
      const w = await onTheWire(gateway.port, '/short/stream-small');
      // About 10 events of 9 bytes: Go buffered them, and sent them with their length once lura returned.
      expect(framing(w)).toMatch(/^200 Content-Length (\d+), \1 bytes$/);
      expect(w.text.endsWith('data: 9\n\n')).toBe(true);
      about(w.ms, 1_000);
    });

    test('a body shorter than its Content-Length is detectable: KrakenD closes the connection after the bytes that came', async () => {
      const w = await onTheWire(gateway.port, '/short/sized');
      expect(framing(w)).toBe('200 Content-Length 1000, 100 bytes');
      about(w.ms, 1_000);
    });

    test('CE limit: X-Krakend-Completed says false on every no-op response, and a backend trailer never arrives', async () => {
      const w = await onTheWire(gateway.port, '/short/trailer');
      expect(framing(w)).toBe('200 Content-Length 4, 4 bytes');
      expect(headerLines(w)).toContain('X-Krakend-Completed: false');
      expect(w.text).not.toMatch(/checksum|sha256-abc|^Trailer:/im);
    });
  });

  describe('rate limits', () => {
    test('CE limit: over a client limit 429, over a total 503: an empty body, no Retry-After, none of KrakenD’s headers', async () => {
      const got: Record<string, string> = {};
      for (const path of ['/limited', '/everyone']) {
        expect((await send(gateway.url, { path })).status).toBe(200);
        const res = await send(gateway.url, { path });
        const named = ['retry-after', 'x-krakend', 'x-krakend-completed'].filter((h) => res.headers[h] !== undefined);
        got[path] = `${res.status} Content-Length ${res.headers['content-length']} ${JSON.stringify(res.text)} [${named.join(', ')}]`;
      }
      expect(got).toEqual({ '/limited': '429 Content-Length 0 "" []', '/everyone': '503 Content-Length 0 "" []' });
    });
  });

  describe('what names KrakenD or a backend connection', () => {
    test('a backend outside the cluster gets Go’s User-Agent, not KrakenD’s version', async () => {
      const w = await onTheWire(gateway.port, '/long/echo', { 'User-Agent': 'client/1.0' });
      const got = jsonBody(w);
      expect(got['user-agent']).toBe('Go-http-client/1.1');
      expect(got['x-forwarded-via']).toBeUndefined();
      expect(JSON.stringify(got)).not.toMatch(/krakend/i);
    });

    test('a backend outside the cluster that gets the client’s User-Agent gets no X-Forwarded-Via', async () => {
      const got = jsonBody(await onTheWire(gateway.port, '/ua/echo', { 'User-Agent': 'client/1.0' }));
      expect(got['user-agent']).toBe('client/1.0');
      expect(got['x-forwarded-via']).toBeUndefined();
      expect(JSON.stringify(got)).not.toMatch(/krakend/i);
    });

    test('the Connection and Keep-Alive headers of a backend outside the cluster do not reach the client', async () => {
      const w = await onTheWire(gateway.port, '/long/echo');
      expect(framing(w)).toMatch(/^200 Content-Length/);
      expect(headerLines(w).filter((h) => /^(connection|keep-alive):/i.test(h))).toEqual([]);
    });

    test('not rendered in the cluster (bytes): a Service backend sees KrakenD’s version, and its Keep-Alive reaches the client', async () => {
      const w = await onTheWire(gateway.port, '/in/echo', { 'User-Agent': 'client/1.0' });
      expect(jsonBody(w)['x-forwarded-via']).toBe('KrakenD Version 2.13.0');
      expect(headerLines(w)).toEqual(expect.arrayContaining(['Connection: keep-alive', 'Keep-Alive: timeout=600']));
    });

    test('CE limit: every routed response carries X-Krakend and X-Krakend-Completed', async () => {
      const w = await onTheWire(gateway.port, '/long/echo');
      expect(headerLines(w)).toEqual(expect.arrayContaining(['X-Krakend: Version undefined', 'X-Krakend-Completed: false']));
    });

    test('CE limit: %00 in a path gets 500 with an empty body, and no backend call', async () => {
      const before = origin.paths.length;
      const w = await onTheWire(gateway.port, '/long/a%00b');
      expect(framing(w)).toBe('500 Content-Length 0, 0 bytes');
      expect(origin.paths.slice(before)).toEqual([]);
    });
  });
});

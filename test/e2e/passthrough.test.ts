/**
 * The no-op proxy through the real KrakenD CE 2.13 (`krakend run`), serving exactly the krakend.json
 * the Gateway construct renders, in front of stub backends on 127.0.0.1: what of a backend's answer
 * reaches the client (status, headers, body bytes), and what of a client's request reaches the
 * backend (body bytes, and only the allowlisted headers).
 *
 * KrakenD facts it relies on:
 * - `output_encoding: "no-op"` makes lura copy the backend's status, headers and body to the client
 *   (`NoOpHTTPStatusHandler` in lura `transport/http/client/status.go`, `NoOpHTTPResponseParser` in
 *   lura `proxy/http_response.go`, `noopRender` in lura `router/gin/render.go`). Every response also gets
 *   `X-Krakend` and `X-Krakend-Completed` (`CustomErrorEndpointHandler` in lura
 *   `router/gin/endpoint.go`); `hide_version_header` turns the first into `Version undefined`
 *   (`NewEngine` in lura `router/gin/engine.go`).
 * - The backend is called with Go's default `http.Client` (`NewHTTPClient` in lura
 *   `transport/http/client/executor.go`), which follows redirects itself: 301, 302 and 303 become a
 *   GET without a body, 307 and 308 keep the method but cannot replay a streamed body (Go
 *   `net/http` `client.go`, `redirectBehavior`). Its transport asks for gzip and decompresses the
 *   answer when the client's Accept-Encoding is not forwarded (Go `net/http` `transport.go`).
 * - `input_headers` is an allowlist (`NewRequest` in lura `router/gin/endpoint.go`); lura always
 *   sets `X-Forwarded-For` (gin's ClientIP: the connection's address unless it is a trusted proxy),
 *   `X-Forwarded-Host`, and `User-Agent` (KrakenD's own unless the client's is forwarded, then
 *   `X-Forwarded-Via`); the rendered `modifier/martian` block deletes KrakenD's from a backend
 *   outside the cluster (lib/krakend/martian.ts). The renderer lists Accept and Content-Type, plus
 *   Authorization only for a backend in the cluster (a Service name: `localhost` is a bare name too,
 *   127.0.0.1 is not; `destinationOf` in lib/grammar/destinations.ts).
 * - The request body is streamed to the backend chunked unless Content-Length is forwarded
 *   (`NewHTTPProxyDetailed` in lura `proxy/http.go` reads the size from the forwarded headers).
 */
import { randomBytes } from 'crypto';
import { gzipSync } from 'zlib';
import { GatewaySpec } from '../../lib';
import { RunningKrakend, describeWithKrakend, serveGateway, stopAllKrakends } from '../support/krakend';
import { RecordedRequest, StubReply, send } from '../support/peers';
import { Stubs, clearStubs, closeStubs, startStubs } from './routing-support';

/** 64 KiB of random bytes that start with a NUL and hold invalid UTF-8 (a lone 0xff, 0xc3 before 0x28). */
function binaryBody(): Buffer {
  const bytes = randomBytes(64 * 1024);
  Buffer.from([0x00, 0xff, 0xc3, 0x28, 0x00, 0x80]).copy(bytes, 0);
  bytes[bytes.length - 1] = 0x00;
  return bytes;
}

const BINARY = binaryBody();

type Name = 'app' | 'elsewhere';

/** The app stub answers by path: `/s/status/NNN`, `/s/redirect/NNN`, `/s/headers`, `/s/binary`, `/s/gzip`, `/s/untyped`; else an echo. */
function appReply(elsewhere: string) {
  return (req: RecordedRequest): StubReply => {
    const status = /^\/s\/status\/(\d{3})$/.exec(req.path);
    if (status) {
      const code = Number(status[1]);
      return {
        status: code,
        headers: { 'content-type': 'text/plain', 'x-backend': 'app' },
        body: code === 204 || code === 304 ? undefined : `status ${code}`,
      };
    }
    const redirect = /^\/s\/redirect\/(\d{3})$/.exec(req.path);
    if (redirect) return { status: Number(redirect[1]), headers: { location: `${elsewhere}/landed` }, body: 'moved' };
    switch (req.path) {
      case '/s/headers':
        return {
          status: 200,
          headers: {
            'content-type': 'application/problem+json',
            'x-backend-trace': 'abc-123',
            'x-dup': ['one', 'two'],
            'set-cookie': ['sid=s1; Path=/; HttpOnly', 'theme=dark; Secure'],
            'cache-control': 'private, max-age=60',
            etag: '"v1"',
          },
          body: '{"ok":true}',
        };
      case '/s/binary':
        return { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: BINARY };
      case '/s/gzip':
        return String(req.headers['accept-encoding']).includes('gzip')
          ? { status: 200, headers: { 'content-type': 'text/plain', 'content-encoding': 'gzip' }, body: gzipSync('hello, compressed') }
          : { status: 200, headers: { 'content-type': 'text/plain' }, body: 'hello, identity' };
      case '/s/untyped':
        return { status: 200, body: 'no content type' };
      default:
        return { status: 200, headers: { 'content-type': 'text/plain' }, body: `${req.method} ${req.url}` };
    }
  };
}

function passthroughSpec(s: Stubs<Name>): GatewaySpec {
  return {
    routes: [
      { prefix: '/s', backend: s.app.url, methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] },
      { prefix: '/h', backend: s.app.url, methods: ['GET', 'POST'], inputHeaders: ['X-Custom', 'Authorization', 'User-Agent', 'x-request-id'] },
      { prefix: '/cluster', backend: `http://localhost:${s.app.port}` },
      { prefix: '/sized', backend: s.app.url, methods: ['POST'], inputHeaders: ['Content-Length'] },
    ],
  };
}

/** Headers a client sends in the header tests: allowlisted, credentials, forged identity and proxy headers. */
const CLIENT_HEADERS = {
  Accept: 'application/x-accept',
  'Content-Type': 'text/x-type',
  Authorization: 'Bearer client-token',
  Cookie: 'sid=client-cookie',
  'X-Custom': 'custom',
  'User-Agent': 'client-agent/1.0',
  'X-Request-Id': 'req-1',
  'X-User-Id': 'forged-user',
  'X-Org-Id': 'forged-org',
  'X-Forwarded-For': '203.0.113.9',
  'X-Forwarded-Host': 'forged.example',
  'Accept-Encoding': 'br',
  Host: 'gateway.example',
};

describeWithKrakend('passthrough through a running KrakenD', (bin) => {
  let stubs: Stubs<Name>;
  let gateway: RunningKrakend;

  beforeAll(async () => {
    stubs = await startStubs(['app', 'elsewhere']);
    stubs.app.reply(appReply(stubs.elsewhere.url));
    gateway = await serveGateway(bin, passthroughSpec(stubs));
  });
  afterAll(async () => {
    await stopAllKrakends();
    await closeStubs(stubs);
  });

  test('backend statuses reach the client unchanged, with the backend body', async () => {
    const got: Record<number, string> = {};
    for (const code of [200, 201, 204, 304, 400, 401, 403, 404, 429, 500, 502, 503]) {
      const res = await send(gateway.url, { path: `/s/status/${code}` });
      got[code] = `${res.status} ${res.headers['x-backend']} ${JSON.stringify(res.text)}`;
    }
    expect(got).toEqual({
      200: '200 app "status 200"',
      201: '201 app "status 201"',
      204: '204 app ""',
      304: '304 app ""',
      400: '400 app "status 400"',
      401: '401 app "status 401"',
      403: '403 app "status 403"',
      404: '404 app "status 404"',
      429: '429 app "status 429"',
      500: '500 app "status 500"',
      502: '502 app "status 502"',
      503: '503 app "status 503"',
    });
  });

  test('not passed through today: a backend redirect (301, 302, 303, 307, 308) is followed by KrakenD, the client never sees it', async () => {
    // GIVEN a backend that redirects to another host's /landed
    // WHEN clients send GET, and POST with a body
    const got: Record<string, string> = {};
    for (const method of ['GET', 'POST']) {
      for (const code of [301, 302, 303, 307, 308]) {
        clearStubs(stubs);
        const res = await send(gateway.url, {
          method,
          path: `/s/redirect/${code}`,
          ...(method === 'POST' ? { body: 'payload', headers: { 'Content-Type': 'text/plain', 'Content-Length': '7' } } : {}),
        });
        const landed = stubs.elsewhere.requests.map((r) => `${r.method} ${r.url} body=${JSON.stringify(r.body.toString())}`);
        got[`${method} ${code}`] = `${res.status} location=${res.headers.location ?? '-'} landed=[${landed.join(', ')}]`;
      }
    }
    // THEN KrakenD fetches the Location itself and answers with what it found there: a GET of the
    // target for 301-303 (a POST's method and body are dropped); a 307/308 keeps GET but cannot
    // replay a POST body, so only then the redirect itself reaches the client.
    const location = `${stubs.elsewhere.url}/landed`;
    expect(got).toEqual({
      'GET 301': '200 location=- landed=[GET /landed body=""]',
      'GET 302': '200 location=- landed=[GET /landed body=""]',
      'GET 303': '200 location=- landed=[GET /landed body=""]',
      'GET 307': '200 location=- landed=[GET /landed body=""]',
      'GET 308': '200 location=- landed=[GET /landed body=""]',
      'POST 301': '200 location=- landed=[GET /landed body=""]',
      'POST 302': '200 location=- landed=[GET /landed body=""]',
      'POST 303': '200 location=- landed=[GET /landed body=""]',
      'POST 307': `307 location=${location} landed=[]`,
      'POST 308': `308 location=${location} landed=[]`,
    });
  });

  test('response headers of the backend reach the client: custom and repeated ones, Set-Cookie, Cache-Control, ETag', async () => {
    const res = await send(gateway.url, { path: '/s/headers' });
    expect(res.status).toBe(200);
    expect(res.text).toBe('{"ok":true}');
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.headers['x-backend-trace']).toBe('abc-123');
    expect(res.headers['set-cookie']).toEqual(['sid=s1; Path=/; HttpOnly', 'theme=dark; Secure']);
    expect(res.headers['cache-control']).toBe('private, max-age=60');
    expect(res.headers.etag).toBe('"v1"');
    const dup = res.rawHeaders.flatMap((v, i) => (i % 2 === 0 && v.toLowerCase() === 'x-dup' ? [res.rawHeaders[i + 1]] : []));
    expect(dup).toEqual(['one', 'two']);
    // KrakenD's own two headers; hide_version_header keeps the version out of the first.
    expect(res.headers['x-krakend']).toBe('Version undefined');
    expect(res.headers['x-krakend-completed']).toBe('false');
  });

  test('a response without Content-Type gets one sniffed by the gateway (Go net/http), not none', async () => {
    const res = await send(gateway.url, { path: '/s/untyped' });
    expect(res.status).toBe(200);
    expect(res.text).toBe('no content type');
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  test('a binary response body (64 KiB, NUL bytes, invalid UTF-8) comes back byte-identical', async () => {
    const res = await send(gateway.url, { path: '/s/binary' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.body.length).toBe(65536);
    expect(res.body.equals(BINARY)).toBe(true);
  });

  test('a gzip answer the gateway asked for is decompressed before the client gets it, whatever the client accepts', async () => {
    clearStubs(stubs);
    const res = await send(gateway.url, { path: '/s/gzip', headers: { 'Accept-Encoding': 'gzip' } });
    expect(stubs.app.requests[0].headers['accept-encoding']).toBe('gzip');
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.text).toBe('hello, compressed');
  });

  test('request bodies of POST, PUT, PATCH and DELETE reach the backend byte-identical, with their Content-Type, streamed chunked', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      // GIVEN a 64 KiB binary body with its length
      clearStubs(stubs);

      // WHEN the client sends it
      const res = await send(gateway.url, {
        method,
        path: '/s/upload',
        body: BINARY,
        headers: { 'Content-Type': 'application/x-blob; v=1', 'Content-Length': '65536' },
      });

      // THEN the backend gets the same bytes, the Content-Type, and chunked framing instead of the length
      expect(res.status).toBe(200);
      expect(stubs.app.requests).toHaveLength(1);
      const got = stubs.app.requests[0];
      expect(`${got.method} ${got.url}`).toBe(`${method} /s/upload`);
      expect(got.body.length).toBe(65536);
      expect(got.body.equals(BINARY)).toBe(true);
      expect(got.headers['content-type']).toBe('application/x-blob; v=1');
      expect(got.headers['transfer-encoding']).toBe('chunked');
      expect(got.headers['content-length']).toBeUndefined();
    }
  });

  test('a route that lists Content-Length in inputHeaders sends the body with its length', async () => {
    clearStubs(stubs);
    const res = await send(gateway.url, {
      method: 'POST',
      path: '/sized',
      body: BINARY,
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': '65536' },
    });
    expect(res.status).toBe(200);
    const got = stubs.app.requests[0];
    expect(got.body.equals(BINARY)).toBe(true);
    expect(got.headers['content-length']).toBe('65536');
    expect(got.headers['transfer-encoding']).toBeUndefined();
  });

  test('client headers: only Accept and Content-Type reach a loopback backend by default; KrakenD sets its proxy headers itself', async () => {
    clearStubs(stubs);
    const res = await send(gateway.url, { path: '/s/h', headers: CLIENT_HEADERS });
    expect(res.status).toBe(200);
    const got = stubs.app.requests[0];
    expect(Object.keys(got.headers).sort()).toEqual([
      'accept',
      'accept-encoding',
      'content-type',
      'host',
      'user-agent',
      'x-forwarded-for',
      'x-forwarded-host',
    ]);
    expect(got.headers.accept).toBe('application/x-accept');
    expect(got.headers['content-type']).toBe('text/x-type');
    expect(got.headers.host).toBe(`127.0.0.1:${stubs.app.port}`);
    // Not the client's: Go's transport asks for gzip and names itself (martian deleted KrakenD's
    // User-Agent: 127.0.0.1 is outside the cluster), lura names the real peer.
    expect(got.headers['accept-encoding']).toBe('gzip');
    expect(got.headers['user-agent']).toBe('Go-http-client/1.1');
    expect(got.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(got.headers['x-forwarded-host']).toBe('gateway.example');
  });

  test("client headers: a route's inputHeaders add to the allowlist (Authorization reaches a loopback backend only so); Cookie never", async () => {
    clearStubs(stubs);
    const res = await send(gateway.url, { path: '/h/h', headers: CLIENT_HEADERS });
    expect(res.status).toBe(200);
    const got = stubs.app.requests[0];
    expect(Object.keys(got.headers).sort()).toEqual([
      'accept',
      'accept-encoding',
      'authorization',
      'content-type',
      'host',
      'user-agent',
      'x-custom',
      'x-forwarded-for',
      'x-forwarded-host',
      'x-request-id',
    ]);
    expect(got.headers.authorization).toBe('Bearer client-token');
    expect(got.headers['x-custom']).toBe('custom');
    expect(got.headers['x-request-id']).toBe('req-1');
    expect(got.headers['user-agent']).toBe('client-agent/1.0');
    // lura's X-Forwarded-Via (KrakenD's version) is deleted by martian for a backend outside the cluster.
    expect(got.headers['x-forwarded-via']).toBeUndefined();
    expect(got.headers['x-forwarded-for']).toBe('127.0.0.1');
  });

  test('client headers: a backend named like a Service (http://localhost:PORT) gets Authorization by default, nothing else extra', async () => {
    clearStubs(stubs);
    const res = await send(gateway.url, { path: '/cluster/h', headers: CLIENT_HEADERS });
    expect(res.status).toBe(200);
    const got = stubs.app.requests[0];
    expect(Object.keys(got.headers).sort()).toEqual([
      'accept',
      'accept-encoding',
      'authorization',
      'content-type',
      'host',
      'user-agent',
      'x-forwarded-for',
      'x-forwarded-host',
    ]);
    expect(got.headers.authorization).toBe('Bearer client-token');
    expect(got.headers.host).toBe(`localhost:${stubs.app.port}`);
  });
});

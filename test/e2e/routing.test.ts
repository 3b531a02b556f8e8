/**
 * Routing through the real KrakenD CE 2.13 (`krakend run`), serving exactly the krakend.json the
 * Gateway construct renders, in front of one stub backend per route on 127.0.0.1: which backend a
 * request reaches, with which path and query, and what the client gets when none does.
 *
 * KrakenD facts it relies on:
 * - CE has no wildcard route; a `{param}` matches one segment (gin `tree.go`, `insertChild`), so a
 *   prefix is rendered as itself plus one endpoint per segment below it, up to its depth.
 * - gin keeps one tree per method and tries a static segment before a parameter (`getValue` in gin
 *   `tree.go`): the longest prefix wins per method, and a route of depth 0 or an exact route falls
 *   back to the parameter of a shorter prefix around it.
 * - lura disables gin's RedirectFixedPath and HandleMethodNotAllowed when the config says so
 *   (`NewEngine` in lura `router/gin/engine.go`; krakend-ce#1008, gin#4818): a method no endpoint
 *   declares gets 404, and so does a path in the wrong case. The trailing-slash redirect stays on:
 *   301 for GET, 307 otherwise (`redirectTrailingSlash` and `redirectRequest` in gin `gin.go`).
 * - `remove_extra_slash` makes gin clean the path before the lookup (`handleHTTPRequest` in gin
 *   `gin.go`, `cleanPath` in gin `path.go`); gin routes Go's decoded `URL.Path` (UseRawPath off),
 *   and lura refuses a parameter that decodes again or holds `?` or `#` (`paramChecker` in lura
 *   `router/gin/engine.go`).
 * - The backend path is the endpoint's `url_pattern` with the parameters filled in, re-encoded by
 *   Go's `net/url`; the query is the client's, parsed and re-encoded with `url.Values.Encode`, which
 *   sorts the keys (`input_query_strings: ["*"]`: `NewRequest` in lura `router/gin/endpoint.go`,
 *   `RawQuery` in lura `proxy/balancing.go`).
 */
import { GatewaySpec } from '../../lib';
import { RunningKrakend, describeWithKrakend, serveGateway, stopAllKrakends } from '../support/krakend';
import { send } from '../support/peers';
import { Stubs, clearStubs, closeStubs, outcomes, startStubs } from './routing-support';

const NAMES = ['v1', 'chat', 'embed', 'models', 'files', 'status', 'docsExact', 'docs', 'ping', 'auth', 'strip', 'legacy', 'hook'] as const;
type Name = (typeof NAMES)[number];

/** One route per stub; the gateway keeps the default prefixDepth of 4. */
function routingSpec(s: Stubs<Name>): GatewaySpec {
  return {
    routes: [
      { prefix: '/v1', backend: s.v1.url, methods: ['GET', 'POST'] },
      { prefix: '/v1/chat', backend: s.chat.url, methods: ['POST', 'PUT'] },
      { prefix: '/v1/embed', backend: s.embed.url, methods: ['POST'], prefixDepth: 0 },
      { prefix: '/v1/models', backend: s.models.url, exact: true },
      { prefix: '/v1/files', backend: s.files.url, prefixDepth: 6 },
      { prefix: '/status', backend: s.status.url, exact: true },
      { prefix: '/docs', backend: s.docsExact.url, exact: true },
      { prefix: '/docs', backend: s.docs.url, prefixDepth: 2 },
      { prefix: '/ping', backend: s.ping.url, prefixDepth: 0 },
      { prefix: '/auth', backend: `${s.auth.url}/api`, stripPrefix: true, methods: ['GET', 'POST'], prefixDepth: 2 },
      { prefix: '/strip', backend: s.strip.url, stripPrefix: true, prefixDepth: 1 },
      { prefix: '/legacy', backend: `${s.legacy.url}/base`, prefixDepth: 1 },
      { prefix: '/hook', backend: `${s.hook.url}/hooks/in`, exact: true, stripPrefix: true, methods: ['POST'] },
    ],
  };
}

describeWithKrakend('routing through a running KrakenD', (bin) => {
  let stubs: Stubs<Name>;
  let gateway: RunningKrakend;

  beforeAll(async () => {
    stubs = await startStubs(NAMES);
    gateway = await serveGateway(bin, routingSpec(stubs));
  });
  afterAll(async () => {
    await stopAllKrakends();
    await closeStubs(stubs);
  });

  test('a prefix route serves its prefix and every depth up to the gateway prefixDepth (4); one deeper is 404 and no backend is called', async () => {
    const table = {
      'GET /v1': '200: v1 GET /v1',
      'GET /v1/a': '200: v1 GET /v1/a',
      'GET /v1/a/b': '200: v1 GET /v1/a/b',
      'GET /v1/a/b/c': '200: v1 GET /v1/a/b/c',
      'GET /v1/a/b/c/d': '200: v1 GET /v1/a/b/c/d',
      'GET /v1/a/b/c/d/e': '404: no backend',
      'POST /v1': '200: v1 POST /v1',
      'POST /v1/a/b/c/d': '200: v1 POST /v1/a/b/c/d',
      'POST /v1/a/b/c/d/e': '404: no backend',
      'POST /v1/chat': '200: chat POST /v1/chat',
      'POST /v1/chat/a': '200: chat POST /v1/chat/a',
      'POST /v1/chat/a/b': '200: chat POST /v1/chat/a/b',
      'POST /v1/chat/a/b/c': '200: chat POST /v1/chat/a/b/c',
      'POST /v1/chat/a/b/c/d': '200: chat POST /v1/chat/a/b/c/d',
      'POST /v1/chat/a/b/c/d/e': '404: no backend',
      'GET /nope': '404: no backend',
      'GET /': '404: no backend',
    };
    expect(await outcomes(gateway, stubs, table)).toEqual(table);
  });

  test('a prefix matches whole segments, case-sensitively', async () => {
    const table = {
      'GET /v1x': '404: no backend',
      'GET /v1/chatty': '200: v1 GET /v1/chatty',
      'POST /v1/chatty/x': '200: v1 POST /v1/chatty/x',
      'GET /V1/a': '404: no backend',
      'GET /V1/CHAT': '404: no backend',
      'POST /v1/CHAT/x': '200: v1 POST /v1/CHAT/x',
      'GET /Status': '404: no backend',
    };
    expect(await outcomes(gateway, stubs, table)).toEqual(table);
  });

  test("a route's own prefixDepth: 0 serves the prefix alone, 6 reaches two segments deeper than the gateway's 4", async () => {
    const table = {
      'GET /ping': '200: ping GET /ping',
      'GET /ping/x': '404: no backend',
      // Depth 0 inside /v1: below it gin falls back to /v1's parameters.
      'POST /v1/embed': '200: embed POST /v1/embed',
      'POST /v1/embed/x': '200: v1 POST /v1/embed/x',
      'POST /v1/embed/x/y/z': '200: v1 POST /v1/embed/x/y/z',
      'GET /v1/embed': '200: v1 GET /v1/embed',
      'GET /v1/files': '200: files GET /v1/files',
      'GET /v1/files/a': '200: files GET /v1/files/a',
      'GET /v1/files/a/b/c/d': '200: files GET /v1/files/a/b/c/d',
      'GET /v1/files/a/b/c/d/e': '200: files GET /v1/files/a/b/c/d/e',
      'GET /v1/files/a/b/c/d/e/f': '200: files GET /v1/files/a/b/c/d/e/f',
      'GET /v1/files/a/b/c/d/e/f/g': '404: no backend',
    };
    expect(await outcomes(gateway, stubs, table)).toEqual(table);
  });

  test('an exact route serves its prefix alone; below it 404, unless a prefix route around or beside it has the method', async () => {
    const table = {
      'GET /status': '200: status GET /status',
      'GET /status/x': '404: no backend',
      'POST /status': '404: no backend',
      // Inside /v1: the exact route takes /v1/models, /v1's parameters take what is below it.
      'GET /v1/models': '200: models GET /v1/models',
      'GET /v1/models/x': '200: v1 GET /v1/models/x',
      'GET /v1/models/x/y': '200: v1 GET /v1/models/x/y',
      'POST /v1/models': '200: v1 POST /v1/models',
      // Beside a prefix route of the same prefix and method: the exact one takes the prefix path.
      'GET /docs': '200: docsExact GET /docs',
      'GET /docs/a': '200: docs GET /docs/a',
      'GET /docs/a/b': '200: docs GET /docs/a/b',
      'GET /docs/a/b/c': '404: no backend',
      'POST /hook': '200: hook POST /hooks/in',
      'POST /hook/x': '404: no backend',
      'GET /hook': '404: no backend',
    };
    expect(await outcomes(gateway, stubs, table)).toEqual(table);
  });

  test("stripPrefix puts the part below the prefix after the backend's base path; without it the whole path follows the base path", async () => {
    const table = {
      'GET /auth': '200: auth GET /api',
      'GET /auth/login': '200: auth GET /api/login',
      'POST /auth/login': '200: auth POST /api/login',
      'GET /auth/a/b': '200: auth GET /api/a/b',
      'GET /auth/a/b/c': '404: no backend',
      'GET /strip': '200: strip GET /',
      'GET /strip/x': '200: strip GET /x',
      'GET /strip/x/y': '404: no backend',
      'GET /legacy': '200: legacy GET /base/legacy',
      'GET /legacy/x': '200: legacy GET /base/legacy/x',
      'POST /hook': '200: hook POST /hooks/in',
    };
    expect(await outcomes(gateway, stubs, table)).toEqual(table);
  });

  test('nested prefixes: the longest prefix that accepts the method wins', async () => {
    const table = {
      // /v1/chat has POST and PUT, /v1 has GET and POST.
      'POST /v1/chat/x': '200: chat POST /v1/chat/x',
      'PUT /v1/chat/x': '200: chat PUT /v1/chat/x',
      'PUT /v1/chat': '200: chat PUT /v1/chat',
      'GET /v1/chat/x': '200: v1 GET /v1/chat/x',
      'GET /v1/chat': '200: v1 GET /v1/chat',
      'PUT /v1/x': '404: no backend',
      // /v1/files has GET only, 6 deep.
      'GET /v1/files/x': '200: files GET /v1/files/x',
      'POST /v1/files/x': '200: v1 POST /v1/files/x',
      'POST /v1/files/a/b/c/d': '404: no backend',
    };
    expect(await outcomes(gateway, stubs, table)).toEqual(table);
  });

  test('a method no route declares gets 404 (not 405), and no backend is called', async () => {
    const table = {
      'DELETE /v1/a': '404: no backend',
      'PATCH /v1/chat/x': '404: no backend',
      'DELETE /v1/chat': '404: no backend',
      'PATCH /auth/login': '404: no backend',
      'PUT /status': '404: no backend',
      'GET /hook': '404: no backend',
      'HEAD /v1/a': '404: no backend',
      'OPTIONS /v1/a': '404: no backend',
      'OPTIONS /v1/chat/x': '404: no backend',
    };
    expect(await outcomes(gateway, stubs, table)).toEqual(table);
  });

  test('a trailing slash never reaches a backend: 301 (GET) or 307 (others) to the path without it when that endpoint exists, else 404', async () => {
    const table = {
      'GET /v1/chat/': '301 Location /v1/chat: no backend',
      'POST /v1/chat/': '307 Location /v1/chat: no backend',
      'PUT /v1/chat/': '307 Location /v1/chat: no backend',
      'DELETE /v1/chat/': '404: no backend',
      'PUT /v1/a/': '404: no backend',
      'GET /v1/': '301 Location /v1: no backend',
      'GET /v1/a/b/c/d/': '301 Location /v1/a/b/c/d: no backend',
      'GET /v1/a/b/c/d/e/': '404: no backend',
      'GET /status/': '301 Location /status: no backend',
      'GET /auth/': '301 Location /auth: no backend',
      'POST /hook/': '307 Location /hook: no backend',
      'GET /nope/': '404: no backend',
      // The query is kept in the redirect.
      'GET /v1/chat/?x=1': '301 Location /v1/chat?x=1: no backend',
      // remove_extra_slash cleans `//` before the lookup, but the redirect strips one slash of the raw path.
      'GET /v1/chat//': '301 Location /v1/chat/: no backend',
      'GET /v1//a': '200: v1 GET /v1/a',
      'GET /v1/a/./': '301 Location /v1/a: no backend',
    };
    expect(await outcomes(gateway, stubs, table)).toEqual(table);
  });

  test('the trailing-slash redirect follows a client X-Forwarded-Prefix (gin redirectTrailingSlash), cleaned to letters, digits, -, /', async () => {
    const table = {
      'GET /v1/chat/': '301 Location /x/v1/chat: no backend',
    };
    expect(await outcomes(gateway, stubs, table, { headers: { 'X-Forwarded-Prefix': '/x' } })).toEqual(table);
    expect(await outcomes(gateway, stubs, table, { headers: { 'X-Forwarded-Prefix': '//x.' } })).toEqual(table);
  });

  test('path segments are decoded for routing and re-encoded by Go for the backend', async () => {
    const table = {
      'GET /v1/caf%C3%A9/a%20b': '200: v1 GET /v1/caf%C3%A9/a%20b',
      'GET /v1/%7Euser': '200: v1 GET /v1/~user',
      'GET /v1/a+b/%2B': '200: v1 GET /v1/a+b/+',
      "GET /v1/a@b/c:d!$&'()*,=": "200: v1 GET /v1/a@b/c:d!$&'()*,=",
      // A decoded %2F is a segment boundary for gin: two segments below /v1.
      'GET /v1/a%2Fb': '200: v1 GET /v1/a/b',
    };
    expect(await outcomes(gateway, stubs, table)).toEqual(table);
  });

  test('every query parameter is forwarded, re-encoded: keys sorted, repeated keys kept in order, a bare key gets =, a space becomes +', async () => {
    const table = {
      'GET /v1/q?b=2&a=1&a=0&sp=%20+x&amp=%26&pct=%25&u=%C3%A9&e=&n&plus=a+b&slash=%2F':
        '200: v1 GET /v1/q?a=1&a=0&amp=%26&b=2&e=&n=&pct=%25&plus=a+b&slash=%2F&sp=++x&u=%C3%A9',
      'POST /v1/chat/x?stream=true&stream=false': '200: chat POST /v1/chat/x?stream=true&stream=false',
      'GET /auth/login?next=%2Fhome%3Fa%3D1': '200: auth GET /api/login?next=%2Fhome%3Fa%3D1',
      'GET /status?verbose': '200: status GET /status?verbose=',
      'POST /hook?id=7': '200: hook POST /hooks/in?id=7',
      'GET /strip?z=1&y=2': '200: strip GET /?y=2&z=1',
      'GET /v1/a?': '200: v1 GET /v1/a',
    };
    expect(await outcomes(gateway, stubs, table)).toEqual(table);
  });

  test('the forwarded query holds the same parameters as the client sent, as a form decoder reads them', async () => {
    // GIVEN a query with repeated keys and encoded characters
    const query = 'b=2&a=1&a=0&sp=%20+x&amp=%26&pct=%25&u=%C3%A9&e=&n&plus=a+b&slash=%2F';

    // WHEN it goes through the gateway
    clearStubs(stubs);
    const res = await send(gateway.url, { path: `/v1/q?${query}` });

    // THEN the backend decodes the same pairs, each key's values in the client's order
    expect(res.status).toBe(200);
    expect(stubs.v1.requests).toHaveLength(1);
    const pairs = [...new URLSearchParams(stubs.v1.requests[0].query)];
    expect(pairs).toEqual([
      ['a', '1'],
      ['a', '0'],
      ['amp', '&'],
      ['b', '2'],
      ['e', ''],
      ['n', ''],
      ['pct', '%'],
      ['plus', 'a b'],
      ['slash', '/'],
      ['sp', '  x'],
      ['u', 'é'],
    ]);
  });

  test('the client gets the backend answer of the route that served it', async () => {
    clearStubs(stubs);
    const res = await send(gateway.url, { path: '/auth/login?x=1' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(JSON.parse(res.text)).toEqual({ method: 'GET', path: '/api/login', query: 'x=1' });
  });
});

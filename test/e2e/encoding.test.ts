/**
 * Translating routes (`encoding`, `outputEncoding`, `isCollection`) through the real KrakenD CE 2.13
 * (`krakend run`), serving what the construct renders. Each expected answer is written out here from
 * what the backend sends, and shows what a client receives:
 * - an XML service, a JSON array, a plain-text service and an RSS feed answered as JSON, and JSON
 *   answered as XML, YAML or by the client's `Accept` (lura router/gin/render.go; krakend-xml,
 *   krakend-rss);
 * - the backend's error status kept, with an empty body and none of its headers or error text; a
 *   body that cannot be decoded is a 500;
 * - none of the backend's headers on a success either, beside a pass-through route that keeps them;
 * - JWT, identity headers and rate limits as on any route.
 */
import { GatewaySpec } from '../../lib';
import { RunningKrakend, describeWithKrakend, serveGateway, stopAllKrakends } from '../support/krakend';
import { Issuer, RecordedRequest, StubBackend, StubReply, send, startIssuer, startStub } from '../support/peers';
import { bearer, receivedHeaders } from './auth-support';

const BACKEND_HEADERS = { 'set-cookie': 'session=backend', 'x-internal-host': 'db-7', server: 'legacy/1.0' };

/** The legacy services behind the routes, by path: what each answers. */
function legacy(req: RecordedRequest): StubReply {
  const at = (p: string) => req.path.endsWith(p);
  if (at('/user.xml')) return reply(200, 'application/xml', '<user><id>7</id><name>Ann &amp; Bo</name><tags><tag>a</tag><tag>b</tag></tags></user>');
  if (at('/users')) return reply(200, 'application/json', '[{"id":1},{"id":2}]');
  if (at('/motd')) return reply(200, 'text/plain', 'all systems go');
  if (at('/feed')) {
    return reply(
      200,
      'application/rss+xml',
      '<?xml version="1.0"?><rss version="2.0"><channel><title>News</title><link>http://news.test</link>' +
        '<description>d</description><item><title>First</title><link>http://news.test/1</link></item></channel></rss>',
    );
  }
  if (at('/created')) return reply(201, 'application/json', '{"created":true}');
  if (at('/missing')) return reply(404, 'application/json', '{"error":"no such user","trace":"at db.go:42"}');
  if (at('/broken')) return reply(500, 'text/plain', 'panic: nil map at handler.go:12');
  if (at('/garbled')) return reply(200, 'application/json', '{"id": 7,');
  return reply(200, 'application/json', JSON.stringify({ id: 7, nested: { k: 'v' }, user: req.headers['x-user-id'] ?? null }));
}

function reply(status: number, contentType: string, body: string): StubReply {
  return { status, headers: { ...BACKEND_HEADERS, 'content-type': contentType }, body };
}

function translationSpec(iam: Issuer, svc: StubBackend): GatewaySpec {
  const backend = svc.url;
  return {
    authPolicies: [{ name: 'iam', type: 'jwt', iamEndpoint: iam.iss, jwksUrl: iam.jwksUrl, allowInsecureJwks: true }],
    rateLimits: [{ name: 'per-user', maxRate: 2, every: '1h' }],
    routes: [
      { prefix: '/xml', backend, encoding: 'xml' },
      { prefix: '/as-xml', backend, stripPrefix: true, encoding: 'json', outputEncoding: 'xml' },
      { prefix: '/as-yaml', backend, stripPrefix: true, encoding: 'json', outputEncoding: 'yaml' },
      { prefix: '/negotiated', backend, stripPrefix: true, encoding: 'json', outputEncoding: 'negotiate' },
      { prefix: '/list', backend, encoding: 'json', isCollection: true, outputEncoding: 'json-collection' },
      { prefix: '/wrapped', backend, stripPrefix: true, encoding: 'safejson' },
      { prefix: '/text', backend, stripPrefix: true, encoding: 'string' },
      { prefix: '/plain', backend, stripPrefix: true, encoding: 'string', outputEncoding: 'string' },
      { prefix: '/news', backend, stripPrefix: true, encoding: 'rss' },
      { prefix: '/json', backend, stripPrefix: true, methods: ['GET', 'POST'], encoding: 'json' },
      { prefix: '/passthrough', backend, stripPrefix: true },
      { prefix: '/me', backend, stripPrefix: true, encoding: 'json', authPolicy: 'iam', rateLimit: 'per-user' },
    ],
  };
}

describeWithKrakend('translating routes in krakend run', (bin) => {
  let iam: Issuer;
  let svc: StubBackend;
  let gateway: RunningKrakend;

  beforeAll(async () => {
    iam = await startIssuer();
    svc = await startStub(legacy);
    gateway = await serveGateway(bin, translationSpec(iam, svc));
  }, 60_000);

  afterAll(async () => {
    await stopAllKrakends();
    await Promise.all([iam?.close(), svc?.close()]);
  });

  beforeEach(() => svc.clear());

  const get = (path: string, headers: Record<string, string> = {}) => send(gateway.url, { path, headers });
  const json = (text: string) => JSON.parse(text) as unknown;

  test('an XML service answers as JSON: elements become fields, repeated ones a list, text a string', async () => {
    const res = await get('/xml/user.xml');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(json(res.text)).toEqual({ user: { id: '7', name: 'Ann & Bo', tags: { tag: ['a', 'b'] } } });
  });

  test('JSON answers as XML under a doc root, and as YAML', async () => {
    const xml = await get('/as-xml/thing');
    expect([xml.status, xml.headers['content-type'], xml.text]).toEqual([
      200,
      'application/xml',
      '<doc><id>7</id><nested><k>v</k></nested><user/></doc>',
    ]);
    const yaml = await get('/as-yaml/thing');
    expect([yaml.status, yaml.headers['content-type']]).toEqual([200, 'application/x-yaml; charset=utf-8']);
    // JSON numbers are decoded as json.Number, which YAML writes as a quoted string.
    expect(yaml.text).toBe('id: "7"\nnested:\n    k: v\nuser: null\n');
  });

  test('negotiate answers XML, YAML or JSON by the client’s Accept, JSON when it names none of them', async () => {
    const types = await Promise.all(
      ['application/xml', 'application/x-yaml', 'text/plain', 'application/json', '*/*', 'image/png'].map(async (accept) => {
        const res = await get('/negotiated/thing', { Accept: accept });
        return `${res.status} ${res.headers['content-type']}`;
      }),
    );
    expect(types).toEqual([
      '200 application/xml',
      '200 application/x-yaml; charset=utf-8',
      '200 application/x-yaml; charset=utf-8',
      '200 application/json; charset=utf-8',
      '200 application/json; charset=utf-8',
      '200 application/json; charset=utf-8',
    ]);
  });

  test('a collection answers as the array itself with json-collection, under `collection` with safejson', async () => {
    const list = await get('/list/users');
    expect([list.status, json(list.text)]).toEqual([200, [{ id: 1 }, { id: 2 }]]);
    const wrapped = await get('/wrapped/users');
    expect([wrapped.status, json(wrapped.text)]).toEqual([200, { collection: [{ id: 1 }, { id: 2 }] }]);
    // safejson reads an object as an object
    expect(json((await get('/wrapped/thing')).text)).toEqual({ id: 7, nested: { k: 'v' }, user: null });
  });

  test('a plain-text service answers as JSON under `content`, or as the text itself', async () => {
    const asJson = await get('/text/motd');
    expect([asJson.status, json(asJson.text)]).toEqual([200, { content: 'all systems go' }]);
    const asText = await get('/plain/motd');
    expect([asText.status, asText.headers['content-type'], asText.text]).toEqual([200, 'text/plain; charset=utf-8', 'all systems go']);
  });

  test('an RSS feed answers as JSON with its title and items', async () => {
    const res = await get('/news/feed');
    expect(res.status).toBe(200);
    const feed = json(res.text) as { title: string; items: Array<{ title: string; link: string }> };
    expect([feed.title, feed.items.map((i) => [i.title, i.link])]).toEqual(['News', [['First', 'http://news.test/1']]]);
  });

  test('none of the backend’s headers reach the client of a translating route; a pass-through route keeps them', async () => {
    const translated = await get('/json/thing');
    const passed = await get('/passthrough/thing');
    const names = Object.keys(BACKEND_HEADERS);
    expect(names.map((h) => translated.headers[h])).toEqual([undefined, undefined, undefined]);
    expect(names.map((h) => passed.headers[h])).toEqual([['session=backend'], 'db-7', 'legacy/1.0']);
    // KrakenD says whether it decoded the whole answer; a pass-through route decodes nothing and always says false.
    expect([translated.headers['x-krakend-completed'], passed.headers['x-krakend-completed']]).toEqual(['true', 'false']);
  });

  test('a backend’s 404 and 500 keep their status with an empty body; its 201 is a 200; an undecodable body a 500', async () => {
    const answers = await Promise.all(['/json/missing', '/json/broken', '/json/created', '/json/garbled'].map((p) => get(p)));
    expect(answers.map((r) => [r.status, r.text])).toEqual([
      [404, ''],
      [500, ''],
      [200, '{"created":true}'],
      [500, ''],
    ]);
    // Neither the error text nor the backend's headers leak.
    for (const r of answers.slice(0, 2)) expect([r.headers['set-cookie'], r.headers['x-internal-host']]).toEqual([undefined, undefined]);
    expect(answers.map((r) => r.headers['x-krakend-completed'])).toEqual(['false', 'false', 'true', 'false']);
  });

  test('a POST body reaches the backend of a translating route', async () => {
    const res = await send(gateway.url, { method: 'POST', path: '/json/thing', headers: { 'Content-Type': 'application/json' }, body: '{"q":1}' });
    expect(res.status).toBe(200);
    expect([svc.requests[0].method, svc.requests[0].body.toString('utf8')]).toEqual(['POST', '{"q":1}']);
  });

  test('JWT, identity and rate limit hold: 401 without a token, the user from the token, 429 past the limit', async () => {
    const none = await get('/me/thing');
    expect([none.status, svc.requests.length]).toEqual([401, 0]);
    const token = iam.sign({ sub: 'user-1' });
    const first = await get('/me/thing', { ...bearer(token), 'X-User-Id': 'forged' });
    expect([first.status, json(first.text)]).toEqual([200, { id: 7, nested: { k: 'v' }, user: 'user-1' }]);
    expect(receivedHeaders(svc.requests[0], ['X-User-Id'])).toEqual({ 'x-user-id': ['user-1'] });
    await get('/me/thing', bearer(token));
    const third = await get('/me/thing', bearer(token));
    expect([third.status, svc.requests.length]).toEqual([429, 2]);
  });
});

/**
 * Streaming routes end to end: Debian's nginx serves the rendered nginx.conf in front of `krakend run`
 * serving the rendered krakend.json (only the addresses the renderers take as inputs set to free
 * loopback ports: test/support/nginx.ts), with an SSE backend that stamps each event with the time it
 * wrote it, and an IAM issuing tokens, all on loopback. Clients connect from 127.0.0.2 and up where
 * their address matters: 127.0.0.1 is the stream proxy's own, which KrakenD trusts.
 */
import { GatewaySpec } from '../../lib';
import { buildKrakendConfig, serializeKrakendConfig } from '../../lib/krakend/render';
import { renderNginxConf } from '../../lib/nginx/conf';
import { renderedObjects } from '../support/krakend';
import { checkAddresses, describeWithStreamProxy, nginxTest, resolvedGateway, StreamGateway, startStreamGateway } from '../support/nginx';
import { Issuer, startIssuer } from '../support/peers';
import { bearer } from './auth-support';
import { eventually, SseBackend, startSseBackend, stream } from './streaming-support';

function streamingSpec(iam: Issuer, backend: SseBackend): GatewaySpec {
  return {
    authPolicies: [
      {
        name: 'iam',
        type: 'jwt',
        iamEndpoint: iam.iss,
        jwksUrl: iam.jwksUrl,
        allowInsecureJwks: true,
        propagateClaims: [{ claim: 'roles', header: 'X-Roles' }],
      },
    ],
    rateLimits: [
      { name: 'plenty', maxRate: 1000, every: '1s' },
      { name: 'per-user', maxRate: 1, capacity: 3, every: '1h' },
      { name: 'per-ip', maxRate: 1, capacity: 2, every: '1h' },
    ],
    routes: [
      // A request timeout of 1 s, which a stream outlasts; a stream silent for 2 s is closed.
      {
        prefix: '/v1/chat',
        backend: backend.url,
        methods: ['GET', 'POST'],
        authPolicy: 'iam',
        rateLimit: 'plenty',
        streaming: true,
        timeout: '1s',
        streamTimeout: '2s',
      },
      { prefix: '/v1/limited', backend: backend.url, methods: ['POST'], authPolicy: 'iam', rateLimit: 'per-user', streaming: true },
      { prefix: '/public', backend: `${backend.url}/base`, stripPrefix: true, rateLimit: 'per-ip', streaming: true },
      { prefix: '/v1/models', backend: backend.url },
    ],
  };
}

describeWithStreamProxy('streaming routes through nginx and KrakenD', (tools) => {
  let iam: Issuer;
  let backend: SseBackend;
  let gateway: StreamGateway;
  let spec: GatewaySpec;
  const token = (claims: Record<string, unknown> = {}) => bearer(iam.sign({ sub: 'user-1', owner: 'org-1', roles: ['reader'], ...claims }));
  const requestsTo = (path: string) => backend.requests.filter((r) => r.url.startsWith(path)).length;

  beforeAll(async () => {
    [iam, backend] = await Promise.all([startIssuer(), startSseBackend()]);
    spec = streamingSpec(iam, backend);
    gateway = await startStreamGateway(tools, spec);
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([iam?.close(), backend?.close()]);
  });

  test('the configs served are the ones the construct renders, but for the addresses', () => {
    // GIVEN the ConfigMap the construct renders for the same spec
    const configMap = renderedObjects(spec).find((o) => o.kind === 'ConfigMap')!;
    const resolved = resolvedGateway(spec);
    // THEN it holds exactly what the renderers give with the pod's addresses
    expect(configMap.data['nginx.conf']).toBe(renderNginxConf(resolved));
    expect(configMap.data['krakend.json']).toBe(serializeKrakendConfig(buildKrakendConfig(resolved, { name: 'gateway' })));
    // AND the served nginx.conf differs from it only in those addresses
    const served = gateway.nginxConf.split('\n');
    const pod = configMap.data['nginx.conf'].split('\n') as string[];
    const differing = pod.filter((line, i) => line !== served[i]).map((l) => l.trim());
    expect(differing.sort()).toEqual(
      [
        'include /tmp/resolver.conf;',
        'listen 127.0.0.1:8082;',
        'listen 8080;',
        'pid /tmp/nginx.pid;',
        'server 127.0.0.1:8081;',
        ...tempPaths('/tmp'),
      ].sort(),
    );
  });

  test('nginx -t accepts the rendered nginx.conf', () => {
    const result = nginxTest(tools.nginx, renderNginxConf(resolvedGateway(spec), checkAddresses()));
    expect(result.output).toBe('');
    expect(result.ok).toBe(true);
  });

  test('every event reaches the client within 50 ms of the backend writing it, for 5 s, past the route timeout of 1 s', async () => {
    // WHEN a stream of 50 events, one every 100 ms, goes through the gateway
    const res = await stream(gateway.url, { path: '/v1/chat/completions/events?count=50&every=100', headers: token() });
    // THEN each arrives on its own, at once, and the stream ends whole
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    expect(res.events.map((e) => e.i)).toEqual([...Array(50).keys()]);
    const late = res.events.filter((e) => e.receivedAt - e.sentAt > 50);
    expect(late).toEqual([]);
    expect(res.complete).toBe(true);
    expect(res.endedAt - res.startedAt).toBeGreaterThanOrEqual(4_900);
  }, 30_000);

  test('a stream silent for the stream timeout (2 s) is closed, and the backend sees its connection close', async () => {
    // WHEN the backend sends one event and then nothing
    const before = backend.requests.length;
    const res = await stream(gateway.url, { path: '/v1/chat/idle', headers: token() });
    // THEN the gateway cuts the stream about 2 s after the last byte
    expect(res.events).toHaveLength(1);
    expect(res.complete).toBe(false);
    const silence = res.endedAt - res.events[0].receivedAt;
    expect(silence).toBeGreaterThanOrEqual(1_900);
    expect(silence).toBeLessThan(4_000);
    const request = backend.requests[before];
    expect(await eventually(() => request.abortedAt, 2_000)).toBeDefined();
  }, 30_000);

  test('the same route answers a JSON request and its body whole', async () => {
    const body = JSON.stringify({ model: 'zen', messages: [{ role: 'user', content: 'hi' }] });
    const res = await stream(gateway.url, {
      method: 'POST',
      path: '/v1/chat/json',
      headers: { ...token(), 'Content-Type': 'application/json' },
      body,
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(JSON.parse(res.body)).toEqual({ method: 'POST', path: '/v1/chat/json', body });
  });

  test('without a valid token: 401, and the backend is never called', async () => {
    const before = requestsTo('/v1/chat');
    const none = await stream(gateway.url, { path: '/v1/chat/events?count=3' });
    const stranger = await stream(gateway.url, { path: '/v1/chat/events?count=3', headers: bearer(iam.sign({}, { key: iam.strangerKey })) });
    const expired = await stream(gateway.url, { path: '/v1/chat/events?count=3', headers: token({ exp: Math.floor(Date.now() / 1000) - 60 }) });
    expect([none.status, stranger.status, expired.status]).toEqual([401, 401, 401]);
    expect(requestsTo('/v1/chat')).toBe(before);
  });

  test('identity headers come from the token; forged ones and other client headers never reach the backend', async () => {
    // GIVEN a client that sends its own identity headers and address
    const forged = { 'X-User-Id': 'admin', 'X-Org-Id': 'other-org', 'X-Roles': 'root', 'X-Forwarded-For': '6.6.6.6', 'X-Evil': '1' };
    const before = backend.requests.length;
    // WHEN it streams with a valid token
    const res = await stream(gateway.url, {
      path: '/v1/chat/events?count=2&every=10',
      headers: { ...forged, ...token(), Accept: 'text/event-stream' },
      from: '127.0.0.2',
    });
    expect(res.status).toBe(200);
    // THEN the backend gets the token's identity, the client's real address, and the allowlist only
    const got = backend.requests[before].headers;
    expect([got['x-user-id'], got['x-org-id'], got['x-roles']]).toEqual(['user-1', 'org-1', 'reader']);
    expect(got['x-forwarded-for']).toBe('127.0.0.2');
    expect(got['x-evil']).toBeUndefined();
    expect(got.accept).toBe('text/event-stream');
    // The backend is an address, not a Service of the cluster: as through KrakenD, it does not get the client's token.
    expect(got.authorization).toBeUndefined();
  });

  test('the per-user limit answers 429 through the stream proxy, without calling the backend, and counts each user apart', async () => {
    const post = (sub: string) => stream(gateway.url, { method: 'POST', path: '/v1/limited/events?count=1', headers: token({ sub }), body: '{}' });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await post('user-a')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(requestsTo('/v1/limited')).toBe(3);
    expect((await post('user-b')).status).toBe(200);
  });

  test('a public streaming route counts its per-IP limit on the real client, whatever X-Forwarded-For it sends', async () => {
    const get = (from: string, headers: Record<string, string> = {}) => stream(gateway.url, { path: '/public/events?count=1', from, headers });
    const first = [
      await get('127.0.0.3'),
      await get('127.0.0.3', { 'X-Forwarded-For': '9.9.9.9' }),
      await get('127.0.0.3', { 'X-Forwarded-For': '8.8.8.8' }),
    ];
    expect(first.map((r) => r.status)).toEqual([200, 200, 429]);
    expect((await get('127.0.0.4')).status).toBe(200);
    // stripPrefix and the base path, as KrakenD's url_pattern makes them
    expect(backend.requests.filter((r) => r.url.startsWith('/base/events')).length).toBe(3);
  });

  test('a client that goes away mid-stream closes the backend connection within a second', async () => {
    const before = backend.requests.length;
    const res = await stream(gateway.url, { path: '/v1/chat/events?count=100&every=100', headers: token(), abortAfter: 3 });
    expect(res.events).toHaveLength(3);
    const request = backend.requests[before];
    const aborted = await eventually(() => request.abortedAt, 2_000);
    expect(aborted).toBeDefined();
    expect(aborted! - res.endedAt).toBeLessThan(1_000);
  }, 30_000);

  test('other routes, other methods and the check endpoints go to KrakenD as without the stream proxy', async () => {
    const models = await stream(gateway.url, { path: '/v1/models/zen' });
    expect(models.status).toBe(200);
    const before = backend.requests.length;
    // DELETE is not a method of /v1/chat: KrakenD has no endpoint for it
    expect((await stream(gateway.url, { method: 'DELETE', path: '/v1/chat/x', headers: token() })).status).toBe(404);
    // A client cannot call a check endpoint through nginx
    expect((await stream(gateway.url, { path: '/__stream-auth/0', headers: token() })).status).toBe(404);
    expect(backend.requests.length).toBe(before);
  });
});

/** The temporary paths of nginx.conf under `dir`. */
function tempPaths(dir: string): string[] {
  return ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((p) => `${p === 'proxy' ? 'proxy' : p}_temp_path ${dir}/${p};`);
}

/**
 * CORS as `cors` renders it (`security/cors`), in `krakend run`, in front of a backend that sends its
 * own CORS headers and behind a JWT route.
 *
 * KrakenD facts relied on, each checked below:
 * - krakend-ce wraps the whole router in rs/cors (executor.go, DefaultRunServerFactory; krakend-cors
 *   gin/cors.go, NewRunServerWithLogger): a preflight (OPTIONS with Access-Control-Request-Method) is
 *   answered there, before routing, so no route needs OPTIONS and the JWT check never sees it. This
 *   wrapper (krakend-cors mux/cors.go, NewWithLogger) passes an unset OptionsSuccessStatus on, so
 *   rs/cors answers 204 (its default; only the gin middleware turns it into 200), for an origin it
 *   refuses too, then without any Access-Control-* header.
 * - rs/cors writes Access-Control-Allow-Origin before the handler runs, and lura's no-op render adds the
 *   backend's headers after it (router/gin/render.go, noopRender: Header().Add), so without the martian
 *   blacklist the rendered config adds, the client gets the header twice.
 */
import { GatewaySpec } from '../../lib';
import { describeWithKrakend, RunningKrakend, serveGateway, stopAllKrakends } from '../support/krakend';
import { ClientResponse, Issuer, send, startIssuer, startStub, StubBackend } from '../support/peers';
import { bearer, serveAltered } from './auth-support';

const APP = 'https://app.hanzo.test';

/** Every value of a response header, as the client got it: one entry per header line. */
function values(res: ClientResponse, name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) if (res.rawHeaders[i].toLowerCase() === name.toLowerCase()) out.push(res.rawHeaders[i + 1]);
  return out;
}

/** The Access-Control-* headers of a response, lower-cased. */
function corsHeaders(res: ClientResponse): string[] {
  return Object.keys(res.headers).filter((h) => h.startsWith('access-control-'));
}

/** A backend with CORS of its own: any origin, credentials. */
const selfCors = () => ({
  status: 200,
  headers: {
    'content-type': 'text/plain',
    'access-control-allow-origin': '*',
    'access-control-allow-credentials': 'true',
    'access-control-expose-headers': 'X-Backend',
    'x-request-id': 'r-1',
  },
  body: 'ok',
});

function corsSpec(iam: Issuer, backend: StubBackend): GatewaySpec {
  return {
    authPolicies: [{ name: 'iam', type: 'jwt', iamEndpoint: iam.iss, jwksUrl: iam.jwksUrl, allowInsecureJwks: true }],
    routes: [
      { prefix: '/v1/public', backend: backend.url, methods: ['GET', 'POST'] },
      { prefix: '/v1/private', backend: backend.url, methods: ['GET', 'POST'], authPolicy: 'iam' },
    ],
    cors: { allowOrigins: [APP], allowCredentials: true, exposeHeaders: ['X-Request-Id'], maxAge: '10m' },
  };
}

const preflight = (path: string, origin: string) => ({
  method: 'OPTIONS',
  path,
  headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type' },
});

describeWithKrakend('CORS in krakend run', (bin) => {
  let iam: Issuer;
  let backend: StubBackend;
  let gateway: RunningKrakend;

  beforeAll(async () => {
    iam = await startIssuer();
    backend = await startStub(selfCors);
    gateway = await serveGateway(bin, corsSpec(iam, backend));
  }, 60_000);
  afterAll(async () => {
    await stopAllKrakends();
    await Promise.all([iam?.close(), backend?.close()]);
  });
  beforeEach(() => backend.clear());

  test('a preflight to a JWT route gets 204 and the CORS headers, without a token and without reaching the backend', async () => {
    const res = await send(gateway.url, preflight('/v1/private/x', APP));
    expect(res.status).toBe(204);
    expect(values(res, 'Access-Control-Allow-Origin')).toEqual([APP]);
    expect(values(res, 'Access-Control-Allow-Credentials')).toEqual(['true']);
    expect(values(res, 'Access-Control-Allow-Methods')).toEqual(['POST']);
    expect(values(res, 'Access-Control-Allow-Headers')).toEqual(['authorization,content-type']);
    expect(values(res, 'Access-Control-Max-Age')).toEqual(['600']);
    expect(backend.requests).toHaveLength(0);
  });

  test('a preflight asking for a header or method not allowed gets no CORS headers', async () => {
    const header = await send(gateway.url, {
      ...preflight('/v1/public', APP),
      headers: { ...preflight('', APP).headers, 'Access-Control-Request-Headers': 'x-other' },
    });
    const method = await send(gateway.url, {
      ...preflight('/v1/public', APP),
      headers: { ...preflight('', APP).headers, 'Access-Control-Request-Method': 'PATCH' },
    });
    expect(corsHeaders(header)).toEqual([]);
    expect(corsHeaders(method)).toEqual([]);
  });

  test('a preflight from an origin not allowed gets 204 without any Access-Control header', async () => {
    const res = await send(gateway.url, preflight('/v1/private/x', 'https://evil.test'));
    expect(res.status).toBe(204);
    expect(corsHeaders(res)).toEqual([]);
    expect(backend.requests).toHaveLength(0);
  });

  test('a simple request carries Allow-Origin once, the gateway’s, and the exposed headers; the backend’s CORS headers are gone', async () => {
    const res = await send(gateway.url, { path: '/v1/public/x', headers: { Origin: APP } });
    expect(res.status).toBe(200);
    expect(values(res, 'Access-Control-Allow-Origin')).toEqual([APP]);
    expect(values(res, 'Access-Control-Allow-Credentials')).toEqual(['true']);
    expect(values(res, 'Access-Control-Expose-Headers')).toEqual(['X-Request-Id']);
    expect(values(res, 'X-Request-Id')).toEqual(['r-1']);
    expect(values(res, 'Vary')).toContain('Origin');
  });

  test('an authenticated request gets the headers too, and a request without a token still gets 401', async () => {
    const ok = await send(gateway.url, { path: '/v1/private', headers: { Origin: APP, ...bearer(iam.sign()) } });
    expect(ok.status).toBe(200);
    expect(values(ok, 'Access-Control-Allow-Origin')).toEqual([APP]);
    const refused = await send(gateway.url, { path: '/v1/private', headers: { Origin: APP } });
    expect(refused.status).toBe(401);
    expect(backend.requests).toHaveLength(1);
  });

  test('a request from an origin not allowed gets no Allow-Origin, neither the gateway’s nor the backend’s', async () => {
    const res = await send(gateway.url, { path: '/v1/public', headers: { Origin: 'https://evil.test' } });
    expect(res.status).toBe(200);
    expect(corsHeaders(res)).toEqual([]);
  });

  test('without the rendered removal of the backend’s CORS headers, a client would get Allow-Origin twice', async () => {
    // GIVEN the same config with the backend's martian block taken out
    const altered = await serveAltered(bin, corsSpec(iam, backend), (e) => {
      for (const b of (e as unknown as { backend: Array<{ extra_config?: unknown }> }).backend) delete b.extra_config;
    });
    // WHEN
    const res = await send(altered.url, { path: '/v1/public', headers: { Origin: APP } });
    // THEN the gateway's and the backend's
    expect(values(res, 'Access-Control-Allow-Origin').sort()).toEqual(['*', APP].sort());
    await altered.stop();
  });
});

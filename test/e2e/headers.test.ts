/**
 * The header fields through the real KrakenD CE 2.13 (`krakend run`), serving what the construct
 * renders, in the environment its Deployment gives the container (each Secret key read from the
 * Secrets this test holds, as the kubelet would):
 * - `requestHeaders` and `secretHeaders` reach the backend with the configured value, also when the
 *   client sends its own copy, forwarded or not (martian sets them on the request lura built:
 *   krakend-martian martian.go, HTTPRequestExecutor); `Host` names the upstream's host;
 * - the Secret's value, quotes and backslashes included, arrives exactly as the environment holds it
 *   (flexible configuration reads it at start: krakend-flexibleconfig template.go) and appears in
 *   none of the rendered objects;
 * - `overrideAuthorization` sends the Secret's key in place of the client's token, which the gateway
 *   still validates;
 * - the security headers are on every response under a TLS Ingress, the gateway's own 401 included
 *   (krakend-httpsecure, a gin middleware), and `removeResponseHeaders` deletes the backend's headers
 *   on its route only.
 */
import { randomBytes } from 'crypto';
import { App, Chart } from 'cdk8s';
import { Gateway, GatewaySpec } from '../../lib';
import { RunningKrakend, describeWithKrakend, serveGateway, stopAllKrakends } from '../support/krakend';
import { Issuer, StubBackend, send, startIssuer, startStub } from '../support/peers';
import { bearer, receivedHeaders } from './auth-support';

// Random per run, so that a value found in the output can only have come from the environment.
const PROVIDER_KEY = `Bearer sk-${randomBytes(16).toString('hex')}"q\\z`;
const EMBED_KEY = `ek-${randomBytes(16).toString('hex')}`;
const SECRETS = { llm: { authorization: PROVIDER_KEY, 'embed-key': EMBED_KEY } };

const SECURITY_HEADERS = {
  'strict-transport-security': 'max-age=31536000',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

function headersSpec(iam: Issuer, llm: StubBackend, svc: StubBackend): GatewaySpec {
  return {
    authPolicies: [{ name: 'iam', type: 'jwt', iamEndpoint: iam.iss, jwksUrl: iam.jwksUrl, allowInsecureJwks: true }],
    routes: [
      {
        // An upstream LLM API: outside the cluster, called with the provider's key in place of the user's token.
        prefix: '/v1/chat',
        backend: llm.url,
        methods: ['POST'],
        authPolicy: 'iam',
        overrideAuthorization: true,
        requestHeaders: { 'X-Api-Version': '2024-06-01', Host: 'api.llm.test' },
        secretHeaders: [{ header: 'Authorization', secret: { name: 'llm', key: 'authorization' } }],
        removeResponseHeaders: ['Server', 'X-Powered-By'],
      },
      // In the cluster (a bare name), the client's own X-Api-Key forwarded, and replaced all the same.
      {
        prefix: '/v1/embed',
        backend: `http://localhost:${svc.port}`,
        inputHeaders: ['X-Api-Key'],
        secretHeaders: [{ header: 'x-api-key', secret: { name: 'llm', key: 'embed-key' } }],
      },
      { prefix: '/v1/public', backend: `http://localhost:${svc.port}` },
      { prefix: '/v1/quiet', backend: `http://localhost:${svc.port}`, removeResponseHeaders: ['server'] },
    ],
    ingress: { hosts: ['api.hanzo.test'] },
    // The most KrakenD ever logs: the Secrets' values must not be in it either.
    logLevel: 'DEBUG',
  };
}

/** A stub that names the software behind it, as real servers do. */
const leaky = () => ({
  status: 200,
  headers: { server: 'leaky/1.0', 'x-powered-by': 'express', 'x-backend': 'yes', 'content-type': 'text/plain' },
  body: 'ok',
});

describeWithKrakend('header injection in krakend run', (bin) => {
  let iam: Issuer;
  let llm: StubBackend;
  let svc: StubBackend;
  let gateway: RunningKrakend;
  let spec: GatewaySpec;

  beforeAll(async () => {
    iam = await startIssuer();
    llm = await startStub(leaky);
    svc = await startStub(leaky);
    spec = headersSpec(iam, llm, svc);
    gateway = await serveGateway(bin, spec, SECRETS);
  }, 60_000);

  afterAll(async () => {
    await stopAllKrakends();
    await Promise.all([iam?.close(), llm?.close(), svc?.close()]);
  });

  beforeEach(() => {
    llm.clear();
    svc.clear();
  });

  test('the LLM backend gets the static headers and the Secret in place of the client’s copies and token', async () => {
    // GIVEN a valid token, and the client's own values for every header the route sets
    const token = iam.sign();
    // WHEN
    const res = await send(gateway.url, {
      method: 'POST',
      path: '/v1/chat/completions',
      headers: { ...bearer(token), 'X-Api-Version': 'client', 'Content-Type': 'application/json' },
      body: '{}',
    });
    // THEN
    expect(res.status).toBe(200);
    expect(llm.requests).toHaveLength(1);
    expect(receivedHeaders(llm.requests[0], ['Authorization', 'X-Api-Version', 'Host'])).toEqual({
      authorization: [PROVIDER_KEY],
      'x-api-version': ['2024-06-01'],
      host: ['api.llm.test'],
    });
  });

  test('the gateway still validates the client’s token: none gets 401 and never reaches the backend', async () => {
    const res = await send(gateway.url, { method: 'POST', path: '/v1/chat/completions', headers: { Authorization: PROVIDER_KEY }, body: '{}' });
    expect(res.status).toBe(401);
    expect(llm.requests).toHaveLength(0);
  });

  test('a forwarded client header of the same name is replaced by the Secret’s value', async () => {
    const res = await send(gateway.url, { path: '/v1/embed/x', headers: { 'X-Api-Key': 'forged' } });
    expect(res.status).toBe(200);
    expect(receivedHeaders(svc.requests[0], ['X-Api-Key'])).toEqual({ 'x-api-key': [EMBED_KEY] });
  });

  test('the security headers are on a proxied answer and on the gateway’s own 401 and 404', async () => {
    const answers = await Promise.all([
      send(gateway.url, { method: 'POST', path: '/v1/chat', headers: bearer(iam.sign()), body: '{}' }),
      send(gateway.url, { method: 'POST', path: '/v1/chat', body: '{}' }),
      send(gateway.url, { path: '/nowhere' }),
    ]);
    expect(answers.map((r) => r.status)).toEqual([200, 401, 404]);
    for (const r of answers) expect(Object.fromEntries(Object.keys(SECURITY_HEADERS).map((h) => [h, r.headers[h]]))).toEqual(SECURITY_HEADERS);
  });

  test('removeResponseHeaders deletes the backend’s headers on its route only', async () => {
    const chat = await send(gateway.url, { method: 'POST', path: '/v1/chat', headers: bearer(iam.sign()), body: '{}' });
    const pub = await send(gateway.url, { path: '/v1/public' });
    const quiet = await send(gateway.url, { path: '/v1/quiet' });
    expect([chat.headers.server, chat.headers['x-powered-by'], chat.headers['x-backend']]).toEqual([undefined, undefined, 'yes']);
    expect([pub.headers.server, pub.headers['x-powered-by'], pub.headers['x-backend']]).toEqual(['leaky/1.0', 'express', 'yes']);
    // A route with nothing else to do gets the response blacklist alone, not in a fifo.Group.
    expect([quiet.headers.server, quiet.headers['x-powered-by'], quiet.headers['x-backend']]).toEqual([undefined, 'express', 'yes']);
  });

  test('no rendered object holds a Secret’s value: the ConfigMap names the variable, the Deployment the Secret', () => {
    // GIVEN every object of the chart as YAML, the Gateway CR included
    const app = new App();
    new Gateway(new Chart(app, 'gateway'), 'Gateway', { name: 'gateway', ...spec }).addCustomResource();
    const yaml = app.synthYaml();
    // THEN the values are nowhere, and the references are there
    const key = PROVIDER_KEY.slice('Bearer '.length, 'Bearer '.length + 35);
    expect([yaml.includes(key), yaml.includes(EMBED_KEY)]).toEqual([false, false]);
    expect(yaml).toContain('(env `HANZO_SECRET_0`)');
    expect(yaml).toContain('secretKeyRef:');
    expect(yaml).toContain('kind: Gateway');
    // AND KrakenD did not log them either, at DEBUG
    expect(gateway.logs()).toContain('DEBUG');
    expect([gateway.logs().includes(key), gateway.logs().includes(EMBED_KEY)]).toEqual([false, false]);
  });
});

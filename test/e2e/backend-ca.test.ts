/**
 * An https backend signed by a private CA, in `krakend run`: refused without `backendCaBundle`, served
 * with it. The config is rendered by the checked renderer with `backendCaFile` naming where this test
 * keeps the CA (the pod mounts it at /etc/krakend/backend-ca/<key>, test/construct covers that).
 *
 * KrakenD facts relied on, each checked below:
 * - lura builds the HTTP client's TLS from `client_tls` once, at start (transport/http/server/server.go,
 *   InitHTTPDefaultTransportWithLogger and loadCertPool: the system pool plus each `ca_certs` file).
 * - An unset `client_tls.min_version` is TLS 1.3 there (parseTLSVersion), so the rendered TLS12 keeps
 *   a TLS 1.2 backend reachable.
 * - A backend whose certificate does not verify fails the request; lura's no-op proxy answers 500.
 */
import { GatewaySpec, renderKrakendConfig } from '../../lib';
import { describeWithKrakend, startKrakend, stopAllKrakends } from '../support/krakend';
import { send, startStub, StubBackend } from '../support/peers';
import { makePrivateCa, PrivateCa } from '../support/tls';

describeWithKrakend('a private CA for https backends in krakend run', (bin) => {
  let ca: PrivateCa | undefined;
  let modern: StubBackend;
  let tls12: StubBackend;
  const spec = (withCa: boolean): GatewaySpec => ({
    routes: [
      { prefix: '/modern', backend: modern.url, exact: true },
      { prefix: '/tls12', backend: tls12.url, exact: true },
    ],
    ...(withCa ? { backendCaBundle: { configMap: 'backend-ca' } } : {}),
  });

  beforeAll(async () => {
    ca = makePrivateCa();
    if (!ca) return;
    modern = await startStub(undefined, { cert: ca.cert, key: ca.key });
    tls12 = await startStub(undefined, { cert: ca.cert, key: ca.key, maxVersion: 'TLSv1.2' });
  });
  afterAll(async () => {
    await stopAllKrakends();
    await Promise.all([modern?.close(), tls12?.close()]);
    ca?.remove();
  });

  test('without the CA bundle the backends’ certificates do not verify: 500, and no request reaches them', async () => {
    if (!ca) return;
    const gateway = await startKrakend(bin, renderKrakendConfig(spec(false)));
    expect((await send(gateway.url, { path: '/modern' })).status).toBe(500);
    expect((await send(gateway.url, { path: '/tls12' })).status).toBe(500);
    expect([modern.requests.length, tls12.requests.length]).toEqual([0, 0]);
    await gateway.stop();
  });

  test('with it both are served, the TLS 1.2 one included', async () => {
    if (!ca) return;
    const config = renderKrakendConfig(spec(true), { backendCaFile: ca.caFile });
    expect(config.client_tls).toEqual({ ca_certs: [ca.caFile], min_version: 'TLS12' });
    const gateway = await startKrakend(bin, config);
    const res = await send(gateway.url, { path: '/modern' });
    expect([res.status, JSON.parse(res.text).path]).toEqual([200, '/modern']);
    expect((await send(gateway.url, { path: '/tls12' })).status).toBe(200);
    expect([modern.requests.length, tls12.requests.length]).toEqual([1, 1]);
    await gateway.stop();
  });

  test('without min_version (lura then requires TLS 1.3) the TLS 1.2 backend would fail', async () => {
    if (!ca) return;
    const config = renderKrakendConfig(spec(true), { backendCaFile: ca.caFile });
    const gateway = await startKrakend(bin, { ...config, client_tls: { ca_certs: config.client_tls!.ca_certs } });
    tls12.clear();
    expect((await send(gateway.url, { path: '/tls12' })).status).toBe(500);
    expect((await send(gateway.url, { path: '/modern' })).status).toBe(200);
    expect(tls12.requests).toHaveLength(0);
    await gateway.stop();
  });
});

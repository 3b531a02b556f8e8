/**
 * The `modifier/martian` block of backends outside the cluster (lib/krakend/martian.ts): which
 * backends get it, which headers it deletes, and that KrakenD CE 2.13 accepts it (`krakend check -t
 * -n`, whose schema requires `scope`). test/e2e/responses.test.ts shows its effect in `krakend run`.
 */
import { GatewaySpec, renderKrakendConfig } from '../../lib';
import { describeWithKrakend, krakendCheck, renderedKrakendJson } from '../support/krakend';

const SPEC: GatewaySpec = {
  routes: [
    { prefix: '/openai', backend: 'https://api.openai.com/v1', stripPrefix: true, methods: ['GET', 'POST'] },
    { prefix: '/partner', backend: 'http://203.0.113.10:8080', inputHeaders: ['user-agent'], exact: true },
    { prefix: '/chat', backend: 'http://chat.hanzo.svc:8000', exact: true },
    { prefix: '/bare', backend: 'http://chat:8000', exact: true },
  ],
};

const blacklist = (last: string) => ({
  'modifier/martian': { 'header.Blacklist': { scope: ['request', 'response'], names: ['Connection', 'Keep-Alive', last] } },
});

test('a backend outside the cluster deletes User-Agent, or X-Forwarded-Via when the route forwards the client’s', () => {
  const byPath = Object.fromEntries(renderKrakendConfig(SPEC).endpoints.map((e) => [`${e.method ?? 'GET'} ${e.endpoint}`, e.backend[0]]));
  expect(byPath['GET /openai']).toEqual({ host: ['https://api.openai.com'], url_pattern: '/v1', extra_config: blacklist('User-Agent') });
  expect(byPath['POST /openai/{p1}'].extra_config).toEqual(blacklist('User-Agent'));
  expect(byPath['GET /partner']).toEqual({ host: ['http://203.0.113.10:8080'], url_pattern: '/partner', extra_config: blacklist('X-Forwarded-Via') });
});

test('a backend in the cluster, by its Service name in any form, gets no martian block', () => {
  const endpoints = renderKrakendConfig(SPEC).endpoints.filter((e) => e.endpoint === '/chat' || e.endpoint === '/bare');
  expect(endpoints.map((e) => e.backend[0])).toEqual([
    { host: ['http://chat.hanzo.svc:8000'], url_pattern: '/chat' },
    { host: ['http://chat:8000'], url_pattern: '/bare' },
  ]);
});

describeWithKrakend('krakend check -t -n of the martian block', (bin) => {
  test('accepts both forms of the block', async () => {
    const result = await krakendCheck(bin, renderedKrakendJson(SPEC));
    expect([result.ok, result.output]).toEqual([true, expect.any(String)]);
  }, 60_000);
});

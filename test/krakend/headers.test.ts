/**
 * What the header fields render (lib/krakend/headers.ts): the martian block of a route's backend
 * (set headers, Secret templates, deleted response headers, beside the block of an outside backend),
 * the service's security/http block and when it is on, the Deployment's environment for Secrets,
 * the lower bound of the size, the lint's guard on '{{', and that KrakenD CE accepts it all.
 */
import { Testing, App, Chart } from 'cdk8s';
import fc from 'fast-check';
import { Gateway, GatewaySpec, renderKrakendConfig } from '../../lib';
import { secretValueTemplate } from '../../lib/krakend/headers';
import { lintKrakendConfig } from '../../lib/krakend/lint';
import { buildKrakendConfig, serializeKrakendConfig } from '../../lib/krakend/render';
import { minConfigBytes } from '../../lib/krakend/size';
import { resolveSpec } from '../../lib/resolve';
import { KrakendConfig } from '../../lib/krakend/types';
import { describeWithKrakend, krakendCheck, renderedKrakendJson } from '../support/krakend';

const OPENAI = { name: 'openai', key: 'api-key' };
const SPEC: GatewaySpec = {
  routes: [
    {
      prefix: '/v1/chat',
      backend: 'https://api.openai.com/v1',
      stripPrefix: true,
      methods: ['POST'],
      exact: true,
      requestHeaders: { 'OpenAI-Beta': 'assistants=v2' },
      secretHeaders: [{ header: 'Authorization', secret: OPENAI }],
      removeResponseHeaders: ['Openai-Organization', 'Set-Cookie'],
    },
    { prefix: '/v1/embed', backend: 'http://embed.hanzo.svc:80', exact: true, secretHeaders: [{ header: 'X-Api-Key', secret: OPENAI }] },
    { prefix: '/v1/models', backend: 'http://cloud-api.hanzo.svc:80', exact: true, removeResponseHeaders: ['Server'] },
    { prefix: '/v1/plain', backend: 'http://cloud-api.hanzo.svc:80', exact: true },
  ],
};
const TEMPLATE = '{{ $v := marshal (env `HANZO_SECRET_0`) }}{{ substr 1 (int (sub (len $v) 1)) $v }}';

const backendOf = (config: KrakendConfig, endpoint: string) => config.endpoints.find((e) => e.endpoint === endpoint)!.backend[0];

test('the template of a Secret reads its variable and strips the quotes of its JSON form', () => {
  expect(secretValueTemplate('HANZO_SECRET_0')).toBe(TEMPLATE);
});

test('an outside backend: its own blacklist first, then the set headers, then the deleted response headers, in one fifo.Group', () => {
  expect(backendOf(renderKrakendConfig(SPEC), '/v1/chat').extra_config).toEqual({
    'modifier/martian': {
      'fifo.Group': {
        scope: ['request', 'response'],
        modifiers: [
          { 'header.Blacklist': { scope: ['request', 'response'], names: ['Connection', 'Keep-Alive', 'User-Agent'] } },
          { 'header.Modifier': { scope: ['request'], name: 'OpenAI-Beta', value: 'assistants=v2' } },
          { 'header.Modifier': { scope: ['request'], name: 'Authorization', value: TEMPLATE } },
          { 'header.Blacklist': { scope: ['response'], names: ['Openai-Organization', 'Set-Cookie'] } },
        ],
      },
    },
  });
});

test('a single modifier is written alone; the same Secret key is one variable on every route; a route without header fields is unchanged', () => {
  const config = renderKrakendConfig(SPEC);
  expect(backendOf(config, '/v1/embed').extra_config).toEqual({
    'modifier/martian': { 'header.Modifier': { scope: ['request'], name: 'X-Api-Key', value: TEMPLATE } },
  });
  expect(backendOf(config, '/v1/models').extra_config).toEqual({
    'modifier/martian': { 'header.Blacklist': { scope: ['response'], names: ['Server'] } },
  });
  expect(backendOf(config, '/v1/plain')).toEqual({ host: ['http://cloud-api.hanzo.svc:80'], url_pattern: '/v1/plain' });
});

describe('security/http', () => {
  const routes = [{ prefix: '/v1', backend: 'http://a.hanzo.svc:80' }];
  const DEFAULT_BLOCK = {
    sts_seconds: 31536000,
    force_sts_header: true,
    content_type_nosniff: true,
    frame_deny: true,
    referrer_policy: 'no-referrer',
  };
  test.each<[string, Partial<GatewaySpec>, unknown]>([
    ['no Ingress', {}, undefined],
    ['an Ingress with TLS (the default)', { ingress: {} }, DEFAULT_BLOCK],
    ['an Ingress with TLS off', { ingress: { tls: { enabled: false } } }, undefined],
    ['a disabled Ingress', { ingress: { enabled: false } }, undefined],
    ['turned off under a TLS Ingress', { ingress: {}, securityHeaders: { enabled: false } }, undefined],
    ['turned on without an Ingress', { securityHeaders: {} }, DEFAULT_BLOCK],
    [
      'every field given',
      {
        securityHeaders: {
          hsts: { maxAge: 600, includeSubdomains: true },
          contentTypeNosniff: false,
          frameDeny: false,
          referrerPolicy: 'same-origin',
        },
      },
      { sts_seconds: 600, force_sts_header: true, sts_include_subdomains: true, referrer_policy: 'same-origin' },
    ],
    ['HSTS off', { securityHeaders: { hsts: { maxAge: 0 } } }, { content_type_nosniff: true, frame_deny: true, referrer_policy: 'no-referrer' }],
  ])('%s', (_, extra, block) => {
    expect(renderKrakendConfig({ routes, ...extra }).extra_config['security/http']).toEqual(block);
  });
});

test('the Deployment: FC_ENABLE and a secretKeyRef variable per Secret key, Reloader told which Secrets; none of it without secretHeaders', () => {
  const chart = new Chart(new App(), 'test');
  new Gateway(chart, 'Gateway', {
    name: 'gateway',
    ...SPEC,
    routes: [
      ...SPEC.routes,
      { prefix: '/v2', backend: 'http://b.hanzo.svc:80', secretHeaders: [{ header: 'X-B', secret: { name: 'anthropic', key: 'key' } }] },
    ],
  });
  const deployment = Testing.synth(chart).find((o) => o.kind === 'Deployment');
  expect(deployment.metadata.annotations).toEqual({ 'secret.reloader.stakater.com/reload': 'anthropic,openai' });
  expect(deployment.spec.template.spec.containers[0].env).toEqual([
    { name: 'GOMEMLIMIT', value: '483183820' },
    { name: 'FC_ENABLE', value: '1' },
    { name: 'HANZO_SECRET_0', valueFrom: { secretKeyRef: { name: 'openai', key: 'api-key', optional: false } } },
    { name: 'HANZO_SECRET_1', valueFrom: { secretKeyRef: { name: 'anthropic', key: 'key', optional: false } } },
  ]);

  const plain = new Chart(new App(), 'plain');
  new Gateway(plain, 'Gateway', { name: 'gateway', routes: [{ prefix: '/v1', backend: 'http://a.hanzo.svc:80' }] });
  const other = Testing.synth(plain).find((o) => o.kind === 'Deployment');
  expect(other.metadata.annotations).toBeUndefined();
  expect(other.spec.template.spec.containers[0].env).toEqual([{ name: 'GOMEMLIMIT', value: '483183820' }]);
});

describe("the lint's guard on '{{'", () => {
  const config = () => JSON.parse(JSON.stringify(renderKrakendConfig(SPEC))) as { endpoints: Array<Record<string, any>> };
  test('the rendered config passes', () => {
    expect(lintKrakendConfig(config() as unknown as KrakendConfig)).toEqual([]);
  });
  test('a set header that holds other template code', () => {
    const bad = config();
    bad.endpoints[1].backend[0].extra_config['modifier/martian']['header.Modifier'].value = '{{ env `HOME` }}';
    expect(lintKrakendConfig(bad as unknown as KrakendConfig)).toEqual([
      "/v1/embed: header X-Api-Key holds '{{' but is not a Secret's template — KrakenD would run it as template code",
      "krakend.json holds '{{' -1 time(s) outside the Secrets' templates — KrakenD would run it as template code",
    ]);
  });
  test("'{{' elsewhere beside a template", () => {
    const bad = config();
    bad.endpoints[2].input_headers = ['{{x'];
    expect(lintKrakendConfig(bad as unknown as KrakendConfig)).toEqual([
      "krakend.json holds '{{' 1 time(s) outside the Secrets' templates — KrakenD would run it as template code",
    ]);
  });
});

test('the lower bound of the size counts the header fields and stays below the rendered size', () => {
  const base: GatewaySpec = { routes: [{ prefix: '/v1', backend: 'https://api.openai.com' }] };
  const withHeaders: GatewaySpec = { routes: [{ ...SPEC.routes[0], ...base.routes[0], exact: false, stripPrefix: false, methods: ['GET'] }] };
  const size = (s: GatewaySpec) => Buffer.byteLength(serializeKrakendConfig(buildKrakendConfig(resolveSpec(s))));
  const bound = (s: GatewaySpec) => minConfigBytes(resolveSpec(s));
  const actual = size(withHeaders);
  // 5 endpoints, each with two set headers (62 bytes each beside name and value) and the blacklist of two names (54, and each name quoted).
  expect(bound(withHeaders) - bound(base)).toBe(5 * (62 + 11 + 13 + 62 + 13 + secretValueTemplate('').length + 54 + 21 + 12));
  expect(bound(withHeaders)).toBeLessThanOrEqual(actual);
  fc.assert(
    fc.property(
      fc.dictionary(
        fc.constantFrom('X-A', 'X-Bb', 'Host'),
        fc.string({ minLength: 1, maxLength: 40 }).filter((v) => v.trim() === v && ![...v].some((ch) => ch < ' ' || ch === '\u007f')),
      ),
      fc.subarray(['Server', 'X-Powered-By', 'Set-Cookie']),
      fc.boolean(),
      (requestHeaders, removed, secret) => {
        const spec: GatewaySpec = {
          routes: [
            {
              prefix: '/v1',
              backend: 'https://api.openai.com',
              requestHeaders,
              removeResponseHeaders: removed,
              ...(secret ? { secretHeaders: [{ header: 'X-K', secret: OPENAI }] } : {}),
            },
          ],
          securityHeaders: {},
        };
        expect(bound(spec)).toBeLessThanOrEqual(size(spec));
      },
    ),
    { numRuns: 200 },
  );
});

describeWithKrakend('krakend check -t -n of the header blocks', (bin) => {
  test('accepts the rendered config as the ConfigMap holds it, templates unexpanded', async () => {
    const result = await krakendCheck(bin, renderedKrakendJson({ ...SPEC, securityHeaders: { hsts: { includeSubdomains: true } } }));
    expect([result.ok, result.output]).toEqual([true, expect.any(String)]);
  });
});

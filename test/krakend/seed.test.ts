/**
 * The seed Gateway (test/fixtures/cr/seed.yaml) rendered: its krakend.json passes KrakenD's
 * schema and CE rules, routes the seed's requests in a real gin router without a panic, validates
 * JWTs and limits per user on /v1/chat, and keeps /v1/models public.
 */
import { KrakendEndpoint, renderKrakendConfig } from '../../lib';
import { ginReplay, krakendCheck, skipNotice } from '../support/conformance';
import { seedSpec } from '../support/fixtures';

const TOOL_ABSENT = 'needs ../shared/tools (and ajv / go + gin); see docs/development.md, "Conformance tools"';
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
// Requests around the seed's prefixes: depths, siblings, case, slashes, KrakenD's own paths.
const PROBES = [
  '/',
  '/v1',
  '/v1/',
  '/v1/chat',
  '/v1/chat/',
  '/v1/chatty',
  '/v1/chat/completions',
  '/v1/chat/completions/',
  '/v1/chat/a/b/c/d',
  '/v1/chat/a/b/c/d/e',
  '/v1//chat',
  '/V1/CHAT',
  '/v1/Chat/x',
  '/v1/models',
  '/v1/models/',
  '/v1/models/zen-1',
  '/v1/models/zen-1/',
  '/v1/modelsx',
  '/v1/models/a/b/c/d/e',
  '/v2/chat',
  '/__health',
  '/__debug',
  '/__echo/x',
  '/x/y/z',
];

const config = renderKrakendConfig(seedSpec());
const under = (prefix: string) => config.endpoints.filter((e: KrakendEndpoint) => e.endpoint === prefix || e.endpoint.startsWith(`${prefix}/`));

test('the seed passes the KrakenD schema and CE checks', () => {
  const problems = krakendCheck(config);
  if (problems === undefined) return skipNotice('krakend-check', TOOL_ABSENT);
  expect(problems).toEqual([]);
});

test("gin routes the seed's requests and no request makes the router panic", () => {
  // GIVEN the seed's krakend.json (config, above)
  // WHEN gin replays the seed's requests, and probes around its prefixes in every method
  const result = ginReplay(config, [
    'POST /v1/chat/completions http://chat.hanzo.svc:80/v1/chat/completions',
    'GET /v1/models/zen-1 http://cloud-api.hanzo.svc:80/v1/models/zen-1',
    'GET /v1/models http://cloud-api.hanzo.svc:80/v1/models',
    'GET /v1/chat 404',
    'GET /v1/chatty 404',
    'POST /v1/chatty 404',
    'POST /v1/models/zen-1 404',
    'GET /__health health',
    ...METHODS.flatMap((m) => PROBES.map((p) => `${m} ${p} any`)),
  ]);
  // THEN each request goes where expected, and a probe (`any`) gets an answer, not a panic
  if (!result) return skipNotice('ginroute', TOOL_ABSENT);
  expect(result.loadProblems).toEqual([]);
  expect(result.failures).toEqual([]);
  expect(result.ok).toBe(true);
});

test('/v1/chat takes POST only, on the prefix and 4 segments below it', () => {
  expect(under('/v1/chat').map((e) => `${e.method ?? 'GET'} ${e.endpoint}`)).toEqual([
    'POST /v1/chat',
    'POST /v1/chat/{p2}',
    'POST /v1/chat/{p2}/{p3}',
    'POST /v1/chat/{p2}/{p3}/{p4}',
    'POST /v1/chat/{p2}/{p3}/{p4}/{p5}',
  ]);
});

test('/v1/chat validates IAM JWTs with a cached key set and limits 100 requests a minute per X-User-Id', () => {
  for (const e of under('/v1/chat')) {
    expect(e.extra_config?.['auth/validator']).toMatchObject({
      alg: 'RS256',
      issuer: 'https://hanzo.id',
      jwk_url: 'https://hanzo.id/.well-known/jwks',
      cache: true,
      propagate_claims: [
        ['sub', 'X-User-Id'],
        ['owner', 'X-Org-Id'],
      ],
    });
    expect(e.extra_config?.['qos/ratelimit/router']).toEqual({
      client_max_rate: 100,
      client_capacity: 100,
      strategy: 'header',
      key: 'X-User-Id',
      every: '1m',
      num_shards: 64,
    });
    expect(e.input_headers).toEqual(expect.arrayContaining(['X-User-Id', 'X-Org-Id', 'Content-Type']));
  }
});

test('/v1/models is public, unlimited, and never forwards client-sent identity headers', () => {
  const models = under('/v1/models');
  expect(models).toHaveLength(5);
  for (const e of models) {
    expect(e.method ?? 'GET').toBe('GET');
    expect(e.extra_config).toBeUndefined();
    const forwarded = e.input_headers.map((h) => h.toLowerCase());
    expect(forwarded).not.toContain('x-user-id');
    expect(forwarded).not.toContain('x-org-id');
    expect(forwarded).not.toContain('*');
  }
});

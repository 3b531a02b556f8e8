/**
 * Scale: 200 fully featured routes — the bench's shape — fit one ConfigMap (1 MiB) at the default
 * prefix depth, and the bytes were not saved by dropping a safety property KrakenD CE needs (no-op
 * proxying, the header allowlist, cached JWKS, per-user limits with a strategy; docs/design.md).
 * Timings are the bench's job (`npm run bench`), never asserted here.
 */
import { App, Chart, Testing } from 'cdk8s';
import { Gateway } from '../lib';
import { benchRoutes, benchSpec } from '../bench/shape';
import { krakendCheck, SHARED_DIR, skipNotice } from './support/conformance';

const ONE_MIB = 1048576;

function synth200() {
  const chart = new Chart(new App(), 'scale');
  new Gateway(chart, 'Gateway', { name: 'gateway', ...benchSpec(benchRoutes(200)) });
  const manifests = Testing.synth(chart) as { kind: string; data?: Record<string, string> }[];
  const json = manifests.find((m) => m.kind === 'ConfigMap')!.data!['krakend.json'];
  return { json, config: JSON.parse(json) as { output_encoding?: string; endpoints: Record<string, any>[] } };
}

const { json, config } = synth200();

test('200 fully featured routes synthesize into one ConfigMap under 1 MiB', () => {
  expect(Buffer.byteLength(json, 'utf8')).toBeLessThanOrEqual(ONE_MIB);
  // 2 methods × (the prefix + 4 levels below it) per route.
  expect(config.endpoints).toHaveLength(2000);
});

test('every endpoint proxies untouched: no-op set once at service level, no endpoint overrides it', () => {
  expect(config.output_encoding).toBe('no-op');
  for (const e of config.endpoints) {
    expect(e.output_encoding).toBeUndefined();
    expect(e.backend[0].encoding ?? 'no-op').toBe('no-op');
  }
});

test('every endpoint keeps the explicit header allowlist and query forwarding', () => {
  for (const e of config.endpoints) {
    expect(e.input_headers).toEqual(expect.arrayContaining(['Accept', 'Authorization', 'Content-Type']));
    expect(e.input_headers).not.toContain('*');
    expect(e.input_query_strings).toEqual(['*']);
    expect(e.backend).toHaveLength(1);
  }
});

test('every authenticated endpoint keeps its JWT check and a per-user limit with strategy and capacity', () => {
  const authenticated = config.endpoints.filter((e) => e.extra_config?.['auth/validator']);
  expect(authenticated).toHaveLength(1000);
  for (const e of authenticated) {
    expect(e.extra_config['auth/validator']).toMatchObject({
      alg: 'RS256',
      jwk_url: 'https://hanzo.id/.well-known/jwks',
      issuer: 'https://hanzo.id',
      cache: true,
      propagate_claims: [
        ['sub', 'X-User-Id'],
        ['owner', 'X-Org-Id'],
      ],
    });
    expect(e.extra_config['qos/ratelimit/router']).toEqual({
      client_max_rate: 100,
      client_capacity: 100,
      strategy: 'header',
      key: 'X-User-Id',
      every: '1m',
      num_shards: 64,
    });
    expect(e.input_headers).toEqual(expect.arrayContaining(['X-User-Id', 'X-Org-Id']));
  }
});

test('public endpoints carry no identity header and no extra_config', () => {
  const open = config.endpoints.filter((e) => !e.extra_config);
  expect(open).toHaveLength(1000);
  for (const e of open) expect(e.input_headers).toEqual(['Accept', 'Authorization', 'Content-Type']);
});

test('the 200-route config passes the KrakenD schema and CE rules', () => {
  const problems = krakendCheck(config);
  if (!problems) return skipNotice('krakend-check', SHARED_DIR ? 'ajv is not installed in this project' : '../shared is not checked out');
  expect(problems).toEqual([]);
});

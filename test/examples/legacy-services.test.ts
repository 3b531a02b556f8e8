/**
 * examples/legacy-services.ts (translating routes, a cache, a circuit breaker, concurrent calls and a
 * composed route),
 * run as a process: KrakenD itself (`krakend check -t -n`) and the schema replica accept its
 * krakend.json, and each route carries the blocks docs/translation.md describes.
 */
import { KrakendConfig } from '../../lib';
import { only } from '../support/k8s';
import { synthExample, testKrakendAccepts } from '../support/examples';

const config = JSON.parse(only(synthExample('legacy-services.ts', 'legacy-services'), 'ConfigMap').data['krakend.json']) as KrakendConfig;
const at = (endpoint: string) => config.endpoints.find((e) => e.endpoint === endpoint)!;

testKrakendAccepts(config);

test('each route carries its translation and resilience blocks', () => {
  const billing = at('/v1/billing/{p2}');
  expect([billing.output_encoding, billing.backend[0].encoding, billing.backend[0].extra_config]).toEqual([
    'negotiate',
    'xml',
    { 'backend/http': { return_error_code: true } },
  ]);
  const regions = at('/v1/regions');
  expect([regions.output_encoding, regions.backend[0].is_collection, Object.keys(regions.backend[0].extra_config ?? {})]).toEqual([
    'json-collection',
    true,
    ['backend/http', 'qos/http-cache'],
  ]);
  const search = at('/v1/search/{p2}');
  expect([search.concurrent_calls, search.backend[0].extra_config?.['qos/circuit-breaker']?.max_errors]).toEqual([2, 5]);
  expect(config.endpoints.map((e) => e.endpoint)).toEqual([
    '/v1/billing',
    '/v1/billing/{p2}',
    '/v1/billing/{p2}/{p3}',
    '/v1/billing/{p2}/{p3}/{p4}',
    '/v1/billing/{p2}/{p3}/{p4}/{p5}',
    '/v1/status',
    '/v1/regions',
    '/v1/search',
    '/v1/search/{p2}',
    '/v1/account',
  ]);
});

test('the composed route calls both services from one endpoint, each answer under its group', () => {
  const account = at('/v1/account');
  expect(account.output_encoding).toBe('json');
  expect(account.extra_config?.['auth/validator']?.propagate_claims).toEqual([
    ['sub', 'X-User-Id'],
    ['owner', 'X-Org-Id'],
  ]);
  expect(account.backend).toEqual([
    { host: ['http://users.legacy.svc:8080'], url_pattern: '/users/me', encoding: 'json', deny: ['passwordHash'], group: 'profile' },
    { host: ['http://billing.legacy.svc:8080'], url_pattern: '/soap/invoices/latest', encoding: 'xml', target: 'invoices', group: 'invoices' },
  ]);
});

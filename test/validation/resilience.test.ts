/**
 * A route's resilience settings (concurrentCalls, cache, circuitBreaker): each route where one would
 * do harm is refused at its path with the fix, the good forms pass, and what they render is KrakenD's
 * own keys, written out here.
 */
import { renderKrakendConfig, validateSpec } from '../../lib';

const IAM = { name: 'iam', type: 'jwt', iamEndpoint: 'https://hanzo.id', jwksUrl: 'https://hanzo.id/.well-known/jwks' };
const BACKEND = 'http://legacy.hanzo.svc:8080';
const problems = (fields: Record<string, unknown>) =>
  validateSpec({ routes: [{ prefix: '/v1/legacy', backend: BACKEND, ...fields }], authPolicies: [IAM] }).map((p) => `${p.path}: ${p.message}`);

describe('good resilience settings pass', () => {
  test.each<Record<string, unknown>>([
    { concurrentCalls: 3, encoding: 'json' },
    { concurrentCalls: 1 },
    { concurrentCalls: 5, encoding: 'xml', methods: ['GET', 'GET'] },
    { cache: true },
    { cache: false, authPolicy: 'iam', methods: ['POST'] },
    { circuitBreaker: { maxErrors: 1, timeout: '1s' } },
    { circuitBreaker: { maxErrors: 1000, timeout: '1h', interval: '2m' }, methods: ['POST'] },
  ])('%j', (fields) => {
    expect(problems(fields)).toEqual([]);
  });
});

describe('bad resilience settings are refused at their path with the fix', () => {
  test.each<[string, Record<string, unknown>, string[]]>([
    ['no concurrent calls', { concurrentCalls: 0, encoding: 'json' }, ['spec.routes[0].concurrentCalls: must be an integer from 1 to 5 (got 0)']],
    [
      'too many concurrent calls',
      { concurrentCalls: 6, encoding: 'json' },
      ['spec.routes[0].concurrentCalls: must be an integer from 1 to 5 (got 6)'],
    ],
    [
      'concurrent calls beside a POST',
      { concurrentCalls: 2, encoding: 'json', methods: ['GET', 'POST'] },
      [
        'spec.routes[0].concurrentCalls: sends each request 2 times, so a backend would carry out POST that many times — ' +
          'use it on a route of methods [GET] alone',
      ],
    ],
    [
      'concurrent calls on a pass-through route',
      { concurrentCalls: 2 },
      [
        'spec.routes[0].concurrentCalls: needs a translating route: on a pass-through route ' +
          'KrakenD cancels the first answer with the other calls and its body is lost — set encoding, e.g. json',
      ],
    ],
    ['cache not a boolean', { cache: 'yes' }, ['spec.routes[0].cache: must be true or false (got string "yes")']],
    [
      'cache on a JWT route',
      { cache: true, authPolicy: 'iam' },
      [
        'spec.routes[0].cache: would serve one user the answer cached for another: KrakenD keys its cache by the backend URL alone — ' +
          'cache a public route, or let the backend cache per user',
      ],
    ],
    [
      'cache beside PUT and DELETE',
      { cache: true, methods: ['GET', 'PUT', 'DELETE'] },
      ['spec.routes[0].cache: caches answers to GET only, and the route also serves PUT, DELETE — use it on a route of methods [GET] alone'],
    ],
    [
      'a circuit breaker without its fields',
      { circuitBreaker: {} },
      [
        'spec.routes[0].circuitBreaker.maxErrors: is required — the failures in a row tolerated, e.g. 5',
        'spec.routes[0].circuitBreaker.timeout: is required — how long the circuit stays open, e.g. 30s',
      ],
    ],
    [
      'a circuit breaker in milliseconds',
      { circuitBreaker: { maxErrors: 3, timeout: '1500ms', interval: '500ms' } },
      [
        'spec.routes[0].circuitBreaker.timeout: must be whole seconds (got "1500ms") — KrakenD counts the circuit breaker in whole seconds',
        'spec.routes[0].circuitBreaker.interval: must be at least 1s (got "500ms") — KrakenD counts the circuit breaker in whole seconds',
      ],
    ],
    [
      'a circuit breaker of two hours and no errors',
      { circuitBreaker: { maxErrors: 0, timeout: '2h' } },
      [
        'spec.routes[0].circuitBreaker.maxErrors: must be an integer from 1 to 1000 (got 0)',
        'spec.routes[0].circuitBreaker.timeout: must be at most 1h (got "2h") — KrakenD counts the circuit breaker in whole seconds',
      ],
    ],
  ])('%s', (_what, fields, expected) => {
    expect(problems(fields)).toEqual(expected);
  });
});

test('the cached routes serve 64 endpoints at most: the route past it is refused, once', () => {
  // GIVEN prefix routes of depth 4 (5 endpoints each): 12 of them are 60 endpoints, the 13th 65
  const cached = (n: number) => Array.from({ length: n }, (_, i) => ({ prefix: `/v1/r${i}`, backend: BACKEND, prefixDepth: 4, cache: true }));
  expect(validateSpec({ routes: cached(12) })).toEqual([]);
  expect(validateSpec({ routes: [...cached(15), { prefix: '/v1/exact', backend: BACKEND, exact: true, cache: true }] })).toEqual([
    {
      path: 'spec.routes[12].cache',
      message:
        'brings the cached routes to 65 KrakenD endpoints, each with a cache of up to 1 MiB, more than the 64 allowed — ' +
        'cache fewer routes, or give them a lower prefixDepth or exact: true',
    },
  ]);
  // 64 exact routes are 64 endpoints
  const exact = Array.from({ length: 64 }, (_, i) => ({ prefix: `/v1/e${i}`, backend: BACKEND, exact: true, cache: true }));
  expect(validateSpec({ routes: exact })).toEqual([]);
});

describe('what the resilience settings render', () => {
  const [endpoint] = renderKrakendConfig({
    routes: [
      {
        prefix: '/v1/legacy',
        backend: BACKEND,
        exact: true,
        encoding: 'json',
        concurrentCalls: 3,
        cache: true,
        circuitBreaker: { maxErrors: 5, timeout: '30s' },
      },
    ],
  }).endpoints;

  test('concurrent_calls on the endpoint', () => {
    expect(endpoint.concurrent_calls).toBe(3);
  });

  test('a bounded LRU cache of its own and the circuit breaker in seconds on the backend', () => {
    expect(endpoint.backend[0].extra_config).toEqual({
      'backend/http': { return_error_code: true },
      'qos/http-cache': { max_items: 256, max_size: 1048576 },
      'qos/circuit-breaker': { name: '/v1/legacy', interval: 60, timeout: 30, max_errors: 5, log_status_change: true },
    });
  });

  test('none of them when not asked for, one call included', () => {
    const [plain] = renderKrakendConfig({ routes: [{ prefix: '/v1/legacy', backend: BACKEND, exact: true, concurrentCalls: 1 }] }).endpoints;
    expect([plain.concurrent_calls, plain.backend[0].extra_config]).toEqual([undefined, undefined]);
  });
});

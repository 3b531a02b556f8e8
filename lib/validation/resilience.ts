// Checks of a route's resilience settings: `concurrentCalls`, `cache` and `circuitBreaker`. KrakenD CE
// starts with each of them on any route; the routes where they would do harm are refused here.
import { durationMs } from '../grammar/durations';
import { show } from '../grammar/values';
import { CIRCUIT_BREAKER_MAX_ERRORS, CIRCUIT_BREAKER_PERIOD_MS, MAX_CONCURRENT_CALLS } from '../limits';
import { resolveMethods, resolveRouteEncoding } from '../resolve';
import { HTTP_METHODS, HttpMethod } from '../spec';
import { Checker } from './checker';
import { CIRCUIT_BREAKER_FIELDS } from './fields';

const WHOLE_SECONDS = ' — KrakenD counts the circuit breaker in whole seconds';

/** A route's `concurrentCalls`, `cache` and `circuitBreaker`. */
export function checkRouteResilience(c: Checker, p: string, r: Record<string, unknown>): void {
  const methods =
    Array.isArray(r.methods) && r.methods.every((m) => HTTP_METHODS.includes(m)) ? resolveMethods(r.methods as HttpMethod[]) : undefined;
  const others = methods?.filter((m) => m !== 'GET') ?? [];
  if (r.concurrentCalls !== undefined && c.integer(`${p}.concurrentCalls`, r.concurrentCalls, 1, MAX_CONCURRENT_CALLS) && r.concurrentCalls > 1) {
    // lura's concurrent middleware sends each call as it is (proxy/concurrent.go): a POST would be carried out that many times.
    if (others.length > 0)
      c.add(
        `${p}.concurrentCalls`,
        `sends each request ${r.concurrentCalls} times, so a backend would carry out ${others.join(', ')} that many times — ` +
          'use it on a route of methods [GET] alone',
      );
    // The middleware cancels every call once one answers, the winner's included: a pass-through body,
    // still unread then, is lost; a decoded one was read in full before.
    if (resolveRouteEncoding({ encoding: r.encoding as never, backends: r.backends as never }) === 'no-op')
      c.add(
        `${p}.concurrentCalls`,
        'needs a translating route: on a pass-through route KrakenD cancels the first answer with the other calls and ' +
          'its body is lost — set encoding, e.g. json',
      );
  }
  if (r.cache !== undefined) {
    c.boolean(`${p}.cache`, r.cache);
    if (r.cache === true) {
      // krakend/httpcache keys an answer by the backend URL alone (httpcache.go, cacheKey); the
      // identity headers the token sets reach the backend through martian, which runs outside the cache.
      if (r.authPolicy !== undefined)
        c.add(
          `${p}.cache`,
          'would serve one user the answer cached for another: KrakenD keys its cache by the backend URL alone — ' +
            'cache a public route, or let the backend cache per user',
        );
      if (others.length > 0)
        c.add(`${p}.cache`, `caches answers to GET only, and the route also serves ${others.join(', ')} — use it on a route of methods [GET] alone`);
    }
  }
  if (r.circuitBreaker !== undefined) checkCircuitBreaker(c, `${p}.circuitBreaker`, r.circuitBreaker);
}

function checkCircuitBreaker(c: Checker, path: string, value: unknown): void {
  if (!c.object(path, value, CIRCUIT_BREAKER_FIELDS)) return;
  if (value.maxErrors === undefined) c.add(`${path}.maxErrors`, 'is required — the failures in a row tolerated, e.g. 5');
  else c.integer(`${path}.maxErrors`, value.maxErrors, CIRCUIT_BREAKER_MAX_ERRORS.min, CIRCUIT_BREAKER_MAX_ERRORS.max);
  if (value.timeout === undefined) c.add(`${path}.timeout`, 'is required — how long the circuit stays open, e.g. 30s');
  else checkWholeSeconds(c, `${path}.timeout`, value.timeout);
  if (value.interval !== undefined) checkWholeSeconds(c, `${path}.interval`, value.interval);
}

function checkWholeSeconds(c: Checker, path: string, value: unknown): void {
  const before = c.problems.length;
  c.duration(path, value, { minMs: CIRCUIT_BREAKER_PERIOD_MS.min, maxMs: CIRCUIT_BREAKER_PERIOD_MS.max, why: WHOLE_SECONDS });
  if (c.problems.length === before && typeof value === 'string' && (durationMs(value) ?? 0) % 1000 !== 0)
    c.add(path, `must be whole seconds (got ${show(value)})${WHOLE_SECONDS}`);
}

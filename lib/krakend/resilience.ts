// A route's resilience blocks: the endpoint's `concurrent_calls`, and on its backend the HTTP cache
// (`qos/http-cache`) and the circuit breaker (`qos/circuit-breaker`).
import { HTTP_CACHE } from '../limits';
import { ResolvedRoute } from '../resolve';
import { BackendExtraConfig, KrakendEndpoint } from './types';

/** `concurrent_calls` when the route sends more than one; lura's default is one. */
export function concurrentCalls(route: ResolvedRoute): Pick<KrakendEndpoint, 'concurrent_calls'> {
  return route.concurrentCalls > 1 ? { concurrent_calls: route.concurrentCalls } : {};
}

/**
 * The backend's `extra_config` with the route's cache and circuit breaker added.
 * - The cache is an LRU of the endpoint's own, bounded in items and bytes (lib/limits.ts, HTTP_CACHE).
 * - The breaker is built per backend, so each endpoint of the route has its own; `log_status_change`
 *   logs each open and close at WARNING (krakend-circuitbreaker gobreaker.go, NewCircuitBreaker).
 */
export function resilienceExtraConfig(route: ResolvedRoute, extra: BackendExtraConfig | undefined): BackendExtraConfig | undefined {
  const cb = route.circuitBreaker;
  if (!route.cache && !cb) return extra;
  return {
    ...extra,
    ...(route.cache ? { 'qos/http-cache': { max_items: HTTP_CACHE.maxItems, max_size: HTTP_CACHE.maxSizeBytes } } : {}),
    ...(cb
      ? {
          'qos/circuit-breaker': {
            name: route.prefix,
            interval: cb.intervalSeconds,
            timeout: cb.timeoutSeconds,
            max_errors: cb.maxErrors,
            log_status_change: true,
          },
        }
      : {}),
  };
}

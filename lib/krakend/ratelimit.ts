import { RateLimitKey, RateLimitSpec, USER_ID_HEADER } from '../spec';
import { RouterRateLimitConfig } from './types';

/** What a rate limit counts when its `key` is unset: users where they are known, else client IPs. */
export function effectiveRateLimitKey(limit: RateLimitSpec, authenticated: boolean): RateLimitKey {
  return limit.key ?? (authenticated ? 'user' : 'ip');
}

/**
 * The `qos/ratelimit/router` block. The per-client forms always name their strategy (a missing one
 * silently disables the limit) and set `client_capacity` (unset, it falls back to 1).
 */
export function renderRateLimit(limit: RateLimitSpec, authenticated: boolean): RouterRateLimitConfig {
  const capacity = limit.capacity ?? limit.maxRate;
  switch (effectiveRateLimitKey(limit, authenticated)) {
    case 'user':
      // X-User-Id is set from the validated token, never by the client, on an authenticated route.
      return { client_max_rate: limit.maxRate, client_capacity: capacity, strategy: 'header', key: USER_ID_HEADER, every: limit.every };
    case 'ip':
      return { client_max_rate: limit.maxRate, client_capacity: capacity, strategy: 'ip', every: limit.every };
    case 'global':
      return { max_rate: limit.maxRate, capacity, every: limit.every };
  }
}

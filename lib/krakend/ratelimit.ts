import { ResolvedRateLimit } from '../resolve';
import { USER_ID_HEADER } from '../spec';
import { RouterRateLimitConfig } from './types';

/**
 * Shards of each per-client store. krakend-ratelimit v3.3.0 (router/store.go, StoreFromCfg) gives
 * every rate-limited endpoint a store of its own, split into `num_shards` maps with a lock each,
 * 2048 unless set (router/router.go, ConfigGetter): about 316 KiB of RSS per endpoint measured in
 * KrakenD CE 2.13.0, so the largest route table that fits a ConfigMap took more memory at start
 * than the pod's default 512Mi limit. Fewer shards only add lock contention, which
 * `npm run bench` measures (bench/RESULTS.md, "Limiter shards").
 */
export const RATE_LIMIT_SHARDS = 64;

/**
 * The `qos/ratelimit/router` block. The per-client forms always name their strategy (a missing one
 * silently disables the limit) and set `client_capacity` (unset, it falls back to 1).
 */
export function renderRateLimit(limit: ResolvedRateLimit): RouterRateLimitConfig {
  const { capacity } = limit;
  const every = limit.every.text;
  // The total cap of a per-client limit: krakend-ratelimit (router/gin/gin.go, RateLimiterWrapperFromCfg)
  // applies max_rate/capacity (one bucket per endpoint, 503 when empty) and client_max_rate/client_capacity
  // (one bucket per client, 429) from the same block. Written first, as KrakenD's docs order them.
  const total = limit.total === undefined ? {} : { max_rate: limit.total.maxRate, capacity: limit.total.capacity };
  switch (limit.key) {
    case 'user':
      // X-User-Id is set from the validated token, never by the client, on an authenticated route.
      return {
        ...total,
        client_max_rate: limit.maxRate,
        client_capacity: capacity,
        strategy: 'header',
        key: USER_ID_HEADER,
        every,
        num_shards: RATE_LIMIT_SHARDS,
      };
    case 'ip':
      return {
        ...total,
        client_max_rate: limit.maxRate,
        client_capacity: capacity,
        strategy: 'ip',
        every,
        num_shards: RATE_LIMIT_SHARDS,
      };
    case 'global':
      return { max_rate: limit.maxRate, capacity, every };
  }
}

// How much memory KrakenD CE needs for a rendered config, from figures measured in KrakenD CE 2.13.0
// itself (`npm run bench`, "Start-up and memory" and "Memory under load" in bench/RESULTS.md).
import { KrakendConfig } from './types';

/** RSS of a KrakenD CE 2.13.0 serving a handful of endpoints, MiB: the binary's pages and the runtime. */
const BASE_MIB = 66;
/** RSS per endpoint, KiB: its router node, handler chain and proxy. */
const ENDPOINT_KIB = 20;
/** RSS an `auth/validator` adds to an endpoint, KiB (krakend-jose's validator and key-set client). */
const JWT_KIB = 17;
/** RSS a per-client rate limit of 64 shards adds to an endpoint, KiB (krakend-ratelimit's store). */
const RATE_LIMIT_KIB = 7;
/**
 * RSS each `validation/cel` expression adds to an endpoint, KiB: krakend-cel builds a CEL environment
 * and program per expression (internal/cel.go, Parse). Measured with the JWT claim check of a bench
 * table of 200 routes (1,000 endpoints with one expression: 47 to 57 MiB more than without).
 */
const CEL_EXPRESSION_KIB = 52;
/**
 * The memory limit over the RSS at start. Under load Go's heap grows past the live set, and
 * every client a rate limit counts keeps a bucket until it expires; GOMEMLIMIT (90% of the limit)
 * then makes the collector work harder rather than let the pod be killed.
 */
export const LOAD_HEADROOM = 2;

/** The memory a config needs, in MiB. */
export interface MemoryNeeds {
  /** Estimated RSS right after start. */
  readonly startMiB: number;
  /** The smallest memory limit for it: the RSS at start with headroom for load. */
  readonly limitMiB: number;
}

/** What KrakenD needs to serve `config`, from the per-endpoint figures above. */
export function memoryNeeds(config: KrakendConfig): MemoryNeeds {
  let kib = 0;
  for (const e of config.endpoints) {
    kib += ENDPOINT_KIB;
    if (e.extra_config?.['auth/validator']) kib += JWT_KIB;
    if (e.extra_config?.['qos/ratelimit/router']?.client_max_rate !== undefined) kib += RATE_LIMIT_KIB;
    kib += CEL_EXPRESSION_KIB * (e.extra_config?.['validation/cel']?.length ?? 0);
  }
  const startMiB = Math.ceil(BASE_MIB + kib / 1024);
  return { startMiB, limitMiB: Math.ceil(startMiB * LOAD_HEADROOM) };
}

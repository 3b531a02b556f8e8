// Checks of the named policies routes refer to: `spec.rateLimits` and `spec.authPolicies`.
import { durationMs } from '../grammar/durations';
import { parseIamEndpoint, parseJwksUrl } from '../grammar/urls';
import { Checker, MAX_NAME_LENGTH } from './checker';
import { AUTH_POLICY_FIELDS, RATE_LIMIT_FIELDS } from './fields';

const MAX_TOKENS_PER_SECOND = 1e9;
const MIN_TOKENS_PER_SECOND = 1e-9;
// krakend-jose keeps cache_duration in a uint32 (seconds): a larger value fails the validator and
// every request on its endpoints gets 401.
const UINT32_MAX = 4_294_967_295;
const MAX_CLAIM_LENGTH = 256;
const MAX_AUDIENCES = 16;

/**
 * Policies by name (the first of each name); undefined when a broken list or entry hides names, so
 * references are not checked against a partial list (its own problems are reported already).
 */
export type Policies = Map<string, Record<string, unknown>> | undefined;

/** A named policy list: each entry checked by `check`, names unique; returns the policies by name. */
function checkPolicyList(
  c: Checker,
  path: string,
  value: unknown,
  fields: readonly string[],
  check: (p: string, entry: Record<string, unknown>) => void,
): Policies {
  if (value === undefined) return new Map();
  if (!c.list(path, value)) return undefined;
  let byName: Policies = new Map();
  c.each(value, (entry, i) => {
    const p = `${path}[${i}]`;
    if (!c.object(p, entry, fields)) {
      byName = undefined;
      return;
    }
    if (!c.string(`${p}.name`, entry.name, 'the name routes refer to', MAX_NAME_LENGTH)) byName = undefined;
    else if (byName && !byName.has(entry.name)) byName.set(entry.name, entry);
    check(p, entry);
  });
  c.uniqueNames(path, value);
  return byName;
}

export function checkRateLimits(c: Checker, path: string, value: unknown): Policies {
  return checkPolicyList(c, path, value, RATE_LIMIT_FIELDS, (p, r) => {
    const maxRate = c.integer(`${p}.maxRate`, r.maxRate, 1) ? r.maxRate : undefined;
    c.duration(`${p}.every`, r.every, { minMs: 1000, why: " — KrakenD's rate limiter counts in periods of at least 1s" });
    if (r.key !== undefined)
      c.enumValue(`${p}.key`, r.key, ['user', 'ip', 'global'], ' — omit it for user on routes with an authPolicy, ip on public routes');
    if (r.capacity !== undefined) c.integer(`${p}.capacity`, r.capacity, 1);
    const everyMs = typeof r.every === 'string' ? durationMs(r.every) : undefined;
    if (maxRate !== undefined && everyMs !== undefined && everyMs >= 1000) checkTokenRate(c, p, maxRate, everyMs);
  });
}

/**
 * krakend-ratelimit's token bucket (tokenbucket.go) refills one token every 1e9/rate nanoseconds, as
 * a whole number: above 1e9 requests a second that interval is 0 and the first request over the
 * burst divides by zero; below 1e-9 a second the rate is silently raised to 1e-9.
 */
function checkTokenRate(c: Checker, p: string, maxRate: number, everyMs: number): void {
  const perSecond = maxRate / (everyMs / 1000);
  if (perSecond > MAX_TOKENS_PER_SECOND) {
    c.add(
      `${p}.maxRate`,
      `is more than KrakenD's rate limiter can count, 1e9 requests a second (got ${maxRate} every ${everyMs / 1000}s) — lower it or lengthen every`,
    );
  } else if (perSecond < MIN_TOKENS_PER_SECOND) {
    c.add(
      `${p}.every`,
      `is too long: KrakenD's rate limiter admits at least one request every 1e9 seconds, ` +
        `about 31 years (got ${maxRate} every ${everyMs / 1000}s) — shorten it`,
    );
  }
}

export function checkAuthPolicies(c: Checker, path: string, value: unknown): Policies {
  return checkPolicyList(c, path, value, AUTH_POLICY_FIELDS, (p, a) => {
    c.enumValue(
      `${p}.type`,
      a.type,
      ['jwt'],
      ' — KrakenD CE validates JWTs only (auth/validator); API-key and basic auth are KrakenD Enterprise features',
    );
    if (c.string(`${p}.iamEndpoint`, a.iamEndpoint, 'the IAM issuer URL, e.g. https://hanzo.id'))
      c.parsed(`${p}.iamEndpoint`, parseIamEndpoint(a.iamEndpoint));
    if (c.string(`${p}.jwksUrl`, a.jwksUrl, 'e.g. https://hanzo.id/.well-known/jwks'))
      c.parsed(`${p}.jwksUrl`, parseJwksUrl(a.jwksUrl, a.allowInsecureJwks === true));
    if (a.audience !== undefined && c.list(`${p}.audience`, a.audience, MAX_AUDIENCES)) {
      // krakend-jose passes an empty list on as "no audience check": say so by leaving the field out.
      if (a.audience.length === 0)
        c.add(
          `${p}.audience`,
          'must list at least one audience — an empty list turns the audience check off; remove the field to not check audiences',
        );
      c.each(a.audience, (aud, j) => c.string(`${p}.audience[${j}]`, aud, 'an audience tokens must carry', MAX_CLAIM_LENGTH));
    }
    if (a.userIdClaim !== undefined) c.string(`${p}.userIdClaim`, a.userIdClaim, 'the claim injected as X-User-Id, e.g. sub', MAX_CLAIM_LENGTH);
    if (a.orgIdClaim !== undefined) c.string(`${p}.orgIdClaim`, a.orgIdClaim, 'the claim injected as X-Org-Id, e.g. owner', MAX_CLAIM_LENGTH);
    if (a.cacheDuration !== undefined) c.integer(`${p}.cacheDuration`, a.cacheDuration, 1, UINT32_MAX);
    if (a.allowInsecureJwks !== undefined) c.boolean(`${p}.allowInsecureJwks`, a.allowInsecureJwks);
  });
}

// Checks of the named policies routes refer to: `spec.rateLimits` and `spec.authPolicies`.
import { parseIamEndpoint, parseJwksUrl } from '../grammar/urls';
import { Checker } from './checker';
import { AUTH_POLICY_FIELDS, RATE_LIMIT_FIELDS } from './fields';

/**
 * Policies by name (the first of each name); undefined when a broken list or entry hides names, so
 * references are not checked against a partial list (its own problems are reported already).
 */
export type Policies = Map<string, Record<string, unknown>> | undefined;

/** A named policy list: each entry checked by `check`, names unique; returns the policies by name. */
function checkPolicyList(c: Checker, path: string, value: unknown, fields: readonly string[], check: (p: string, entry: Record<string, unknown>) => void): Policies {
  if (value === undefined) return new Map();
  if (!c.list(path, value)) return undefined;
  let byName: Policies = new Map();
  c.each(value, (entry, i) => {
    const p = `${path}[${i}]`;
    if (!c.object(p, entry, fields)) {
      byName = undefined;
      return;
    }
    if (!c.string(`${p}.name`, entry.name, 'the name routes refer to')) byName = undefined;
    else if (byName && !byName.has(entry.name)) byName.set(entry.name, entry);
    check(p, entry);
  });
  c.uniqueNames(path, value);
  return byName;
}

export function checkRateLimits(c: Checker, path: string, value: unknown): Policies {
  return checkPolicyList(c, path, value, RATE_LIMIT_FIELDS, (p, r) => {
    c.integer(`${p}.maxRate`, r.maxRate, 1);
    c.duration(`${p}.every`, r.every, 1000, " — KrakenD's rate limiter counts in periods of at least 1s");
    if (r.key !== undefined) c.enumValue(`${p}.key`, r.key, ['user', 'ip', 'global'], ' — omit it for user on routes with an authPolicy, ip on public routes');
    if (r.capacity !== undefined) c.integer(`${p}.capacity`, r.capacity, 1);
  });
}

export function checkAuthPolicies(c: Checker, path: string, value: unknown): Policies {
  return checkPolicyList(c, path, value, AUTH_POLICY_FIELDS, (p, a) => {
    c.enumValue(`${p}.type`, a.type, ['jwt'], " — KrakenD CE validates JWTs only (auth/validator); API-key and basic auth are KrakenD Enterprise features");
    if (c.string(`${p}.iamEndpoint`, a.iamEndpoint, 'the IAM issuer URL, e.g. https://hanzo.id')) c.parsed(`${p}.iamEndpoint`, parseIamEndpoint(a.iamEndpoint));
    if (c.string(`${p}.jwksUrl`, a.jwksUrl, 'e.g. https://hanzo.id/.well-known/jwks')) c.parsed(`${p}.jwksUrl`, parseJwksUrl(a.jwksUrl, a.allowInsecureJwks === true));
    if (a.audience !== undefined && c.list(`${p}.audience`, a.audience)) {
      c.each(a.audience, (aud, j) => c.string(`${p}.audience[${j}]`, aud, 'an audience tokens must carry'));
    }
    if (a.userIdClaim !== undefined) c.string(`${p}.userIdClaim`, a.userIdClaim, 'the claim injected as X-User-Id, e.g. sub');
    if (a.orgIdClaim !== undefined) c.string(`${p}.orgIdClaim`, a.orgIdClaim, 'the claim injected as X-Org-Id, e.g. owner');
    if (a.cacheDuration !== undefined) c.integer(`${p}.cacheDuration`, a.cacheDuration, 1);
    if (a.allowInsecureJwks !== undefined) c.boolean(`${p}.allowInsecureJwks`, a.allowInsecureJwks);
  });
}

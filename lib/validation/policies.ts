// Checks of the named policies routes refer to: `spec.rateLimits` and `spec.authPolicies`.
import { durationMs } from '../grammar/durations';
import { parseIamEndpoint, parseJwksUrl } from '../grammar/urls';
import { isObject, show } from '../grammar/values';
import { AUTHORIZATION_HEADER, JWT_ALGORITHMS, ORG_ID_HEADER, USER_ID_HEADER } from '../spec';
import {
  MAX_AUDIENCES,
  MAX_CLAIM_LENGTH,
  MAX_HEADER_NAME_LENGTH,
  MAX_JWKS_CACHE_SECONDS,
  MAX_NAME_LENGTH,
  MAX_PROPAGATED_CLAIMS,
  MIN_RATE_LIMIT_PERIOD_MS,
  TOKENS_PER_SECOND,
  UNKNOWN_KEY_COOLDOWN_MS,
} from '../limits';
import { HOP_BY_HOP_HEADERS } from '../grammar/headers';
import { Checker } from './checker';
import { AUTH_POLICY_FIELDS, CLAIM_HEADER_FIELDS, RATE_LIMIT_FIELDS } from './fields';
import { checkLinkLocal } from './link-local';

/** What an HTTP header name may hold here: letters, digits and '-' (the inputHeaders grammar). */
export const HEADER_NAME = /^[A-Za-z0-9-]+$/;
// Headers that describe the connection or the message framing, not the request (RFC 9110 7.6.1 and
// 6.4.1, and Host): Go's net/http drops or rewrites them on the way to the backend, so a claim sent
// in one would never arrive, or would corrupt the request.
const CONNECTION_HEADERS = [...HOP_BY_HOP_HEADERS, 'Host', 'Content-Length'];

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
    c.duration(`${p}.every`, r.every, { minMs: MIN_RATE_LIMIT_PERIOD_MS, why: " — KrakenD's rate limiter counts in periods of at least 1s" });
    if (r.key !== undefined)
      c.enumValue(`${p}.key`, r.key, ['user', 'ip', 'global'], ' — omit it for user on routes with an authPolicy, ip on public routes');
    if (r.capacity !== undefined) c.integer(`${p}.capacity`, r.capacity, 1);
    const everyMs = typeof r.every === 'string' ? durationMs(r.every) : undefined;
    const rated = everyMs !== undefined && everyMs >= MIN_RATE_LIMIT_PERIOD_MS;
    if (maxRate !== undefined && rated) checkTokenRate(c, `${p}.maxRate`, maxRate, everyMs);
    const total = r.totalMaxRate !== undefined && c.integer(`${p}.totalMaxRate`, r.totalMaxRate, 1) ? r.totalMaxRate : undefined;
    if (r.totalCapacity !== undefined && c.integer(`${p}.totalCapacity`, r.totalCapacity, 1) && r.totalMaxRate === undefined)
      c.add(`${p}.totalCapacity`, `is the burst of the total cap, and there is none (got ${show(r.totalCapacity)}) — set totalMaxRate or remove it`);
    if (total === undefined) return;
    if (r.key === 'global') {
      c.add(
        `${p}.totalMaxRate`,
        `must not be set on a limit with key global, whose maxRate already counts all clients together (got ${show(total)}) — ` +
          'remove it, or count per user or ip',
      );
    } else if (maxRate !== undefined && total < maxRate) {
      c.add(
        `${p}.totalMaxRate`,
        `must be at least maxRate ${maxRate}: all clients together cannot get less than one client (got ${show(total)}) — ` +
          `raise it to ${maxRate} or more, or lower maxRate`,
      );
    }
    // Only the upper bound: a total of at least maxRate is too slow only when maxRate is, reported already.
    if (rated) checkTokenRate(c, `${p}.totalMaxRate`, total, everyMs, false);
  });
}

/** The token rate of a limit within what krakend-ratelimit's bucket can count (TOKENS_PER_SECOND). */
function checkTokenRate(c: Checker, ratePath: string, maxRate: number, everyMs: number, lowerBound = true): void {
  const perSecond = maxRate / (everyMs / 1000);
  if (perSecond > TOKENS_PER_SECOND.max) {
    c.add(
      ratePath,
      `is more than KrakenD's rate limiter can count, 1e9 requests a second (got ${maxRate} every ${everyMs / 1000}s) — lower it or lengthen every`,
    );
  } else if (lowerBound && perSecond < TOKENS_PER_SECOND.min) {
    c.add(
      ratePath.replace(/\.maxRate$/, '.every'),
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
    const jwks = c.string(`${p}.jwksUrl`, a.jwksUrl, 'e.g. https://hanzo.id/.well-known/jwks')
      ? c.parsed(`${p}.jwksUrl`, parseJwksUrl(a.jwksUrl, a.allowInsecureJwks === true))
      : undefined;
    if (a.allowLinkLocal !== undefined) c.boolean(`${p}.allowLinkLocal`, a.allowLinkLocal);
    // The iamEndpoint is compared with tokens' iss, never fetched: its host reaches nothing.
    if (jwks) checkLinkLocal(c, p, 'jwksUrl', jwks, a.allowLinkLocal);
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
    if (a.cacheDuration !== undefined) c.integer(`${p}.cacheDuration`, a.cacheDuration, 1, MAX_JWKS_CACHE_SECONDS);
    if (a.allowInsecureJwks !== undefined) c.boolean(`${p}.allowInsecureJwks`, a.allowInsecureJwks);
    if (a.propagateClaims !== undefined) checkPropagateClaims(c, `${p}.propagateClaims`, a.propagateClaims);
    if (a.requireExpiry !== undefined) c.boolean(`${p}.requireExpiry`, a.requireExpiry);
    if (a.unknownKeyCooldown !== undefined) {
      c.duration(`${p}.unknownKeyCooldown`, a.unknownKeyCooldown, {
        minMs: UNKNOWN_KEY_COOLDOWN_MS.min,
        maxMs: UNKNOWN_KEY_COOLDOWN_MS.max,
        why: ' — a key id the key set lacked is refused this long without a fetch: from 1s (krakend-jose ignores less) to 1h',
      });
    }
    if (a.alg !== undefined) {
      const hmac = typeof a.alg === 'string' && /^HS(256|384|512)$/.test(a.alg);
      c.enumValue(
        `${p}.alg`,
        a.alg,
        JWT_ALGORITHMS,
        hmac ? ' — HMAC keys are shared secrets, which a key set must not publish; sign with an asymmetric key' : '',
      );
    }
    checkClaimValues(c, p, a, 'roles', 'rolesKey', 'a role, e.g. admin');
    checkClaimValues(c, p, a, 'scopes', 'scopesKey', 'a scope, e.g. chat:write');
    if (a.scopesMatcher !== undefined) {
      c.enumValue(`${p}.scopesMatcher`, a.scopesMatcher, ['any', 'all']);
      if (a.scopes === undefined)
        c.add(`${p}.scopes`, `is missing: scopesMatcher ${show(a.scopesMatcher)} has no scopes to match — add scopes or remove scopesMatcher`);
    }
  });
}

/**
 * `roles` or `scopes` (a non-empty list of distinct values, each a space-free string: krakend-jose
 * splits a string claim on spaces) and the claim they are read from, which says nothing without them.
 */
function checkClaimValues(c: Checker, p: string, a: Record<string, unknown>, field: 'roles' | 'scopes', keyField: string, example: string): void {
  const list = a[field];
  if (list !== undefined && c.list(`${p}.${field}`, list, MAX_AUDIENCES)) {
    if (list.length === 0) c.add(`${p}.${field}`, `must list at least one value — remove it to check no ${field}`);
    c.each(list, (v, j) => {
      const q = `${p}.${field}[${j}]`;
      if (!c.string(q, v, example, MAX_CLAIM_LENGTH)) return;
      if (/\s/.test(v)) c.add(q, `must not contain spaces: krakend-jose splits a string claim on them (got ${show(v)}) — list each value on its own`);
      else if (list.indexOf(v) < j) c.add(q, `repeats ${p}.${field}[${list.indexOf(v)}] (got ${show(v)}) — remove one`);
    });
  }
  const key = a[keyField];
  if (key === undefined) return;
  if (c.string(`${p}.${keyField}`, key, `the claim holding the ${field}`, MAX_CLAIM_LENGTH) && list === undefined)
    c.add(
      `${p}.${field}`,
      `is missing: ${keyField} ${show(key)} names a claim, but there are no ${field} to check — add ${field} or remove ${keyField}`,
    );
}

/**
 * `propagateClaims`: each entry a claim and a header that the policy alone sets on its routes. The
 * header must reach the backend as sent, so not a hop-by-hop or framing header, not Authorization
 * (the client's credentials), and not a header the policy already sets (case-insensitively: HTTP
 * header names are, and krakend-jose writes each in turn, the last one winning).
 */
function checkPropagateClaims(c: Checker, path: string, value: unknown): void {
  if (!c.list(path, value, MAX_PROPAGATED_CLAIMS)) return;
  const taken = new Map([USER_ID_HEADER, ORG_ID_HEADER].map((h) => [h.toLowerCase(), `the identity header ${h}`]));
  c.each(value, (entry, j) => {
    const p = `${path}[${j}]`;
    if (!c.object(p, entry, CLAIM_HEADER_FIELDS)) return;
    c.string(`${p}.claim`, entry.claim, 'the claim to pass on, e.g. roles', MAX_CLAIM_LENGTH);
    const h = entry.header;
    if (!c.string(`${p}.header`, h, 'the header it is sent in, e.g. X-Roles', MAX_HEADER_NAME_LENGTH)) return;
    const got = `(got ${show(h)})`;
    const lower = h.toLowerCase();
    const hopByHop = CONNECTION_HEADERS.find((x) => x.toLowerCase() === lower);
    if (!HEADER_NAME.test(h)) c.add(`${p}.header`, `must be a header name of letters, digits and '-' ${got} — e.g. X-Roles`);
    else if (lower === AUTHORIZATION_HEADER.toLowerCase())
      c.add(`${p}.header`, `must not be Authorization, which carries the client's credentials ${got} — choose another header, e.g. X-Roles`);
    else if (hopByHop !== undefined)
      c.add(`${p}.header`, `must not be ${hopByHop}, a connection or framing header the proxy drops or rewrites ${got} — choose another header`);
    else if (taken.has(lower)) c.add(`${p}.header`, `is already ${taken.get(lower)} of this policy ${got} — give each claim its own header`);
    else taken.set(lower, `the header of ${p}`);
  });
}

/**
 * The headers of `propagateClaims` of every auth policy, lower-case, each with the policies that set
 * it, read leniently from input of any shape (problems are reported by checkAuthPolicies).
 */
export function claimHeadersOf(authPolicies: unknown): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  if (!Array.isArray(authPolicies)) return out;
  for (const a of authPolicies) {
    // A list over the bound is refused whole by checkAuthPolicies, and not read here either.
    const claims = isObject(a) ? a.propagateClaims : undefined;
    if (!isObject(a) || typeof a.name !== 'string' || !Array.isArray(claims) || claims.length > MAX_PROPAGATED_CLAIMS) continue;
    for (const entry of claims as unknown[]) {
      if (!isObject(entry) || typeof entry.header !== 'string') continue;
      const lower = entry.header.toLowerCase();
      if (!out.has(lower)) out.set(lower, new Set());
      out.get(lower)!.add(a.name);
    }
  }
  return out;
}

// Checks of `spec.routes`: prefixes, backends, methods, headers, and the policies each route names.
import { RESERVED_SEGMENT, UNROUTABLE_CHAR } from '../grammar/endpoint-paths';
import { parseBackendUrl } from '../grammar/urls';
import { isObject, show } from '../grammar/values';
import { DEFAULTS, HTTP_METHODS, KRAKEND_PORT, MAX_ROUTES, ORG_ID_HEADER, USER_ID_HEADER } from '../spec';
import { Checker, MAX_NAME_LENGTH, TIMEOUT_BOUNDS } from './checker';
import { ROUTE_FIELDS } from './fields';
import { Policies } from './policies';

const WHY_NOT_IN_PREFIX: Record<string, string> = {
  '*': 'wildcard routes are KrakenD Enterprise only; CE panics at start',
  '?': 'it starts a query string, which is never part of the path',
  '&': 'KrakenD refuses it in an endpoint',
  '%': 'KrakenD refuses percent-encoding in an endpoint',
  '{': 'it is KrakenD parameter syntax; a prefix is literal',
  '}': 'it is KrakenD parameter syntax; a prefix is literal',
  ':': 'gin reads it as a path parameter',
};
const HEADER_NAME = /^[A-Za-z0-9-]+$/;
const MAX_HEADER_NAME_LENGTH = 256;
const MAX_INPUT_HEADERS = 64;
// Long enough for any real API path; far below what would make a single endpoint costly.
const MAX_PREFIX_LENGTH = 1024;
// Addresses that reach the pod itself.
const LOOPBACK = /^(localhost|127(\.[0-9]{1,3}){3}|0\.0\.0\.0)$/;

export function checkRoutes(c: Checker, path: string, value: unknown, rateLimits: Policies, authPolicies: Policies): void {
  if (value === undefined) {
    c.add(path, 'is required — list at least one route');
    return;
  }
  if (!c.list(path, value, MAX_ROUTES)) return;
  if (value.length === 0) c.add(path, 'must list at least one route');
  const routed = new Map<string, number>(); // "METHOD prefix" → first route index
  c.each(value, (r, i) => {
    const p = `${path}[${i}]`;
    if (!c.object(p, r, ROUTE_FIELDS)) return;
    const prefixOk = checkPrefix(c, `${p}.prefix`, r.prefix);
    if (c.string(`${p}.backend`, r.backend, 'e.g. http://chat.hanzo.svc:80')) c.parsed(`${p}.backend`, parseBackendUrl(r.backend));
    const methods = checkMethods(c, `${p}.methods`, r.methods);
    if (r.stripPrefix !== undefined) c.boolean(`${p}.stripPrefix`, r.stripPrefix);
    if (r.timeout !== undefined) c.duration(`${p}.timeout`, r.timeout, TIMEOUT_BOUNDS);
    const authenticated = r.authPolicy !== undefined;
    if (
      r.authPolicy !== undefined &&
      c.string(`${p}.authPolicy`, r.authPolicy, 'the name of an entry of spec.authPolicies', MAX_NAME_LENGTH) &&
      authPolicies &&
      !authPolicies.has(r.authPolicy)
    ) {
      c.add(`${p}.authPolicy`, `unknown auth policy ${show(r.authPolicy)} (defined: ${[...authPolicies.keys()].join(', ') || 'none'})`);
    }
    if (
      r.rateLimit !== undefined &&
      c.string(`${p}.rateLimit`, r.rateLimit, 'the name of an entry of spec.rateLimits', MAX_NAME_LENGTH) &&
      rateLimits
    ) {
      const limit = rateLimits.get(r.rateLimit);
      if (!limit) c.add(`${p}.rateLimit`, `unknown rate limit ${show(r.rateLimit)} (defined: ${[...rateLimits.keys()].join(', ') || 'none'})`);
      else if (limit.key === 'user' && !authenticated) {
        c.add(
          `${p}.rateLimit`,
          `rate limit ${show(r.rateLimit)} counts per user, but the route has no authPolicy to identify users — ` +
            `add an authPolicy or use a limit with key ip or global`,
        );
      }
    }
    if (r.inputHeaders !== undefined) checkInputHeaders(c, `${p}.inputHeaders`, r.inputHeaders, authenticated);
    if (prefixOk && methods) {
      for (const m of methods) {
        const key = `${m} ${r.prefix}`;
        const first = routed.get(key);
        if (first !== undefined)
          c.add(`${p}.methods`, `${m} ${r.prefix} is already routed by ${path}[${first}] — remove the method from one of them`);
        else routed.set(key, i);
      }
    }
  });
}

function checkPrefix(c: Checker, path: string, value: unknown): value is string {
  if (!c.string(path, value, 'e.g. /v1/chat', MAX_PREFIX_LENGTH)) return false;
  const problem = prefixProblem(value);
  if (problem) c.add(path, problem);
  return problem === undefined;
}

/** What is wrong with a prefix, the first thing found; undefined when it can be routed. */
function prefixProblem(prefix: string): string | undefined {
  const got = `(got ${show(prefix)})`;
  if (!prefix.startsWith('/')) return `must start with '/' ${got} — e.g. /${prefix.replace(/^\/*/, '')}`;
  if (prefix === '/') return undefined;
  const segments = prefix.slice(1).split('/');
  const tidy = `/${segments.filter((s) => s !== '').join('/')}`;
  if (prefix.endsWith('/')) return `must not end with '/' ${got} — write ${tidy}`;
  if (segments.includes('')) return `must not have an empty segment ${got} — write ${tidy}`;
  for (const segment of segments) {
    if (segment === '.' || segment === '..')
      return `must not have a '${segment}' segment ${got} — clients resolve it away, so the prefix could never match`;
    const bad = UNROUTABLE_CHAR.exec(segment)?.[0];
    if (bad !== undefined) {
      const why = WHY_NOT_IN_PREFIX[bad] ?? "a prefix holds only letters, digits and - . _ ~ ! $ ' ( ) + , ; = @";
      return `must not contain ${show(bad)} ${got} — ${why}`;
    }
  }
  if (RESERVED_SEGMENT.test(prefix)) return `is reserved by KrakenD: no segment may be __health, __debug or __echo ${got} — choose another prefix`;
  return undefined;
}

/** The methods when valid; reports each bad one. */
function checkMethods(c: Checker, path: string, value: unknown): string[] | undefined {
  if (value === undefined) return [...DEFAULTS.methods];
  if (!c.list(path, value, HTTP_METHODS.length)) return undefined;
  if (value.length === 0) {
    c.add(path, 'must list at least one method — omit it for [GET]');
    return undefined;
  }
  let ok = true;
  c.each(value, (m, j) => {
    if (typeof m === 'string' && (HTTP_METHODS as readonly string[]).includes(m)) return;
    ok = false;
    const upper = typeof m === 'string' ? m.toUpperCase() : '';
    const why =
      upper === 'HEAD' || upper === 'OPTIONS'
        ? ' — KrakenD CE cannot route HEAD or OPTIONS'
        : (HTTP_METHODS as readonly string[]).includes(upper)
          ? ` — write it in capitals: ${upper}`
          : '';
    c.add(`${path}[${j}]`, `must be one of ${HTTP_METHODS.join(', ')} (got ${show(m)})${why}`);
  });
  return ok ? [...new Set(value as string[])] : undefined;
}

function checkInputHeaders(c: Checker, path: string, value: unknown, authenticated: boolean): void {
  if (!c.list(path, value, MAX_INPUT_HEADERS)) return;
  c.each(value, (h, j) => {
    const p = `${path}[${j}]`;
    if (h === '*') c.add(p, 'must not be * — forwarding every client header lets clients forge X-User-Id and X-Org-Id; list the headers');
    else if (typeof h !== 'string' || h.length > MAX_HEADER_NAME_LENGTH || !HEADER_NAME.test(h)) {
      c.add(p, `must be a header name of at most ${MAX_HEADER_NAME_LENGTH} letters, digits and '-' (got ${show(h)})`);
    } else if (!authenticated && [USER_ID_HEADER, ORG_ID_HEADER].some((x) => x.toLowerCase() === h.toLowerCase())) {
      c.add(
        p,
        `${h} is an identity header set by an auth policy; a public route must not forward a client's copy (got ${show(h)}) — ` +
          `add an authPolicy or remove it`,
      );
    }
  });
}

/**
 * Backends that are the gateway itself: KrakenD would call itself for every request until the
 * timeout. Its port on loopback (another port there is a sidecar in the pod, which is fine; a base
 * path under /__health is KrakenD's own answer, never proxied again), and its
 * own Service under any name the pod's DNS search path resolves (any port: the Service forwards to
 * KrakenD). With the namespace unknown only the bare name is known to be the gateway.
 */
export function checkSelfReferences(c: Checker, path: string, routes: unknown, name: string, namespace: string | undefined): void {
  if (!Array.isArray(routes)) return;
  const selfNames = new Set([
    name,
    ...(namespace === undefined ? [] : [`${name}.${namespace}`, `${name}.${namespace}.svc`, `${name}.${namespace}.svc.cluster.local`]),
  ]);
  routes.forEach((r, i) => {
    const url = isObject(r) && typeof r.backend === 'string' ? parseBackendUrl(r.backend).value : undefined;
    if (!url) return;
    const host = url.hostname.toLowerCase();
    const port = url.port ?? (url.scheme === 'https' ? 443 : 80);
    if (selfNames.has(host)) {
      c.add(
        `${path}[${i}].backend`,
        `is this gateway's own Service (got ${show(r.backend)}) — KrakenD would proxy every request to itself; name the backend Service`,
      );
    } else if (LOOPBACK.test(host) && port === KRAKEND_PORT && !RESERVED_SEGMENT.test(url.basePath)) {
      c.add(
        `${path}[${i}].backend`,
        `is this gateway's own port on loopback (got ${show(r.backend)}) — ` +
          `KrakenD listens on ${KRAKEND_PORT} and would call itself; a sidecar on loopback needs another port`,
      );
    }
  });
}

// Checks of `spec.routes`: prefixes, backends, methods, headers, and the policies each route names.
import { RESERVED_SEGMENT, UNROUTABLE_CHAR } from '../grammar/endpoint-paths';
import { BackendUrl, parseBackendUrl } from '../grammar/urls';
import { isObject, show } from '../grammar/values';
import {
  HTTP_CACHE,
  MAX_CACHED_ENDPOINTS,
  MAX_HEADER_NAME_LENGTH,
  MAX_INPUT_HEADERS,
  MAX_NAME_LENGTH,
  MAX_PREFIX_DEPTH,
  MAX_PREFIX_LENGTH,
  MAX_ROUTES,
} from '../limits';
import { resolveIngressHosts, resolveMethods } from '../resolve';
import { HTTP_METHODS, HttpMethod, KRAKEND_PORT, MessagingDriver, ORG_ID_HEADER, USER_ID_HEADER } from '../spec';
import { Checker, TIMEOUT_BOUNDS } from './checker';
import { ROUTE_FIELDS } from './fields';
import { checkComposition, routeBackendUrlsOf } from './composition';
import { checkRouteEncoding } from './encoding';
import { checkRouteHeaders } from './headers';
import { checkRouteResilience } from './resilience';
import { checkLinkLocal } from './link-local';
import { checkMessagingRoute } from './messaging';
import { HEADER_NAME, Policies } from './policies';
import { CheckedRoute, checkProtectedPrefixes } from './protected-prefixes';

const WHY_NOT_IN_PREFIX: Record<string, string> = {
  '*': 'wildcard routes are KrakenD Enterprise only; CE panics at start',
  '?': 'it starts a query string, which is never part of the path',
  '&': 'KrakenD refuses it in an endpoint',
  '%': 'KrakenD refuses percent-encoding in an endpoint',
  '{': 'it is KrakenD parameter syntax; a prefix is literal',
  '}': 'it is KrakenD parameter syntax; a prefix is literal',
  ':': 'gin reads it as a path parameter',
};
// Addresses that reach the pod itself.
const LOOPBACK = /^(localhost|127(\.[0-9]{1,3}){3}|0\.0\.0\.0)$/;

/** What checkRoutes needs from the rest of the spec. */
export interface RouteContext {
  readonly rateLimits: Policies;
  readonly authPolicies: Policies;
  /** The gateway's prefixDepth when valid, else its default. */
  readonly prefixDepth: number;
  /** Headers of the auth policies' propagateClaims, lower-case, with the policies that set each. */
  readonly claimHeaders: ReadonlyMap<string, ReadonlySet<string>>;
  /** The drivers with a broker in `spec.messaging`; undefined when that block is invalid. */
  readonly messagingBrokers: ReadonlySet<MessagingDriver> | undefined;
}

/**
 * `spec.routes`, in three jobs: each route's own fields, the policies it refers to, and the
 * collisions between routes. A route's problems come in the order of its fields; the collisions
 * of a route with those before it right after its own problems; the collisions that need the whole
 * table last.
 */
export function checkRoutes(c: Checker, path: string, value: unknown, context: RouteContext): void {
  if (value === undefined) {
    c.add(path, 'is required — list at least one route');
    return;
  }
  if (!c.list(path, value, MAX_ROUTES)) return;
  if (value.length === 0) c.add(path, 'must list at least one route');
  const table = new RouteTable(c, path);
  let cachedEndpoints = 0;
  c.each(value, (r, i) => {
    const p = `${path}[${i}]`;
    if (!c.object(p, r, ROUTE_FIELDS)) return;
    const target = checkRouteTarget(c, p, r);
    checkComposition(c, p, r);
    checkPolicyReferences(c, p, r, context);
    if (r.pubsub !== undefined) {
      // A messaging route serves its prefix alone: in the table it is an exact route.
      checkMessagingRoute(c, p, r, context.messagingBrokers);
      if (target.prefix !== undefined && target.methods)
        table.add(i, r, { prefix: target.prefix, methods: target.methods, backends: [] }, { exact: true, depth: 0 });
      return;
    }
    checkRouteHeaders(c, p, r, { authPolicy: typeof r.authPolicy === 'string' ? r.authPolicy : undefined, claimHeaders: context.claimHeaders });
    const shape = checkRouteShape(c, p, r, context.prefixDepth);
    checkRouteEncoding(c, p, r);
    checkRouteResilience(c, p, r);
    if (r.cache === true) {
      // Each endpoint holds a bounded cache of its own (lib/krakend/resilience.ts): their number bounds the pod's memory for them.
      const before = cachedEndpoints;
      cachedEndpoints += shape.exact ? 1 : shape.depth + 1;
      if (before <= MAX_CACHED_ENDPOINTS && cachedEndpoints > MAX_CACHED_ENDPOINTS)
        c.add(
          `${p}.cache`,
          `brings the cached routes to ${cachedEndpoints} KrakenD endpoints, each with a cache of up to ${HTTP_CACHE.maxSizeBytes / 1048576} MiB, ` +
            `more than the ${MAX_CACHED_ENDPOINTS} allowed — cache fewer routes, or give them a lower prefixDepth or exact: true`,
        );
    }
    if (target.prefix !== undefined && target.methods) table.add(i, r, { ...target, prefix: target.prefix, methods: target.methods }, shape);
  });
  table.checkAll();
}

/** A route's own fields that say what it serves and where: prefix, backend, methods, stripPrefix, timeout. */
function checkRouteTarget(c: Checker, p: string, r: Record<string, unknown>): { prefix?: string; methods?: string[]; backends: BackendUrl[] } {
  const prefixOk = checkPrefix(c, `${p}.prefix`, r.prefix);
  // A composed route's backends are checked with it (composition.ts); a messaging route has no backend
  // URL (lib/validation/messaging.ts refuses one beside pubsub).
  const composed = r.backends !== undefined;
  const url =
    !composed &&
    r.pubsub === undefined &&
    c.string(`${p}.backend`, r.backend, 'e.g. http://chat.hanzo.svc:80, list backends to compose several, or pubsub for a messaging route')
      ? c.parsed(`${p}.backend`, parseBackendUrl(r.backend))
      : undefined;
  if (r.allowLinkLocal !== undefined) c.boolean(`${p}.allowLinkLocal`, r.allowLinkLocal);
  if (url) checkLinkLocal(c, p, 'backend', url, r.allowLinkLocal);
  const methods = checkMethods(c, `${p}.methods`, r.methods);
  if (r.stripPrefix !== undefined) c.boolean(`${p}.stripPrefix`, r.stripPrefix);
  if (r.timeout !== undefined) c.duration(`${p}.timeout`, r.timeout, TIMEOUT_BOUNDS);
  return { prefix: prefixOk ? (r.prefix as string) : undefined, methods, backends: routeBackendUrlsOf(p, r).map((b) => b.url) };
}

/** The policies a route names, which must exist, and the identity headers it forwards, which only its policy may set. */
function checkPolicyReferences(c: Checker, p: string, r: Record<string, unknown>, context: RouteContext): void {
  const { rateLimits, authPolicies } = context;
  const authenticated = r.authPolicy !== undefined;
  if (
    r.authPolicy !== undefined &&
    c.string(`${p}.authPolicy`, r.authPolicy, 'the name of an entry of spec.authPolicies', MAX_NAME_LENGTH) &&
    authPolicies &&
    !authPolicies.has(r.authPolicy)
  ) {
    c.add(`${p}.authPolicy`, `unknown auth policy ${show(r.authPolicy)} (defined: ${[...authPolicies.keys()].map(show).join(', ') || 'none'})`);
  }
  if (
    r.rateLimit !== undefined &&
    c.string(`${p}.rateLimit`, r.rateLimit, 'the name of an entry of spec.rateLimits', MAX_NAME_LENGTH) &&
    rateLimits
  ) {
    const limit = rateLimits.get(r.rateLimit);
    if (!limit)
      c.add(`${p}.rateLimit`, `unknown rate limit ${show(r.rateLimit)} (defined: ${[...rateLimits.keys()].map(show).join(', ') || 'none'})`);
    else if (limit.key === 'user' && !authenticated) {
      c.add(
        `${p}.rateLimit`,
        `rate limit ${show(r.rateLimit)} counts per user, but the route has no authPolicy to identify users — ` +
          `add an authPolicy or use a limit with key ip or global`,
      );
    }
  }
  if (r.inputHeaders !== undefined) {
    const policy = typeof r.authPolicy === 'string' ? r.authPolicy : undefined;
    checkInputHeaders(c, `${p}.inputHeaders`, r.inputHeaders, policy, context.claimHeaders);
  }
}

/** A route's own fields that say how deep it routes: exact, prefixDepth (the gateway's `gatewayDepth` unless set). */
function checkRouteShape(c: Checker, p: string, r: Record<string, unknown>, gatewayDepth: number): { exact: boolean; depth: number } {
  const exact = r.exact === true;
  if (r.exact !== undefined) c.boolean(`${p}.exact`, r.exact);
  let depth = gatewayDepth;
  if (r.prefixDepth !== undefined && c.integer(`${p}.prefixDepth`, r.prefixDepth, 0, MAX_PREFIX_DEPTH)) depth = r.prefixDepth;
  if (exact && r.prefixDepth !== undefined) {
    c.add(
      `${p}.prefixDepth`,
      `must not be set on an exact route, which serves its prefix alone (got ${show(r.prefixDepth)}) — ` +
        'remove prefixDepth, or exact to serve the paths below',
    );
  }
  return { exact, depth };
}

/**
 * The collisions between routes whose prefix and methods are valid: a method of a prefix routed twice
 * by routes of one kind (reported as each route is added), a prefix route that serves nothing beside
 * an exact one, a deeper route the router cannot fall back from, and the protected prefixes
 * (checkAll, once every route is in).
 */
class RouteTable {
  // "METHOD prefix" → the first exact route, and the first prefix route with its depth. Each kind
  // once: an exact route and a prefix route share a prefix, the prefix route then serves below it.
  private readonly exactRoutes = new Map<string, number>();
  private readonly prefixRoutes = new Map<string, { index: number; depth: number }>();
  private readonly checked: CheckedRoute[] = []; // the routes whose backend is valid too

  constructor(
    private readonly c: Checker,
    private readonly path: string,
  ) {}

  add(
    i: number,
    r: Record<string, unknown>,
    target: { prefix: string; methods: readonly string[]; backends: readonly BackendUrl[] },
    shape: { exact: boolean; depth: number },
  ): void {
    const { prefix, methods, backends } = target;
    const { exact, depth } = shape;
    const { authPolicy } = r;
    // A composed route sends each backend's own path, as a stripPrefix route of its prefix alone would.
    const stripPrefix = r.stripPrefix === true || r.backends !== undefined;
    if (authPolicy === undefined || typeof authPolicy === 'string')
      for (const backend of backends)
        this.checked.push({ index: i, prefix, methods, exact, depth: exact ? 0 : depth, authPolicy, backend, stripPrefix });
    for (const m of methods) {
      const key = `${m} ${prefix}`;
      const first = exact ? this.exactRoutes.get(key) : this.prefixRoutes.get(key)?.index;
      if (first !== undefined) {
        const kind = exact ? 'exact' : 'prefix';
        this.c.add(
          `${this.path}[${i}].methods`,
          `${m} ${prefix} is already routed by ${this.path}[${first}] (two ${kind} routes) — remove the method from one of them` +
            (exact ? '' : ', or make one exact'),
        );
      } else if (exact) this.exactRoutes.set(key, i);
      else this.prefixRoutes.set(key, { index: i, depth });
    }
  }

  checkAll(): void {
    const { c, path, exactRoutes, prefixRoutes } = this;
    const reported = new Set<number>();
    for (const [key, { index, depth }] of prefixRoutes) {
      // A prefix route beside an exact one serves only the paths below the prefix: none at depth 0.
      const exactIndex = exactRoutes.get(key);
      if (exactIndex !== undefined && depth === 0) {
        c.add(
          `${path}[${index}].prefixDepth`,
          `is 0 beside the exact route ${path}[${exactIndex}] on ${key}, so this route serves nothing (got 0) — ` +
            'raise its prefixDepth to serve the paths below, or remove the method from it',
        );
      }
      if (depth > 0 && !reported.has(index)) {
        const outer = shallowerInside(key, depth, prefixRoutes);
        if (outer) {
          reported.add(index);
          const { prefix, below } = outer;
          c.add(
            `${path}[${index}].prefixDepth`,
            `routes ${key} ${depth} segment(s) deep, inside ${path}[${outer.index}] (${prefix}) which routes ${below} deep from a ` +
              `shorter prefix (got ${depth}) — gin would answer 404 below this route's depth instead of falling back to the shorter ` +
              `prefix; set prefixDepth to at least ${outer.needed} here, or lower the other route's`,
          );
        }
      }
    }
    checkProtectedPrefixes(c, path, this.checked, { exactRoutes, prefixRoutes, maxDepth: MAX_PREFIX_DEPTH });
  }
}

/**
 * A prefix route that routes a method of a longer prefix to a shallower depth than a route of a
 * shorter prefix around it: gin's tree (tree.go, getValue) tries the static segment first and falls
 * back to a sibling parameter only from a static node; inside the inner route's `{pN}` parameter it
 * does not, so `/v1/chat/x/y` with `/v1` 4 deep and `/v1/chat` 1 deep gets 404, not `/v1`'s backend.
 * A route of depth 0 has no parameter child, and the fallback works. Only ancestors at most
 * MAX_PREFIX_DEPTH segments up can reach deeper, so this looks at no more than that many per route.
 */
function shallowerInside(
  key: string,
  depth: number,
  prefixRoutes: ReadonlyMap<string, { index: number; depth: number }>,
): { index: number; prefix: string; below: number; needed: number } | undefined {
  const space = key.indexOf(' ');
  const method = key.slice(0, space);
  const prefix = key.slice(space + 1);
  if (prefix === '/') return undefined;
  const ends: number[] = []; // where each ancestor ends: '/a/b/c' → 0 ('/'), 2 ('/a'), 4 ('/a/b')
  for (let at = prefix.lastIndexOf('/'); at >= 0 && ends.length <= MAX_PREFIX_DEPTH; at = at === 0 ? -1 : prefix.lastIndexOf('/', at - 1))
    ends.push(at);
  const own = prefix.split('/').length - 1;
  for (let k = 0; k < ends.length; k++) {
    const ancestor = ends[k] === 0 ? '/' : prefix.slice(0, ends[k]);
    const outer = prefixRoutes.get(`${method} ${ancestor}`);
    const segments = own - k - 1;
    if (outer && segments + outer.depth > own + depth)
      return { index: outer.index, prefix: ancestor, below: outer.depth, needed: segments + outer.depth - own };
  }
  return undefined;
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
  if (value === undefined) return resolveMethods(undefined);
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
  return ok ? resolveMethods(value as HttpMethod[]) : undefined;
}

/**
 * `inputHeaders`: header names, never `*`, and no identity header from the client where the route's
 * auth policy does not set it: krakend-jose overwrites only the headers its own policy propagates, so
 * a client's copy of any other would reach the backend as if a policy had set it.
 */
function checkInputHeaders(
  c: Checker,
  path: string,
  value: unknown,
  authPolicy: string | undefined,
  claimHeaders: ReadonlyMap<string, ReadonlySet<string>>,
): void {
  const authenticated = authPolicy !== undefined;
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
    } else {
      const setBy = claimHeaders.get(h.toLowerCase());
      if (!setBy || (authPolicy !== undefined && setBy.has(authPolicy))) return;
      const policies = [...setBy].map(show).join(', ');
      c.add(
        p,
        authenticated
          ? `${h} is an identity header set by auth policy ${policies} (propagateClaims), not by this route's ${show(authPolicy)}; ` +
              `a client's copy would reach the backend (got ${show(h)}) — remove it, or propagate it in ${show(authPolicy)} too`
          : `${h} is an identity header set by auth policy ${policies} (propagateClaims); a public route must not forward a client's copy ` +
              `(got ${show(h)}) — add an authPolicy or remove it`,
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
    for (const { at, text, url } of routeBackendUrlsOf(`${path}[${i}]`, r)) {
      const host = url.hostname.toLowerCase();
      const port = url.port ?? (url.scheme === 'https' ? 443 : 80);
      if (selfNames.has(host)) {
        c.add(at, `is this gateway's own Service (got ${show(text)}) — KrakenD would proxy every request to itself; name the backend Service`);
      } else if (LOOPBACK.test(host) && port === KRAKEND_PORT && !RESERVED_SEGMENT.test(url.basePath)) {
        c.add(
          at,
          `is this gateway's own port on loopback (got ${show(text)}) — ` +
            `KrakenD listens on ${KRAKEND_PORT} and would call itself; a sidecar on loopback needs another port`,
        );
      }
    }
  });
}

/**
 * Backends that reach the gateway through its own Ingress: a host the Ingress serves (a `*.` host
 * matches one label more, as Ingress wildcards do) on the ports an ingress controller answers, 80
 * and 443. The controller sends the request back to KrakenD, which would call itself for every
 * request until the timeout. A base path under /__health is KrakenD's own answer, as on loopback.
 */
export function checkIngressSelfReferences(c: Checker, path: string, routes: unknown, ingress: unknown): void {
  if (!Array.isArray(routes) || !isObject(ingress) || ingress.enabled === false) return;
  const hosts: readonly unknown[] = ingress.hosts === undefined ? resolveIngressHosts(undefined) : Array.isArray(ingress.hosts) ? ingress.hosts : [];
  const served = hosts.filter((h): h is string => typeof h === 'string').map((h) => h.toLowerCase());
  routes.forEach((r, i) => {
    for (const { at, text, url } of routeBackendUrlsOf(`${path}[${i}]`, r)) {
      if (RESERVED_SEGMENT.test(url.basePath)) continue;
      const host = url.hostname.toLowerCase();
      const port = url.port ?? (url.scheme === 'https' ? 443 : 80);
      const match = served.find((h) => ingressServes(h, host));
      if (match === undefined || (port !== 80 && port !== 443)) continue;
      c.add(
        at,
        `is this gateway's own Ingress host ${show(match)} (got ${show(text)}) — the ingress controller sends it back to KrakenD, ` +
          "which would call itself for every request until the timeout; name the backend's own Service or host",
      );
    }
  });
}

/** Whether an Ingress rule's host serves `host`: the same name, or `*.suffix` and one label before it. */
function ingressServes(ruleHost: string, host: string): boolean {
  if (!ruleHost.startsWith('*.')) return ruleHost === host;
  const suffix = ruleHost.slice(1);
  return host.endsWith(suffix) && host.length > suffix.length && !host.slice(0, host.length - suffix.length).includes('.');
}

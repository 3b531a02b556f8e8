// `hanzo-gateway diff`: the policy-level changes between two sets of Gateways, matched by namespace
// and name, endpoint by endpoint (method and path) of their rendered krakend.json: what KrakenD serves
// that it did not, or no longer serves, and where auth, rate limits, backends, forwarded, set and
// deleted headers and the security headers changed. Anything that does not change what KrakenD
// serves (route order, policy names, defaults written out) compares equal, because only the
// rendered endpoints are compared.
import { durationMs } from '../grammar/durations';
import { AuditedPolicy, AuditedSecurityHeaders, REVIEW_JSON_VERSION, auditedSecurityHeaders, authName, jwtOf, policyOf } from './audit';
import { canonical } from './canonical';
import { RouteGroup, collapse, compareRoutes, compareText, joinPath } from './routes';
import {
  AuthView,
  BackendLocation,
  KeyNumbers,
  LimitKey,
  RateLimitView,
  RenderedGateway,
  SecurityHeadersView,
  ServedEndpoint,
  SetHeader,
  StreamView,
  servedGateway,
} from './served';

/** The classes of change, in the order reports list them. */
export const CHANGE_CLASSES = [
  'added',
  'removed',
  'auth-added',
  'auth-removed',
  'auth-changed',
  'limit-added',
  'limit-removed',
  'limit-loosened',
  'limit-tightened',
  'backend-changed',
  'stream-changed',
  'headers-changed',
  'secret-header-added',
  'secret-header-removed',
  'request-headers-changed',
  'response-headers-changed',
  'security-headers-added',
  'security-headers-removed',
  'security-headers-changed',
] as const;
export type ChangeClass = (typeof CHANGE_CLASSES)[number];

/**
 * Classes derived from the changes, for `--fail-on`: `public-added` is a method and path that is
 * public after the change and was not before (an `added` endpoint without auth, or `auth-removed`);
 * `external-added` is one that reaches a backend outside the cluster and did not before (an `added`
 * endpoint to an external backend, or `backend-changed` from in the cluster to outside it);
 * `public-secret-added` is one that is public and sends a header from a Secret after the change, and
 * was not both before (an `added` public endpoint that sends one, `auth-removed` on one, or
 * `secret-header-added` on a public one): anyone who reaches the gateway then uses that credential.
 */
export const DERIVED_CLASSES = ['public-added', 'external-added', 'public-secret-added'] as const;
export type DerivedClass = (typeof DERIVED_CLASSES)[number];
export type FailClass = ChangeClass | DerivedClass;
export const FAIL_CLASSES: readonly FailClass[] = [...CHANGE_CLASSES, ...DERIVED_CLASSES];

/** An auth policy as a diff shows it. */
export interface AuthValue {
  readonly policy: string | null;
  readonly issuer: string;
  readonly audience: readonly string[];
  readonly jwksUrl: string;
  readonly roles?: readonly string[];
  readonly claims: ReadonlyArray<{ readonly claim: string; readonly header: string }>;
}

/** A backend as a diff shows it. */
export interface BackendValue {
  /** The backend URL of the route (`http://chat.hanzo.svc:80/v1/chat/**`). */
  readonly url: string;
  readonly location: BackendLocation;
  /** On a composed route, the other backends merged in (absent otherwise). */
  readonly mergedWith?: ServedEndpoint['merged'];
}

/** How a streaming route is streamed: the stream proxy's idle timeout, or null where KrakenD serves the route (buffered). */
export type StreamValue = StreamView | null;

/** The client headers a route forwards (identity headers excluded). */
export interface HeadersValue {
  readonly forwarded: readonly string[];
}

/** What a route sets and deletes on its backend requests, apart from the headers a Secret is set on, on either side. */
export interface RequestHeadersValue {
  /** Headers set to a value written in krakend.json. */
  readonly set: readonly SetHeader[];
  readonly removed: readonly string[];
}

/** The headers a route deletes from its backend's responses. */
export interface ResponseHeadersValue {
  readonly removed: readonly string[];
}

/** One side of a change. */
export type ChangeValue =
  | AuditedPolicy
  | AuthValue
  | RateLimitView
  | BackendValue
  | StreamView
  | HeadersValue
  | SetHeader
  | RequestHeadersValue
  | ResponseHeadersValue
  | AuditedSecurityHeaders
  | null;

/** One change to one method of one route of one Gateway, or to the whole Gateway (`security-headers-*`). */
export interface Change {
  readonly gateway: string;
  /** null for a change to the whole Gateway. */
  readonly method: string | null;
  /** The route, as the audit writes it (`/v1/chat/**`); null for a change to the whole Gateway. */
  readonly path: string | null;
  /** The KrakenD endpoints concerned (after the change; before it for `removed`); [] for the whole Gateway. */
  readonly endpoints: readonly string[];
  readonly change: ChangeClass;
  /**
   * By class: `added` and `removed`, the endpoint's policy as `audit` reports it (null on the side
   * where it is not served); `auth-*` an AuthValue or null; `limit-*` a rate limit or null;
   * `backend-changed` a BackendValue; `stream-changed` a StreamValue; `headers-changed` a HeadersValue; `secret-header-*` the header
   * as `setHeaders[]` of `audit` holds it, or null where it is not set; `request-headers-changed` a
   * RequestHeadersValue; `response-headers-changed` a ResponseHeadersValue; `security-headers-*` the
   * security headers as `audit` reports them, or null where they are off.
   */
  readonly before: ChangeValue;
  readonly after: ChangeValue;
  /**
   * For `auth-changed`: the keys of `auth/validator` that differ (`issuer`, `audience`, …, or `claim checks`);
   * for `security-headers-changed`, those of `security/http`.
   */
  readonly fields?: readonly string[];
}

/** Settings that changed outside the classes above (a route's timeout, a block the review does not model, a service-level option). */
export interface OtherChange {
  readonly gateway: string;
  /** null for a service-level setting. */
  readonly method: string | null;
  readonly path: string | null;
  readonly endpoints: readonly string[];
  /** The settings' names: `timeout`, `extra_config.<block>`, `backend.<key>`, or a service-level key. */
  readonly settings: readonly string[];
}

/** What `diff --json` prints. */
export interface DiffReport {
  readonly version: typeof REVIEW_JSON_VERSION;
  /** Gateways only in NEW, and only in OLD (their endpoints are also `added` and `removed` changes). */
  readonly gatewaysAdded: readonly string[];
  readonly gatewaysRemoved: readonly string[];
  readonly changes: readonly Change[];
  readonly otherChanges: readonly OtherChange[];
  /** Every class present, derived classes included, in the order of FAIL_CLASSES. */
  readonly classes: readonly FailClass[];
  /** The classes `--fail-on` named, and whether one of them is present (the command then exits 1). */
  readonly failOn: readonly FailClass[];
  readonly failed: boolean;
}

/** A change of one endpoint, before its route is known; its values are made once per route (finishChange). */
interface EndpointChange {
  readonly method: string;
  readonly base: string;
  readonly depth: number;
  readonly path: string;
  readonly change: ChangeClass;
  /** Equal for changes that read the same (the same class, and the same values before and after). */
  readonly key: string;
  readonly before?: ServedEndpoint;
  readonly after?: ServedEndpoint;
  /** For `limit-*`: the bucket that changed. */
  readonly limit?: LimitKey;
  /** For `secret-header-*`: the header that changed, in lower case. */
  readonly header?: string;
  readonly fields?: readonly string[];
}

interface EndpointOther {
  readonly method: string;
  readonly base: string;
  readonly depth: number;
  readonly path: string;
  readonly settings: readonly string[];
}

/** The changes from `before` to `after`; `failOn` sets `failed`. */
export function diffGateways(before: readonly RenderedGateway[], after: readonly RenderedGateway[], failOn: readonly FailClass[] = []): DiffReport {
  const numbers = new KeyNumbers();
  const old = new Map(before.map((g) => [g.id, servedGateway(g, numbers)]));
  const now = new Map(after.map((g) => [g.id, servedGateway(g, numbers)]));
  const ids = [...new Set([...old.keys(), ...now.keys()])].sort(compareText);
  const changes: Change[] = [];
  const otherChanges: OtherChange[] = [];
  let publicSecretAdded = false;
  for (const id of ids) {
    const o = old.get(id);
    const n = now.get(id);
    const found: EndpointChange[] = [];
    const others: EndpointOther[] = [];
    const oldByKey = new Map((o?.endpoints ?? []).map((e) => [e.key, e]));
    const newByKey = new Map((n?.endpoints ?? []).map((e) => [e.key, e]));
    for (const [key, e] of oldByKey)
      if (!newByKey.has(key)) found.push({ ...where(e), change: 'removed', key: `removed\n${e.keys.policy}`, before: e });
    for (const [key, e] of newByKey) {
      const was = oldByKey.get(key);
      if (publicSecret(e) && (was === undefined || !publicSecret(was))) publicSecretAdded = true;
      if (was === undefined) found.push({ ...where(e), change: 'added', key: `added\n${e.keys.policy}`, after: e });
      // Equal keys: nothing this review compares differs (the common case in a large table).
      else if (was.keys.policy !== e.keys.policy) compareEndpoint(was, e, found, others);
    }
    changes.push(...finishChanges(id, found));
    if (o && n) {
      const settings = differingKeys(o.service, n.service);
      if (settings.length > 0) otherChanges.push({ gateway: id, method: null, path: null, endpoints: [], settings });
      const security = securityChange(o.securityHeaders, n.securityHeaders);
      if (security !== undefined) changes.push({ gateway: id, method: null, path: null, endpoints: [], ...security });
    }
    otherChanges.push(...finishOthers(id, others));
  }
  const classes = presentClasses(changes, publicSecretAdded);
  return {
    version: REVIEW_JSON_VERSION,
    gatewaysAdded: ids.filter((id) => !old.has(id)),
    gatewaysRemoved: ids.filter((id) => !now.has(id)),
    changes,
    otherChanges,
    classes,
    failOn: [...failOn],
    failed: failOn.some((c) => classes.includes(c)),
  };
}

function where(e: ServedEndpoint) {
  return { method: e.method, base: e.base, depth: e.depth, path: e.path };
}

/** The changes of one endpoint served before and after. */
function compareEndpoint(o: ServedEndpoint, n: ServedEndpoint, out: EndpointChange[], others: EndpointOther[]): void {
  const at = { ...where(n), before: o, after: n };
  if (o.keys.auth !== n.keys.auth) {
    if (o.auth === null) out.push({ ...at, change: 'auth-added', key: `auth-added\n${n.keys.auth}` });
    else if (n.auth === null) out.push({ ...at, change: 'auth-removed', key: `auth-removed\n${o.keys.auth}` });
    else {
      const fields = differingKeys(o.auth.fields, n.auth.fields);
      if (fields.length > 0) out.push({ ...at, change: 'auth-changed', key: `auth-changed\n${o.keys.auth}\n${n.keys.auth}`, fields });
    }
  }

  if (o.keys.limits !== n.keys.limits) {
    const oldLimits = new Map(o.rateLimits.map((l) => [l.key, l]));
    const newLimits = new Map(n.rateLimits.map((l) => [l.key, l]));
    for (const limit of [...new Set<LimitKey>([...oldLimits.keys(), ...newLimits.keys()])].sort(compareText)) {
      const a = oldLimits.get(limit);
      const b = newLimits.get(limit);
      const change = a === undefined ? 'limit-added' : b === undefined ? 'limit-removed' : limitChange(a, b);
      if (change !== undefined) out.push({ ...at, change, key: `${change}\n${canonical(a ?? null)}\n${canonical(b ?? null)}`, limit });
    }
  }

  const backend = (e: ServedEndpoint) =>
    `${e.backend.origin}\n${e.backend.urlBase}\n${e.backend.location}${e.merged.map((m) => `\n+ ${m.url} ${m.location}`).join('')}`;
  if (backend(o) !== backend(n)) out.push({ ...at, change: 'backend-changed', key: `backend-changed\n${backend(o)}\n${backend(n)}` });

  const [stream, streamAfter] = [o, n].map((e) => e.stream?.idleTimeout ?? '');
  if (stream !== streamAfter) out.push({ ...at, change: 'stream-changed', key: `stream-changed\n${stream}\n${streamAfter}` });

  if (o.keys.headers !== n.keys.headers) {
    out.push({ ...at, change: 'headers-changed', key: `headers-changed\n${o.forwarded.join(',')}\n${n.forwarded.join(',')}` });
  }

  if (o.keys.rules !== n.keys.rules) {
    const oldSet = byName(o.headerRules.set);
    const newSet = byName(n.headerRules.set);
    for (const header of [...new Set([...oldSet.keys(), ...newSet.keys()])].sort(compareText)) {
      const a = secretOf(oldSet.get(header));
      const b = secretOf(newSet.get(header));
      if (a === b) continue;
      const change = b === undefined ? 'secret-header-removed' : 'secret-header-added';
      out.push({ ...at, change, key: `${change}\n${canonical(oldSet.get(header) ?? null)}\n${canonical(newSet.get(header) ?? null)}`, header });
    }
    const [request, requestAfter] = requestHeaders(o, n).map(canonical);
    if (request !== requestAfter) out.push({ ...at, change: 'request-headers-changed', key: `request-headers-changed\n${request}\n${requestAfter}` });
    const [response, responseAfter] = [o, n].map((e) => canonical(sortedHeaders(e.headerRules.removedResponse).map((h) => h.toLowerCase())));
    if (response !== responseAfter)
      out.push({ ...at, change: 'response-headers-changed', key: `response-headers-changed\n${response}\n${responseAfter}` });
  }

  if (o.keys.other !== n.keys.other) others.push({ ...where(n), settings: differingKeys(o.other, n.other) });
}

/** Public, and sends a header from a Secret. */
function publicSecret(e: ServedEndpoint): boolean {
  return e.auth === null && e.headerRules.set.some((h) => 'secret' in h);
}

function byName(headers: readonly SetHeader[]): Map<string, SetHeader> {
  return new Map(headers.map((h) => [h.header.toLowerCase(), h]));
}

/** The Secret key a header is set from, as text; undefined when it is set to a value or not set. */
function secretOf(header: SetHeader | undefined): string | undefined {
  return header !== undefined && 'secret' in header ? canonical(header.secret) : undefined;
}

/**
 * The request headers of `o` and `n` set to a value or deleted, leaving out the headers a Secret is
 * set on on either side: those are `secret-header-*` changes.
 */
function requestHeaders(o: ServedEndpoint, n: ServedEndpoint): [RequestHeadersValue, RequestHeadersValue] {
  const secrets = new Set([...o.headerRules.set, ...n.headerRules.set].filter((h) => 'secret' in h).map((h) => h.header.toLowerCase()));
  const value = (e: ServedEndpoint): RequestHeadersValue => ({
    set: e.headerRules.set.filter((h) => !secrets.has(h.header.toLowerCase())),
    removed: sortedHeaders(e.headerRules.removedRequest),
  });
  return [value(o), value(n)];
}

/** The change of the security headers, if any. */
function securityChange(
  o: SecurityHeadersView | null,
  n: SecurityHeadersView | null,
): Pick<Change, 'change' | 'before' | 'after' | 'fields'> | undefined {
  const before = o && auditedSecurityHeaders(o);
  const after = n && auditedSecurityHeaders(n);
  if (o === null) return n === null ? undefined : { change: 'security-headers-added', before, after };
  if (n === null) return { change: 'security-headers-removed', before, after };
  const fields = differingKeys(o.fields, n.fields);
  return fields.length === 0 ? undefined : { change: 'security-headers-changed', before, after, fields };
}

/**
 * How a limit of one key changed: loosened when it admits more requests a second or a larger burst,
 * tightened when neither grows and one shrinks, nothing when both are the same (`60s` is `1m`). A
 * limit that loosens one and tightens the other is loosened: the gate errs towards asking. Rates are
 * compared as maxRate / every (krakend-ratelimit router/router.go, ConfigGetter), cross-multiplied so
 * that no rounding hides a difference.
 */
function limitChange(a: RateLimitView, b: RateLimitView): 'limit-loosened' | 'limit-tightened' | undefined {
  const msA = durationMs(a.every);
  const msB = durationMs(b.every);
  if (msA === undefined || msB === undefined)
    return a.maxRate === b.maxRate && a.capacity === b.capacity && a.every === b.every ? undefined : 'limit-loosened';
  const rate = Math.sign(b.maxRate * msA - a.maxRate * msB);
  const burst = Math.sign(b.capacity - a.capacity);
  if (rate > 0 || burst > 0) return 'limit-loosened';
  if (rate < 0 || burst < 0) return 'limit-tightened';
  return undefined;
}

function authValue(auth: AuthView | null): AuthValue | null {
  return auth && { policy: authName(auth), ...jwtOf(auth), claims: auth.claims };
}

/** The keys whose values differ between two maps of canonical JSON, sorted. */
function differingKeys(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]).sort(compareText);
}

/** Endpoint changes grouped into routes, one Change per method, in report order. */
function finishChanges(gateway: string, found: readonly EndpointChange[]): Change[] {
  const rank = (c: ChangeClass) => CHANGE_CLASSES.indexOf(c);
  const groups = collapse(found, (c) => c.key).sort((x, y) => compareRoutes(x, y) || rank(x.items[0].change) - rank(y.items[0].change));
  return groups.flatMap((g) => {
    const [before, after] = values(g);
    const extra = g.items[0].fields ? { fields: g.items[0].fields } : {};
    return g.methods.map((method) => ({
      gateway,
      method,
      path: g.pattern,
      endpoints: g.items.filter((i) => i.method === method).map((i) => i.path),
      change: g.items[0].change,
      before,
      after,
      ...extra,
    }));
  });
}

/** The values before and after of a route's change, made from its first endpoint: the others read the same. */
function values(g: RouteGroup<EndpointChange>): [Change['before'], Change['after']] {
  const { change, before: o, after: n, limit, header } = g.items[0];
  const backendPath = (e: ServedEndpoint) => (e.backend.location === 'broker' ? '' : joinPath(e.backend.urlBase, g.suffix));
  switch (change) {
    case 'added':
      return [null, policyOf(n!, backendPath(n!))];
    case 'removed':
      return [policyOf(o!, backendPath(o!)), null];
    case 'auth-added':
    case 'auth-removed':
    case 'auth-changed':
      return [authValue(o!.auth), authValue(n!.auth)];
    case 'backend-changed': {
      const value = (e: ServedEndpoint): BackendValue => ({
        url: `${e.backend.origin}${backendPath(e)}`,
        location: e.backend.location,
        ...(e.merged.length > 0 ? { mergedWith: e.merged } : {}),
      });
      return [value(o!), value(n!)];
    }
    case 'stream-changed':
      return [o!.stream, n!.stream];
    case 'headers-changed':
      return [{ forwarded: sortedHeaders(o!.forwarded) }, { forwarded: sortedHeaders(n!.forwarded) }];
    case 'secret-header-added':
    case 'secret-header-removed':
      return [byName(o!.headerRules.set).get(header!) ?? null, byName(n!.headerRules.set).get(header!) ?? null];
    case 'request-headers-changed':
      return requestHeaders(o!, n!);
    case 'response-headers-changed':
      return [{ removed: o!.headerRules.removedResponse }, { removed: n!.headerRules.removedResponse }];
    default:
      return [o!.rateLimits.find((l) => l.key === limit) ?? null, n!.rateLimits.find((l) => l.key === limit) ?? null];
  }
}

function sortedHeaders(headers: readonly string[]): string[] {
  return [...headers].sort((x, y) => compareText(x.toLowerCase(), y.toLowerCase()));
}

function finishOthers(gateway: string, found: readonly EndpointOther[]): OtherChange[] {
  return collapse(found, (c) => c.settings.join('\n')).flatMap((g) =>
    g.methods.map((method) => ({
      gateway,
      method,
      path: g.pattern,
      endpoints: g.items.filter((i) => i.method === method).map((i) => i.path),
      settings: g.items[0].settings,
    })),
  );
}

/** The classes of `changes`, with the derived ones, in the order of FAIL_CLASSES. */
function presentClasses(changes: readonly Change[], publicSecretAdded: boolean): FailClass[] {
  const present = new Set<FailClass>(changes.map((c) => c.change));
  if (publicSecretAdded) present.add('public-secret-added');
  for (const c of changes) {
    const after = c.after as Partial<AuditedPolicy & BackendValue> | null;
    const before = c.before as Partial<BackendValue> | null;
    if ((c.change === 'added' && after?.auth === null) || c.change === 'auth-removed') present.add('public-added');
    if (c.change === 'added' && after?.backendLocation === 'external') present.add('external-added');
    if (c.change === 'backend-changed' && after?.location === 'external' && before?.location !== 'external') present.add('external-added');
  }
  return FAIL_CLASSES.filter((c) => present.has(c));
}

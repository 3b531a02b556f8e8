// What KrakenD serves, read back from a rendered krakend.json: one record per endpoint (method and
// path) with the policy that applies to it. `audit` and `diff` work on these records only, so they
// report what KrakenD does with the config, not what the spec meant. Blocks this module does not
// model are kept as opaque "other settings", never refused: other renderers add blocks over time.
// The spec is read only for what krakend.json cannot say: the names of policies, which Secret key a
// header's environment variable holds (the Deployment's), whether a TLS Ingress is in front, and
// which routes the stream proxy serves (its nginx.conf, rendered from the same routes): their
// endpoints are read with the auth and limits of their check endpoint under STREAM_AUTH_PREFIX,
// which is what a streamed request passes, and the check endpoints themselves are not listed.
import { destinationOf } from '../grammar/destinations';
import { durationMs } from '../grammar/durations';
import { parseBackendUrl } from '../grammar/urls';
import { secretValueTemplate } from '../krakend/headers';
import { renderJwtValidator } from '../krakend/jwt';
import { renderRateLimit } from '../krakend/ratelimit';
import { resolveAuthPolicy, resolveRateLimit, resolveSharePods, resolveSpec } from '../resolve';
import { streamAuthPath } from '../krakend/stream-auth';
import { KrakendConfig } from '../krakend/types';
import { GatewaySpec, STREAM_AUTH_PREFIX } from '../spec';
import { canonical } from './canonical';

/**
 * Where a backend is: a cluster Service, somewhere else, a messaging broker (whose address the pods
 * read from their environment, never krakend.json), or a host this module cannot read.
 */
export type BackendLocation = 'in-cluster' | 'external' | 'broker' | 'unknown';

/** A backend as an endpoint reaches it, before its path is written out for a route (routes.ts). */
export interface BackendRef {
  /** `scheme://host[:port]`: KrakenD's `backend[0].host` (several hosts joined by a space). */
  readonly origin: string;
  /** The url_pattern without the endpoint's trailing parameters, e.g. `/api` for `/api/{p1}/{p2}`. */
  readonly urlBase: string;
  readonly location: BackendLocation;
}

/** A JWT validator as the review shows and compares it. */
export interface AuthView {
  /** The name of the spec's auth policy that renders this validator, when one does. */
  readonly policy: string | null;
  readonly issuer: string;
  /** Every audience a token must carry ([] checks none). */
  readonly audience: readonly string[];
  readonly jwksUrl: string;
  /** The claims set as headers: krakend-jose's `propagate_claims`. */
  readonly claims: ReadonlyArray<{ readonly claim: string; readonly header: string }>;
  /** Required roles (`roles`), when the validator checks any. */
  readonly roles?: readonly string[];
  /**
   * What makes two validators the same: every key of the block (names excluded, which KrakenD never
   * sees) and the CEL checks run on the token's claims, by key.
   */
  readonly fields: Readonly<Record<string, string>>;
}

/**
 * What a rate limit counts: each user (`X-User-Id`, set from the token), each client IP, each value of
 * another header or URL parameter, or all clients of the endpoint together.
 */
export type LimitKey = 'user' | 'ip' | 'global' | `header:${string}` | `param:${string}`;

/** One token bucket of an endpoint's `qos/ratelimit/router` block. */
export interface RateLimitView {
  /** The name of the spec's rate limit that renders this block, when one does. */
  readonly name: string | null;
  readonly key: LimitKey;
  readonly maxRate: number;
  /** The bucket's size: the burst admitted at once. */
  readonly capacity: number;
  /** The period of maxRate, as written (`1m`). */
  readonly every: string;
}

/**
 * The Secret key whose value a header carries: the spec's Secret and key, or, read without the spec,
 * the pod's environment variable that holds it. Never the value, which krakend.json does not hold.
 */
export type SecretRef = { readonly name: string; readonly key: string } | { readonly env: string };

/** A header the gateway sets on a backend request: a value written in krakend.json, or a Secret's. */
export type SetHeader = { readonly header: string; readonly value: string } | { readonly header: string; readonly secret: SecretRef };

/** What a backend's `modifier/martian` block does with headers, its modifiers applied in order. */
export interface HeaderRules {
  /** Set on the request, replacing a client's copy (`requestHeaders`, `secretHeaders`), by name. */
  readonly set: readonly SetHeader[];
  /** Deleted from the request: KrakenD's version, to a backend outside the cluster. */
  readonly removedRequest: readonly string[];
  /** Deleted from the backend's response (`removeResponseHeaders`, and hop-by-hop ones from outside the cluster). */
  readonly removedResponse: readonly string[];
}

/** The service's `security/http` block, as krakend-httpsecure reads it (httpsecure.go, ConfigGetter). */
export interface SecurityHeadersView {
  /** Strict-Transport-Security's max-age (`sts_seconds`); 0 sends none. */
  readonly hstsMaxAge: number;
  readonly hstsIncludeSubdomains: boolean;
  readonly contentTypeNosniff: boolean;
  readonly frameDeny: boolean;
  /** `Referrer-Policy`, or null when the block sends none. */
  readonly referrerPolicy: string | null;
  /** Every key of the block as canonical JSON: what makes two blocks the same. */
  readonly fields: Readonly<Record<string, string>>;
}

/** One endpoint of krakend.json: a method and a path, and what KrakenD does with a request to it. */
export interface ServedEndpoint {
  readonly method: string;
  /** The KrakenD endpoint, e.g. `/v1/chat/{p2}`. */
  readonly path: string;
  /** The method and path with parameter names left out: gin routes `/a/{x}` and `/a/{y}` alike. */
  readonly key: string;
  /** The path without its trailing parameters: the route's prefix, for an expanded prefix. */
  readonly base: string;
  /** The trailing parameters: how many segments below `base` the endpoint serves. */
  readonly depth: number;
  readonly backend: BackendRef;
  /** The backend URL of this endpoint: origin and url_pattern. */
  readonly url: string;
  /**
   * The other backends of a composed endpoint, whose answers lura merges with the first's: each URL
   * (origin and url_pattern) and where it is. Empty for an endpoint of one backend.
   */
  readonly merged: ReadonlyArray<{ readonly url: string; readonly location: BackendLocation }>;
  readonly auth: AuthView | null;
  readonly rateLimits: readonly RateLimitView[];
  /** Headers the gateway sets from the token's claims and the backend gets (listed in input_headers). */
  readonly identity: ReadonlyArray<{ readonly header: string; readonly claim: string }>;
  /** The client's headers the backend gets: input_headers without the identity headers. */
  readonly forwarded: readonly string[];
  /** The headers the backend's martian block sets and deletes. */
  readonly headerRules: HeaderRules;
  /**
   * How a streaming route's requests are served: by the stream proxy (nginx), unbuffered, after
   * KrakenD's check, and closed after `idleTimeout` without a byte from the backend; null when KrakenD serves them.
   */
  readonly stream: StreamView | null;
  /** The settings this module does not model, by name (`timeout`, `extra_config.<key>`), as canonical JSON. */
  readonly other: Readonly<Record<string, string>>;
  /**
   * Texts that are equal when the parts are: the validator and its claim checks, the rate-limit block,
   * the client headers (lower case, sorted), the header rules, the other settings, and all of these
   * with the backend (`policy`, made of KeyNumbers). Comparing and grouping by them keeps a review
   * of thousands of endpoints fast.
   */
  readonly keys: {
    readonly auth: string;
    readonly limits: string;
    readonly headers: string;
    readonly rules: string;
    readonly other: string;
    readonly policy: string;
  };
}

/** A streaming route as the stream proxy serves it. */
export interface StreamView {
  /** How long the backend may stay silent before the stream is closed (`5m`). */
  readonly idleTimeout: string;
}

/** A rendered Gateway: its id, its config and the spec it came from (for policy names only). */
export interface RenderedGateway {
  /** `namespace/name`, or `name` without a namespace. */
  readonly id: string;
  /** Where it was read from (`gateways/edge.yaml`, `FILE#2`). */
  readonly location: string;
  readonly config: KrakendConfig;
  /** Used only to name the policies of the rendered blocks; what is served is read from `config`. */
  readonly spec?: GatewaySpec;
}

/** A Gateway's endpoints and its service-level settings. */
export interface ServedGateway {
  readonly id: string;
  readonly location: string;
  readonly endpoints: readonly ServedEndpoint[];
  /** The security headers of every response, or null when the config sends none. */
  readonly securityHeaders: SecurityHeadersView | null;
  /** Whether the spec renders an Ingress with TLS in front of the gateway; null without the spec. */
  readonly tlsIngress: boolean | null;
  /** Service-level settings (everything but `endpoints`, `name` and the security headers), by key, as canonical JSON. */
  readonly service: Readonly<Record<string, string>>;
}

const AUTH = 'auth/validator';
const RATE_LIMIT = 'qos/ratelimit/router';
const CEL = 'validation/cel';
const MARTIAN = 'modifier/martian';
const SECURITY_HTTP = 'security/http';
/** The endpoint keys read into the record; any other key is an "other setting". */
const MODELED_ENDPOINT_KEYS = new Set(['endpoint', 'method', 'input_headers', 'backend', 'extra_config']);
const TRAILING_PARAMS = /(?:\/\{[^/{}]+\})+$/;
/** The paths of the stream proxy's check endpoints, one per streaming route (lib/krakend/stream-auth.ts). */
const STREAM_CHECKS = `${STREAM_AUTH_PREFIX}/`;

/** The check endpoint and the stream of the streaming route that serves a method and base path, if one does. */
type StreamLookup = (method: string, base: string) => { check: Record<string, unknown>; view: StreamView } | undefined;

/**
 * Short numbers for key texts, shared by the Gateways compared with each other: the same text gets
 * the same number in every one of them.
 */
export class KeyNumbers {
  private readonly numbers = new Map<string, number>();

  of(text: string): number {
    let found = this.numbers.get(text);
    if (found === undefined) this.numbers.set(text, (found = this.numbers.size));
    return found;
  }
}

/** Reads a rendered Gateway's endpoints; `numbers` must be shared by Gateways whose keys are compared. */
export function servedGateway(gateway: RenderedGateway, numbers = new KeyNumbers()): ServedGateway {
  const resolved = gateway.spec && resolveSpec(gateway.spec);
  const secrets = resolved && new Map(resolved.secretEnvVars.map((v) => [v.env, { name: v.secret.name, key: v.secret.key }]));
  const streams = new Map<string, { checkPath: string; view: StreamView }>();
  resolved?.routes.forEach((route, i) => {
    const view = route.streamTimeout && { idleTimeout: route.streamTimeout.text };
    if (view) for (const method of route.methods) streams.set(`${method} ${route.prefix}`, { checkPath: streamAuthPath(i), view });
  });
  const list = Array.isArray(gateway.config.endpoints) ? (gateway.config.endpoints as unknown[]).map(record) : [];
  const checks = new Map(list.filter((e) => String(e.endpoint).startsWith(STREAM_CHECKS)).map((e) => [String(e.endpoint), e]));
  const reader = new Reader(gateway.spec, secrets, numbers, (method, base) => {
    const found = streams.get(`${method} ${base}`);
    const check = found && checks.get(found.checkPath);
    return check && { check, view: found.view };
  });
  const { endpoints: _endpoints, name: _name, extra_config: extra, ...rest } = gateway.config as unknown as Record<string, unknown>;
  const service: Record<string, string> = {};
  for (const [k, v] of Object.entries(rest)) service[k] = canonical(v);
  const { [SECURITY_HTTP]: security, ...otherExtra } = record(extra);
  for (const [k, v] of Object.entries(otherExtra)) service[`extra_config.${k}`] = canonical(v);
  const checked = new Set([...streams.values()].map((s) => s.checkPath));
  return {
    id: gateway.id,
    location: gateway.location,
    endpoints: list.filter((e) => !checked.has(String(e.endpoint))).map((e) => reader.endpoint(e)),
    securityHeaders: security === undefined ? null : securityHeadersView(record(security)),
    tlsIngress: resolved === undefined ? null : resolved.ingress?.tls !== undefined,
    service,
  };
}

/**
 * Reads the endpoints of one config. The renderer writes one route's blocks as shared objects, and
 * the endpoints of a route hold equal ones: each block is read once (by identity, then by content)
 * and its view shared, so that thousands of endpoints cost little more than their routes.
 */
class Reader {
  private readonly names: PolicyNames;
  private readonly texts = new WeakMap<object, string>();
  /** Views of validators, by the block, then by its claim checks. */
  private readonly auths = new WeakMap<object, Map<string, Keyed<AuthView>>>();
  /** Views of rate-limit blocks, by the block, then by whether the endpoint is authenticated. */
  private readonly limits = new WeakMap<object, Map<boolean, Keyed<readonly RateLimitView[]>>>();
  /** A backend's hosts, by the list. */
  private readonly hosts = new WeakMap<object, Keyed<{ origin: string; location: BackendLocation }>>();
  /** What an endpoint's input_headers give under a validator (or none): by the list, then by the validator's view. */
  private readonly headers = new WeakMap<object, Map<AuthView | null, Keyed<Headers>>>();
  /** The header rules of a martian block, or null for a block with a modifier they do not model. */
  private readonly martians = new WeakMap<object, Keyed<HeaderRules> | null>();

  constructor(
    spec: GatewaySpec | undefined,
    /** The Secret key of each environment variable, by its name; undefined without the spec. */
    private readonly secrets: ReadonlyMap<string, SecretRef> | undefined,
    private readonly numbers: KeyNumbers,
    private readonly streamOf: StreamLookup,
  ) {
    this.names = new PolicyNames(spec);
  }

  /** canonical(), once per object; arrays (small lists, made anew for each endpoint) each time. */
  private text(value: unknown): string {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return canonical(value);
    let found = this.texts.get(value);
    if (found === undefined) this.texts.set(value, (found = canonical(value)));
    return found;
  }

  endpoint(e: Record<string, unknown>): ServedEndpoint {
    const path = String(e.endpoint);
    // Absent means GET (lura config.go, initEndpointDefaults).
    const method = typeof e.method === 'string' ? e.method.toUpperCase() : 'GET';
    const trailing = TRAILING_PARAMS.exec(path)?.[0] ?? '';
    const base = path.slice(0, path.length - trailing.length) || '/';
    const params = trailing === '' ? [] : trailing.slice(2, -1).split('}/{');
    const other: Record<string, string> = {};
    for (const k in e) if (!MODELED_ENDPOINT_KEYS.has(k)) other[k] = this.text(e[k]);

    const backends = Array.isArray(e.backend) ? e.backend : [];
    const first = record(backends[0]);
    const backendExtra = record(first.extra_config);
    // A messaging backend (lib/krakend/messaging.ts): its topic is where it goes, and url_pattern is unused.
    const topic = pubsubTopic(first, backendExtra);
    const urlPattern = topic === undefined && typeof first.url_pattern === 'string' ? first.url_pattern : '';
    const modeled = (k: string) =>
      k === 'host' || k === 'url_pattern' || k === 'extra_config' || (topic !== undefined && k === 'disable_host_sanitize');
    for (const k in first) if (!modeled(k)) other[`backend.${k}`] = this.text(first[k]);
    const rules = backendExtra[MARTIAN] === undefined ? NO_RULES : this.martian(backendExtra[MARTIAN]);
    for (const k in backendExtra)
      if ((k !== MARTIAN || rules === null) && (topic === undefined || !PUBSUB.includes(k)))
        other[`backend.extra_config.${k}`] = this.text(backendExtra[k]);
    const headerRules = rules ?? NO_RULES;
    if (backends.length > 1) other['backend[1:]'] = canonical(backends.slice(1));
    const merged = backends.slice(1).map((b) => {
      const r = record(b);
      const h = this.host(Array.isArray(r.host) ? r.host : []).value;
      return { url: `${h.origin}${typeof r.url_pattern === 'string' ? r.url_pattern : ''}`, location: h.location };
    });
    const host =
      topic === undefined
        ? this.host(Array.isArray(first.host) ? first.host : [])
        : this.keyed(`${topic}\nbroker`, { origin: topic, location: 'broker' as BackendLocation });

    const extra = record(e.extra_config);
    // A streamed request passes its route's check endpoint, not this one: its blocks are what apply.
    const stream = this.streamOf(method, base);
    const policyExtra = stream ? record(stream.check.extra_config) : extra;
    // krakend-cel evaluates a check whose expression holds `JWT` on the token's claims, after the
    // signature, issuer and audience checks (krakend-cel internal/cel.go, parseByKey; lib/krakend/cel.ts):
    // those belong to the auth policy. The others are the renderer's path checks, derived from the
    // protected routes beside the endpoint: a change to them follows from a change to those routes.
    const claimChecks: string[] = [];
    if (Array.isArray(policyExtra[CEL])) {
      for (const c of policyExtra[CEL]) {
        const expr = String(record(c).check_expr);
        if (expr.includes('JWT')) claimChecks.push(expr);
      }
    }
    for (const k in extra) if (k !== AUTH && k !== RATE_LIMIT && k !== CEL) other[`extra_config.${k}`] = this.text(extra[k]);

    const validator = policyExtra[AUTH] === undefined ? undefined : record(policyExtra[AUTH]);
    const auth = validator === undefined ? PUBLIC : this.auth(validator, claimChecks);
    const limitBlock = policyExtra[RATE_LIMIT] === undefined ? undefined : record(policyExtra[RATE_LIMIT]);
    const limits = limitBlock === undefined ? NO_LIMIT : this.rateLimits(limitBlock, auth !== PUBLIC);
    const headers = this.inputHeaders(Array.isArray(e.input_headers) ? e.input_headers : [], auth.value);
    const urlBase = urlBaseOf(urlPattern, params);
    const otherKeys = Object.keys(other);
    const otherKey = otherKeys.length === 1 ? `${otherKeys[0]}=${other[otherKeys[0]]}` : canonical(other);
    const policy =
      `${auth.number} ${limits.number} ${headers.number} ${headerRules.number} ${host.number} ` +
      `${this.numbers.of(otherKey)} ${this.numbers.of(urlBase)} ${stream?.view.idleTimeout ?? '-'}`;
    return {
      method,
      path,
      key: `${method} ${path.replace(/\{[^/{}]*\}/g, '{}')}`,
      base,
      depth: params.length,
      backend: { origin: host.value.origin, urlBase, location: host.value.location },
      url: `${host.value.origin}${urlPattern}`,
      merged,
      auth: auth.value,
      rateLimits: limits.value,
      identity: headers.value.identity,
      forwarded: headers.value.forwarded,
      headerRules: headerRules.value,
      stream: stream?.view ?? null,
      other,
      keys: { auth: auth.key, limits: limits.key, headers: headers.value.key, rules: headerRules.key, other: otherKey, policy },
    };
  }

  /** `value` with its key text and the key's number. */
  private keyed<T>(key: string, value: T): Keyed<T> {
    return { key, number: this.numbers.of(key), value };
  }

  private auth(block: Record<string, unknown>, claimChecks: string[]): Keyed<AuthView> {
    let byChecks = this.auths.get(block);
    if (byChecks === undefined) this.auths.set(block, (byChecks = new Map()));
    const checks = claimChecks.length === 1 ? claimChecks[0] : claimChecks.sort().join('\n');
    let found = byChecks.get(checks);
    if (found === undefined) byChecks.set(checks, (found = this.keyed(`${this.text(block)}\n${checks}`, authView(block, claimChecks, this.names))));
    return found;
  }

  private rateLimits(block: Record<string, unknown>, authenticated: boolean): Keyed<readonly RateLimitView[]> {
    let byAuth = this.limits.get(block);
    if (byAuth === undefined) this.limits.set(block, (byAuth = new Map()));
    let found = byAuth.get(authenticated);
    if (found === undefined) {
      byAuth.set(
        authenticated,
        (found = this.keyed(`${authenticated} ${this.text(block)}`, rateLimitViews(block, this.names.rateLimit(block, authenticated)))),
      );
    }
    return found;
  }

  private host(list: readonly unknown[]): Keyed<{ origin: string; location: BackendLocation }> {
    let found = this.hosts.get(list);
    if (found === undefined) {
      const hosts = list.map(String);
      const origin = hosts.join(' ');
      const location = locationOf(hosts);
      this.hosts.set(list, (found = this.keyed(`${origin}\n${location}`, { origin, location })));
    }
    return found;
  }

  private martian(block: unknown): Keyed<HeaderRules> | null {
    if (typeof block !== 'object' || block === null) return null;
    let found = this.martians.get(block);
    if (found === undefined) {
      const rules = headerRulesOf(block, this.secrets);
      this.martians.set(block, (found = rules && this.keyed(canonical(rules), rules)));
    }
    return found;
  }

  private inputHeaders(list: readonly unknown[], auth: AuthView | null): Keyed<Headers> {
    let byAuth = this.headers.get(list);
    if (byAuth === undefined) this.headers.set(list, (byAuth = new Map()));
    let found = byAuth.get(auth);
    if (found === undefined) {
      const headers = headersOf(list.map(String), auth);
      byAuth.set(auth, (found = this.keyed(`${headers.key}\n${headers.identityKey}`, headers)));
    }
    return found;
  }
}

/** A view with its key text (equal for equal views) and that text's KeyNumbers number. */
interface Keyed<T> {
  readonly key: string;
  readonly number: number;
  readonly value: T;
}

const PUBLIC: Keyed<null> = { key: 'public', number: -1, value: null };
const NO_LIMIT: Keyed<readonly RateLimitView[]> = { key: 'none', number: -2, value: [] };
const NO_RULES: Keyed<HeaderRules> = { key: 'none', number: -3, value: { set: [], removedRequest: [], removedResponse: [] } };

/** What a Secret's value is in krakend.json, around the environment variable's name (lib/krakend/headers.ts). */
const [SECRET_HEAD, SECRET_TAIL] = secretValueTemplate('\u0000').split('\u0000');
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The header rules of a martian block (google/martian header/header_modifier.go, header/header_blacklist.go,
 * fifo/fifo_group.go), applied in order as martian runs them: a later modifier of a name replaces or
 * deletes what an earlier one did. The result is listed by name (lower case). A modifier runs on the scopes it names, within those of its group;
 * martian reads a missing scope as both. Null when the block holds anything else: it is then an
 * other setting, shown whole.
 */
function headerRulesOf(block: object, secrets: ReadonlyMap<string, SecretRef> | undefined): HeaderRules | null {
  const set = new Map<string, SetHeader>();
  const removedRequest = new Map<string, string>();
  const removedResponse = new Map<string, string>();
  const apply = (modifier: unknown, within: readonly string[]): boolean => {
    const entries = Object.entries(record(modifier));
    if (entries.length !== 1) return false;
    const [kind, value] = entries[0];
    const body = record(value);
    const named = Array.isArray(body.scope) ? body.scope : ['request', 'response'];
    const scope = within.filter((s) => named.includes(s));
    if (kind === 'fifo.Group') return Array.isArray(body.modifiers) && body.modifiers.every((m) => apply(m, scope));
    if (kind === 'header.Modifier') {
      // A response header set by the gateway is not something this library renders.
      if (typeof body.name !== 'string' || typeof body.value !== 'string' || scope.includes('response')) return false;
      if (scope.includes('request')) {
        set.set(body.name.toLowerCase(), setHeaderOf(body.name, body.value, secrets));
        removedRequest.delete(body.name.toLowerCase());
      }
      return true;
    }
    if (kind === 'header.Blacklist') {
      if (!Array.isArray(body.names) || !body.names.every((n) => typeof n === 'string')) return false;
      for (const n of body.names as string[]) {
        if (scope.includes('request')) {
          set.delete(n.toLowerCase());
          removedRequest.set(n.toLowerCase(), n);
        }
        if (scope.includes('response')) removedResponse.set(n.toLowerCase(), n);
      }
      return true;
    }
    return false;
  };
  if (!apply(block, ['request', 'response'])) return null;
  // By name: headers of different names do not depend on their order.
  const byName = <T>(map: Map<string, T>) => [...map.keys()].sort().map((k) => map.get(k)!);
  return { set: byName(set), removedRequest: byName(removedRequest), removedResponse: byName(removedResponse) };
}

/**
 * A set header: a Secret's when its value is the template of one (lib/krakend/headers.ts). With the
 * spec, only for a variable the spec gives the pod: KrakenD runs templates only when the Deployment
 * sets FC_ENABLE, as it does for those, and otherwise sends the text as it is.
 */
function setHeaderOf(header: string, value: string, secrets: ReadonlyMap<string, SecretRef> | undefined): SetHeader {
  if (value.startsWith(SECRET_HEAD) && value.endsWith(SECRET_TAIL)) {
    const env = value.slice(SECRET_HEAD.length, value.length - SECRET_TAIL.length);
    const secret = secrets === undefined ? (ENV_NAME.test(env) ? { env } : undefined) : secrets.get(env);
    if (secret !== undefined) return { header, secret };
  }
  return { header, value };
}

/** The `security/http` block's headers, with krakend-httpsecure's defaults for what it leaves out (none sent). */
function securityHeadersView(block: Record<string, unknown>): SecurityHeadersView {
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(block)) fields[k] = canonical(v);
  return {
    hstsMaxAge: numberOr(block.sts_seconds, 0),
    hstsIncludeSubdomains: block.sts_include_subdomains === true,
    contentTypeNosniff: block.content_type_nosniff === true,
    frameDeny: block.frame_deny === true,
    referrerPolicy: typeof block.referrer_policy === 'string' && block.referrer_policy !== '' ? block.referrer_policy : null,
    fields,
  };
}

/** The headers a backend gets: set by the gateway from claims (identity), and the client's. */
interface Headers {
  readonly identity: ReadonlyArray<{ readonly header: string; readonly claim: string }>;
  readonly forwarded: readonly string[];
  /** The forwarded headers in lower case, sorted: equal for the same set. */
  readonly key: string;
  readonly identityKey: string;
}

/**
 * Identity headers are the claims krakend-jose propagates that input_headers lists: it sets them on
 * the request, and only listed headers reach the backend (docs/design.md, "Propagated claims replace
 * client copies"). The other listed headers are the client's.
 */
function headersOf(inputHeaders: readonly string[], auth: AuthView | null): Headers {
  const listed = new Set(inputHeaders.map((h) => h.toLowerCase()));
  const identity = (auth?.claims ?? []).filter((c) => listed.has(c.header.toLowerCase())).map(({ header, claim }) => ({ header, claim }));
  const identityHeaders = new Set(identity.map((i) => i.header.toLowerCase()));
  const forwarded = inputHeaders.filter((h) => !identityHeaders.has(h.toLowerCase()));
  return {
    identity,
    forwarded,
    key: forwarded
      .map((h) => h.toLowerCase())
      .sort()
      .join(','),
    identityKey: identity.map((i) => `${i.header}=${i.claim}`).join(','),
  };
}

/**
 * The url_pattern without the endpoint's own trailing parameters, in order, so that the endpoints of
 * one route share it (`/api/{p1}/{p2}` of `/auth/{p1}/{p2}` → `/api`). A pattern that does not end
 * with them (some other renderer's shape) is kept whole: its endpoint then stands alone.
 */
function urlBaseOf(urlPattern: string, params: readonly string[]): string {
  const tail = params.map((p) => `/{${p}}`).join('');
  const base = tail !== '' && urlPattern.endsWith(tail) ? urlPattern.slice(0, -tail.length) : urlPattern;
  // lib/krakend/paths.ts writes `/` for an empty pattern: `` and `/` are the same backend path.
  return base === '' ? '/' : base;
}

// krakend-pubsub's namespaces (client.go, through krakend-ce's aliases in cmd/krakend-ce/main.go).
const PUBSUB = ['backend/pubsub/publisher', 'backend/pubsub/subscriber'];

/**
 * A pubsub backend's topic as the driver opens it, `host[0]` followed by its topic or subscription
 * URL (`nats://orders.created?natsv2=true`); undefined for any other backend.
 */
function pubsubTopic(backend: Record<string, unknown>, extra: Record<string, unknown>): string | undefined {
  const publisher = record(extra[PUBSUB[0]]).topic_url;
  const subscriber = record(extra[PUBSUB[1]]).subscription_url;
  const url = typeof publisher === 'string' ? publisher : typeof subscriber === 'string' ? subscriber : undefined;
  const host = Array.isArray(backend.host) && typeof backend.host[0] === 'string' ? backend.host[0] : undefined;
  return url === undefined || host === undefined ? undefined : `${host}${url}`;
}

function locationOf(hosts: readonly string[]): BackendLocation {
  const where = hosts.map((h) => {
    const url = parseBackendUrl(h).value;
    return url === undefined ? 'unknown' : destinationOf(url).inCluster ? 'in-cluster' : 'external';
  });
  if (where.length === 0 || where.includes('unknown')) return 'unknown';
  return where.includes('external') ? 'external' : 'in-cluster';
}

function authView(block: Record<string, unknown>, claimChecks: readonly string[], names: PolicyNames): AuthView {
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(block)) fields[k] = canonical(v);
  if (claimChecks.length > 0) fields['claim checks'] = canonical(claimChecks);
  const pairs = Array.isArray(block.propagate_claims) ? block.propagate_claims : [];
  return {
    policy: names.authPolicy(block),
    issuer: String(block.issuer ?? ''),
    audience: Array.isArray(block.audience) ? block.audience.map(String) : [],
    jwksUrl: String(block.jwk_url ?? ''),
    claims: pairs.filter(Array.isArray).map((p) => ({ claim: String(p[0]), header: String(p[1]) })),
    ...(Array.isArray(block.roles) ? { roles: block.roles.map(String) } : {}),
    fields,
  };
}

/**
 * The buckets of a `qos/ratelimit/router` block, as krakend-ratelimit applies them
 * (router/gin/gin.go, RateLimiterWrapperFromCfg): one for all clients of the endpoint when `max_rate`
 * is above 0, one per client when `client_max_rate` is above 0 and the strategy is one it knows;
 * with another strategy it logs a warning and applies no per-client limit (docs/design.md,
 * "Strategies, and a per-client limit silently disabled").
 */
function rateLimitViews(block: Record<string, unknown>, name: string | null): RateLimitView[] {
  // An unset period is a second (krakend-ratelimit router/router.go, ConfigGetter).
  const every = typeof block.every === 'string' ? block.every : '1s';
  const maxRate = numberOr(block.max_rate, 0);
  const clientMaxRate = numberOr(block.client_max_rate, 0);
  const out: RateLimitView[] = [];
  const key = clientKeyOf(block);
  if (clientMaxRate > 0 && key !== undefined) {
    out.push({
      name,
      key,
      maxRate: clientMaxRate,
      capacity: numberOr(block.client_capacity, clientCapacityFallback(maxRate, clientMaxRate, every)),
      every,
    });
  }
  // An unset capacity is max_rate (krakend-ratelimit router/gin/gin.go, NewEndpointRateLimiterMw).
  if (maxRate > 0) out.push({ name, key: 'global', maxRate, capacity: numberOr(block.capacity, maxRate), every });
  return out;
}

/** What the per-client bucket counts, or undefined for a strategy krakend-ratelimit does not know. */
function clientKeyOf(block: Record<string, unknown>): LimitKey | undefined {
  if (block.strategy === 'ip') return 'ip';
  if (typeof block.key !== 'string') return undefined;
  // X-User-Id is the user where the validator sets it; validation refuses a user limit elsewhere (docs/krakend-json.md).
  if (block.strategy === 'header') return block.key.toLowerCase() === 'x-user-id' ? 'user' : `header:${block.key}`;
  return block.strategy === 'param' ? `param:${block.key}` : undefined;
}

/**
 * krakend-ratelimit v3.3.0's `client_capacity` when unset (router/gin/gin.go, applyClientRateLimit):
 * 1 when the endpoint-wide rate is below one a second, else the per-second client rate rounded down.
 */
function clientCapacityFallback(maxRate: number, clientMaxRate: number, every: string): number {
  const seconds = (durationMs(every) ?? 1000) / 1000;
  return maxRate / seconds < 1 ? 1 : Math.floor(clientMaxRate / seconds);
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/**
 * The spec's names of rendered blocks: the auth policy or rate limit whose rendering equals a block.
 * Names are for the reader only. KrakenD never sees them, so two policies of the same content are the
 * same to the review, and the first of them names the block.
 */
class PolicyNames {
  private readonly auth = new Map<string, string>();
  private readonly limits = new Map<string, string>();

  constructor(spec: GatewaySpec | undefined) {
    for (const policy of spec?.authPolicies ?? []) {
      const key = canonical(renderJwtValidator(resolveAuthPolicy(policy)));
      if (!this.auth.has(key)) this.auth.set(key, policy.name);
    }
    const pods = resolveSharePods(spec?.replicas, spec?.autoscaling);
    for (const limit of spec?.rateLimits ?? []) {
      for (const authenticated of [true, false]) {
        const key = `${authenticated} ${canonical(renderRateLimit(resolveRateLimit(limit, authenticated, pods)))}`;
        if (!this.limits.has(key)) this.limits.set(key, limit.name);
      }
    }
  }

  authPolicy(block: Record<string, unknown>): string | null {
    return this.auth.get(canonical(block)) ?? null;
  }

  rateLimit(block: Record<string, unknown>, authenticated: boolean): string | null {
    return this.limits.get(`${authenticated} ${canonical(block)}`) ?? null;
  }
}

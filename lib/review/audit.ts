// `hanzo-gateway audit`: every method and path a Gateway's krakend.json serves, with its backend, auth
// policy, identity headers, rate limits, forwarded, set and deleted headers, the security headers,
// and warnings for risky shapes. Read from the rendered config (served.ts), so it shows what KrakenD
// does, not what the spec meant.
import { backendServerName, mayBeSameServer, pathSegments, serverLabel } from '../grammar/backend-paths';
import { parseBackendUrl } from '../grammar/urls';
import { RouteGroup, collapse, compareText, joinPath } from './routes';
import {
  AuthView,
  BackendLocation,
  RateLimitView,
  RenderedGateway,
  SecretRef,
  SecurityHeadersView,
  ServedEndpoint,
  SetHeader,
  StreamView,
  servedGateway,
} from './served';
import { KrakendConfig } from '../krakend/types';

/** The version of the JSON shapes of `audit --json` and `diff --json`; raised on any incompatible change. */
export const REVIEW_JSON_VERSION = 1;

/** A JWT validator as the audit reports it. */
export interface AuditedJwt {
  readonly issuer: string;
  readonly audience: readonly string[];
  readonly jwksUrl: string;
  readonly roles?: readonly string[];
}

/** What applies to a request of one method and path (shared by an endpoint and a route). */
export interface AuditedPolicy {
  /** The backend URL reached, with the endpoint's parameters (`http://chat.hanzo.svc:80/v1/chat/{p2}`) or the route's pattern. */
  readonly backend: string;
  readonly backendLocation: BackendLocation;
  /** On a composed route, the other backends whose answers are merged with this one's (absent otherwise). */
  readonly mergedWith?: ReadonlyArray<{ readonly url: string; readonly location: BackendLocation }>;
  /** The auth policy's name, `jwt` for a validator no policy of the spec renders, or null for a public endpoint. */
  readonly auth: string | null;
  readonly jwt: AuditedJwt | null;
  /** Headers the gateway sets from the token's claims, replacing a client's copy. */
  readonly identityHeaders: ReadonlyArray<{ readonly header: string; readonly claim: string }>;
  readonly rateLimits: readonly RateLimitView[];
  readonly forwardsAuthorization: boolean;
  /** The client's headers the backend gets (identity headers excluded). */
  readonly forwardedHeaders: readonly string[];
  /** Headers the gateway sets on the backend request, by name: a value written in krakend.json, or a Secret's (never its value). */
  readonly setHeaders: readonly SetHeader[];
  /** Behind a validator, the backend gets a set Authorization in place of the client's token (`overrideAuthorization`). */
  readonly overridesAuthorization: boolean;
  /** Request headers deleted before the backend gets the request. */
  readonly removedRequestHeaders: readonly string[];
  /** Headers deleted from the backend's responses before the client gets them. */
  readonly removedResponseHeaders: readonly string[];
  /** A streaming route's: served unbuffered by the stream proxy after KrakenD's check; null when KrakenD serves it. */
  readonly stream: StreamView | null;
}

/** The security headers of every response, as `security/http` sends them. */
export type AuditedSecurityHeaders = Omit<SecurityHeadersView, 'fields'>;

/** One KrakenD endpoint. */
export interface AuditedEndpoint extends AuditedPolicy {
  readonly method: string;
  /** The KrakenD endpoint path, e.g. `/v1/chat/{p2}`. */
  readonly path: string;
  /** The route the endpoint belongs to, as `routes[].path` writes it (`/v1/chat/**`). */
  readonly route: string;
}

/** Endpoints of one path pattern that share their policy, over one or more methods. */
export interface AuditedRoute extends AuditedPolicy {
  readonly path: string;
  readonly methods: readonly string[];
  /** The backend's `scheme://host[:port]`, by which the human output groups routes. */
  readonly origin: string;
  readonly endpoints: number;
}

/** The risky shapes the audit points out. */
export type WarningCode =
  | 'public-parent-of-protected'
  | 'public-external-backend'
  | 'jwt-without-limit'
  | 'authorization-to-external'
  | 'plain-http-external'
  | 'insecure-jwks'
  | 'public-secret-header'
  | 'static-authorization'
  | 'security-headers-off'
  | 'cors-any-origin'
  | 'debug-logging'
  | 'trace-every-request';

export interface AuditWarning {
  readonly code: WarningCode;
  /** The route it is about, as `routes[].path`; null for the whole Gateway (its methods then []). */
  readonly path: string | null;
  readonly methods: readonly string[];
  readonly message: string;
}

export interface GatewayAudit {
  /** `namespace/name`, or `name` without a namespace. */
  readonly gateway: string;
  readonly source: string;
  /** The security headers of every response, or null when off. */
  readonly securityHeaders: AuditedSecurityHeaders | null;
  readonly endpoints: readonly AuditedEndpoint[];
  readonly routes: readonly AuditedRoute[];
  readonly warnings: readonly AuditWarning[];
}

/** What `audit --json` prints. */
export interface AuditReport {
  readonly version: typeof REVIEW_JSON_VERSION;
  readonly gateways: readonly GatewayAudit[];
}

/** The audit of rendered Gateways, in the order given. */
export function auditGateways(gateways: readonly RenderedGateway[]): AuditReport {
  return { version: REVIEW_JSON_VERSION, gateways: gateways.map(auditGateway) };
}

function auditGateway(gateway: RenderedGateway): GatewayAudit {
  const served = servedGateway(gateway);
  const groups = collapse(served.endpoints, routeKey);
  const routeOf = new Map<ServedEndpoint, string>();
  for (const g of groups) for (const e of g.items) routeOf.set(e, g.pattern);
  const routes = groups.map((g) => ({
    path: g.pattern,
    methods: g.methods,
    origin: g.items[0].backend.origin,
    endpoints: g.items.length,
    ...policyOf(g.items[0], joinPath(g.items[0].backend.urlBase, g.suffix)),
  }));
  const security = served.securityHeaders;
  const warnings = [...serviceWarnings(gateway.config), ...warningsOf(routes, groups)];
  // krakend.json cannot say what is in front of it: the spec's TLS Ingress is why these headers matter.
  if (security === null && served.tlsIngress === true) {
    warnings.unshift({
      code: 'security-headers-off',
      path: null,
      methods: [],
      message: 'security headers off behind a TLS Ingress: browsers get no HSTS, nosniff, X-Frame-Options or Referrer-Policy from the gateway',
    });
  }
  return {
    gateway: served.id,
    source: served.location,
    securityHeaders: security && auditedSecurityHeaders(security),
    endpoints: served.endpoints.map((e) => ({
      method: e.method,
      path: e.path,
      route: routeOf.get(e)!,
      ...policyOf(e, e.url.slice(e.backend.origin.length)),
    })),
    routes,
    warnings,
  };
}

/** The service-level settings worth a second look, read from krakend.json: each a warning about the whole Gateway. */
function serviceWarnings(config: KrakendConfig): AuditWarning[] {
  const out: AuditWarning[] = [];
  const warn = (code: WarningCode, message: string) => out.push({ code, path: null, methods: [], message });
  const extra = config.extra_config;
  if (extra['security/cors']?.allow_origins.includes('*'))
    warn('cors-any-origin', 'CORS allows every origin: any web page may call the API from its users’ browsers and read the answers');
  if (extra['telemetry/logging']?.level === 'DEBUG')
    warn('debug-logging', 'logs at DEBUG: megabytes at start for a large route table, and every request’s details; use INFO or above in production');
  // krakend-otel samples every request for a rate of 1 or more, and for 0 (state/state.go).
  const otel = extra['telemetry/opentelemetry'];
  const rate = otel?.trace_sample_rate;
  if (otel?.exporters.otlp !== undefined && (rate === undefined || rate >= 1 || rate <= 0))
    warn(
      'trace-every-request',
      'traces every request: the collector gets a trace per request, which costs at high traffic; lower tracing.sampleRate',
    );
  return out;
}

export function auditedSecurityHeaders({ fields: _fields, ...headers }: SecurityHeadersView): AuditedSecurityHeaders {
  return headers;
}

/** Everything but the method, base and depth that makes two endpoints one route for the reader. */
function routeKey(e: ServedEndpoint): string {
  return e.keys.policy;
}

/** What applies to an endpoint, with `backendPath` after its backend's origin. */
export function policyOf(e: ServedEndpoint, backendPath: string): AuditedPolicy {
  return {
    // A broker's backend is its topic: no path follows it.
    backend: e.backend.location === 'broker' ? e.backend.origin : `${e.backend.origin}${backendPath}`,
    backendLocation: e.backend.location,
    ...(e.merged.length > 0 ? { mergedWith: e.merged } : {}),
    auth: authName(e.auth),
    jwt: e.auth && jwtOf(e.auth),
    identityHeaders: e.identity,
    rateLimits: e.rateLimits,
    forwardsAuthorization: e.forwarded.some((h) => h.toLowerCase() === 'authorization'),
    forwardedHeaders: e.forwarded,
    setHeaders: e.headerRules.set,
    // krakend-jose reads the client's token before the backend call; martian replaces it after (docs/headers.md).
    overridesAuthorization: e.auth !== null && e.headerRules.set.some((h) => h.header.toLowerCase() === 'authorization'),
    removedRequestHeaders: e.headerRules.removedRequest,
    removedResponseHeaders: e.headerRules.removedResponse,
    stream: e.stream,
  };
}

/** Where a set header's value comes from, in words: `Secret llm-providers/openai-authorization`; `value` writes the names. */
export function secretSource(ref: SecretRef, value: (text: string) => string = (text) => text): string {
  return 'env' in ref ? `environment variable ${value(ref.env)}` : `Secret ${value(`${ref.name}/${ref.key}`)}`;
}

/** The policy name shown for a validator: the spec's, or `jwt` when no policy renders it. */
export function authName(auth: AuthView | null): string | null {
  return auth === null ? null : (auth.policy ?? 'jwt');
}

export function jwtOf(auth: AuthView): AuditedJwt {
  return { issuer: auth.issuer, audience: auth.audience, jwksUrl: auth.jwksUrl, ...(auth.roles ? { roles: auth.roles } : {}) };
}

/** The warnings of a Gateway's routes; `groups[i]` holds the endpoints of `routes[i]`. */
function warningsOf(routes: readonly AuditedRoute[], groups: ReadonlyArray<RouteGroup<ServedEndpoint>>): AuditWarning[] {
  const out: AuditWarning[] = [];
  const warn = (r: AuditedRoute, code: WarningCode, message: string) => out.push({ code, path: r.path, methods: r.methods, message });
  routes.forEach((r, i) => {
    const external = r.backendLocation === 'external';
    if (r.auth === null && external)
      warn(r, 'public-external-backend', `public, to ${r.origin} outside the cluster: anyone can make the gateway call it`);
    if (r.auth !== null && r.rateLimits.length === 0)
      warn(r, 'jwt-without-limit', `behind ${r.auth} without a rate limit: one valid token can send any number of requests`);
    if (r.forwardsAuthorization && external) {
      warn(r, 'authorization-to-external', `forwards the client's Authorization (a user's token) to ${r.origin} outside the cluster`);
    }
    if (external && r.origin.startsWith('http://')) warn(r, 'plain-http-external', `to ${r.origin} outside the cluster over plain http`);
    // krakend-jose fetches the keys over http only with disable_jwk_security (jose jws.go, ErrInsecureJWKSource).
    if (groups[i].items[0].auth?.fields.disable_jwk_security === 'true') {
      warn(r, 'insecure-jwks', `checks tokens with keys fetched over plain http (${r.jwt?.jwksUrl}): keys can be forged in transit`);
    }
    const fromSecrets = r.setHeaders.flatMap((h) => ('secret' in h ? [`${h.header} from ${secretSource(h.secret)}`] : []));
    if (r.auth === null && fromSecrets.length > 0) {
      warn(
        r,
        'public-secret-header',
        `public, sends ${fromSecrets.join(', ')} to ${r.origin}: anyone who can reach the gateway uses that credential`,
      );
    }
    if (r.setHeaders.some((h) => 'value' in h && h.header.toLowerCase() === 'authorization')) {
      warn(
        r,
        'static-authorization',
        'sets Authorization to a value written in krakend.json (the ConfigMap, and Git): a credential belongs in secretHeaders',
      );
    }
  });
  out.push(...publicParents(routes, groups));
  return out.sort((a, b) => compareText(a.path!, b.path!) || compareText(a.code, b.code) || compareText(a.methods.join(' '), b.methods.join(' ')));
}

/**
 * A public route around a protected one on a backend server they may share (the server names of
 * lib/grammar/backend-paths.ts, which err towards "the same"): a request under the protected prefix
 * that the protected route does not serve (another method, a path variant) reaches that server
 * through the public route, without a token. Validation refuses the methods and lookalike prefixes
 * it can see, and the renderer's CEL check refuses path variants, but the shape stays one mistake away.
 */
function publicParents(routes: readonly AuditedRoute[], groups: ReadonlyArray<RouteGroup<ServedEndpoint>>): AuditWarning[] {
  const servers = routes.map((r) => {
    const url = parseBackendUrl(r.origin.split(' ')[0]).value;
    return url && backendServerName(url);
  });
  const protectedByLabel = new Map<string, number[]>();
  routes.forEach((r, i) => {
    const server = servers[i];
    if (r.auth === null || server === undefined) return;
    const label = serverLabel(server);
    if (!protectedByLabel.has(label)) protectedByLabel.set(label, []);
    protectedByLabel.get(label)!.push(i);
  });
  const out: AuditWarning[] = [];
  routes.forEach((r, i) => {
    const server = servers[i];
    if (r.auth !== null || server === undefined) return;
    const base = pathSegments(groups[i].base);
    const seen = new Set<string>();
    for (const j of protectedByLabel.get(serverLabel(server)) ?? []) {
      const q = routes[j];
      const inner = pathSegments(groups[j].base);
      // The public route reaches the protected prefix when its deepest endpoint is at least that far below its own.
      const below = inner.length - base.length;
      if (below < 1 || below > groups[i].maxDepth || !base.every((s, k) => s === inner[k])) continue;
      if (!mayBeSameServer(server, servers[j]!) || seen.has(q.path)) continue;
      seen.add(q.path);
      out.push({
        code: 'public-parent-of-protected',
        path: r.path,
        methods: r.methods,
        message:
          `public, around ${q.path} (behind ${q.auth}) on the same backend server ${servers[j]}: a request under ${groups[j].base} ` +
          'that the protected route does not serve reaches that server without a token',
      });
    }
  });
  return out;
}

// krakend.json from a validated spec: one endpoint per method and per prefix depth, each a proxy to
// its route's backend (no-op, or translating its answer), with the route's JWT and rate-limit blocks.
import { destinationOf } from '../grammar/destinations';
import { ResolvedGatewaySpec, ResolvedRoute, routeBackendUrls } from '../resolve';
import { AUTHORIZATION_HEADER, DEFAULT_INPUT_HEADERS, KRAKEND_PORT, STREAM_KRAKEND_PORT } from '../spec';
import { PathGuard, endpointCelChecks, jwtCelChecks, pathGuards } from './cel';
import { propagatedHeaders, renderJwtValidator } from './jwt';
import { routeMartianConfig, securityHttpConfig } from './headers';
import { martianExtraConfig } from './martian';
import { messagingEndpoints } from './messaging';
import { translatedBackend, translatedBackendExtraConfig, translatedEndpoint } from './encoding';
import { expandPrefix, urlPattern } from './paths';
import { renderRateLimit } from './ratelimit';
import { concurrentCalls, resilienceExtraConfig } from './resilience';
import { loggingConfig, serverTimeouts } from './server';
import { POD_STREAM_PORTS, StreamPorts, streamAuthEndpoints } from './stream-auth';
import { telemetryExtraConfig } from './telemetry';
import { corsConfig } from './cors';
import { composedBackends, compositionExtraConfig } from './composition';
import { clientTlsConfig } from './client-tls';
import { EndpointExtraConfig, KrakendConfig, KrakendEndpoint } from './types';

/** Options of the renderer that are not part of the spec. */
export interface KrakendRenderOptions {
  /**
   * The configuration's `name`, shown in KrakenD's telemetry.
   * @default 'gateway'
   */
  readonly name?: string;
  /**
   * The file `client_tls.ca_certs` names for `backendCaBundle`: where the pods mount it, or another
   * path to serve the same config elsewhere (a test, a local run).
   * @default '/etc/krakend/backend-ca/<key>', the file the Deployment mounts
   */
  readonly backendCaFile?: string;
  /**
   * Where the stream checks' backend, the sidecar's identity echo, listens (only with a streaming route).
   * @default the pod's: 127.0.0.1:8082
   */
  readonly streamPorts?: StreamPorts;
}

/**
 * Renders krakend.json from a resolved spec (lib/resolve.ts) that has passed validation. Pure: no
 * cdk8s, no I/O, the same spec always gives the same object (and so the same bytes from JSON.stringify).
 */
export function buildKrakendConfig(spec: ResolvedGatewaySpec, options: KrakendRenderOptions = {}): KrakendConfig {
  // The path-variant checks of routes beside a protected route on the same backend server (cel.ts).
  const guards = pathGuards(spec).byRoute ?? [];
  const endpoints: KrakendEndpoint[] = [];
  for (const [i, route] of spec.routes.entries()) endpoints.push(...routeEndpoints(route, spec.timeout.text, guards[i]));
  // Neither Authorization nor a query string reaches a broker: a message carries no credential of the client.
  for (const route of spec.messagingRoutes)
    endpoints.push(
      ...messagingEndpoints(route, spec.timeout.text, inputHeadersOf(route, route.authPolicy ? propagatedHeaders(route.authPolicy) : [], false)),
    );
  endpoints.push(...streamAuthEndpoints(spec, options.streamPorts ?? POD_STREAM_PORTS));
  const securityHttp = securityHttpConfig(spec);
  const cors = corsConfig(spec);
  const clientTls = clientTlsConfig(spec, options.backendCaFile);
  return {
    version: 3,
    name: options.name ?? 'gateway',
    // Behind the stream proxy, which takes the gateway's port.
    port: spec.streamProxy ? STREAM_KRAKEND_PORT : KRAKEND_PORT,
    timeout: spec.timeout.text,
    ...serverTimeouts(spec),
    ...(clientTls ? { client_tls: clientTls } : {}),
    // Every pass-through endpoint proxies untouched (status, headers, body): set once here, inherited by
    // all but the endpoints of translating routes, which write their own (encoding.ts).
    output_encoding: 'no-op',
    extra_config: {
      router: {
        // Prefix expansion puts static and parameter nodes side by side; with these two gin features
        // on, a request that matches nothing can panic inside the router (krakend-ce#1008, gin#4818).
        disable_redirect_fixed_path: true,
        disable_handle_method_not_allowed: true,
        // gin routes the raw path: `/v1//admin`, `/v1/./admin`, `/v1/x/../admin` would match a public
        // `/v1/{p1}/…` endpoint and reach its backend, which may normalize them into a path a JWT route
        // guards. gin's RemoveExtraSlash cleans `//`, `.` and `..` before the lookup (lura
        // router/gin/engine.go, remove_extra_slash).
        remove_extra_slash: true,
        // Without it every response names the gateway's version in `X-Krakend` (lura router/gin/engine.go).
        hide_version_header: true,
        ...clientIpOptions(spec.streamProxy ? [...spec.trustedProxies, ...STREAM_PROXY_SOURCE] : spec.trustedProxies),
      },
      'telemetry/logging': loggingConfig(spec),
      ...telemetryExtraConfig(spec),
      ...(securityHttp ? { 'security/http': securityHttp } : {}),
      ...(cors ? { 'security/cors': cors } : {}),
    },
    endpoints,
  };
}

/**
 * The stream proxy's address as KrakenD sees it: nginx connects from loopback and appends the client's
 * address to X-Forwarded-For, so trusting loopback makes gin read the client nginx saw, and from there
 * the same trusted proxies as without it (a client's own X-Forwarded-For stays untrusted).
 */
const STREAM_PROXY_SOURCE = ['127.0.0.1/32'];

/**
 * How the router finds the client's address, which per-IP rate limits count. gin by default trusts
 * every sender's X-Forwarded-For, so any client could pick a fresh address per request. Trusted
 * proxies make gin read X-Forwarded-For from the right and stop at the first address that is not a
 * trusted proxy: the client as the proxy saw it. No trusted proxy: the connection's address.
 */
function clientIpOptions(trustedProxies: readonly string[]) {
  // lura leaves gin's trust-everyone default in place for an empty list, so forwarding is turned off instead.
  return trustedProxies.length === 0
    ? { forwarded_by_client_ip: false }
    : { forwarded_by_client_ip: true, remote_ip_headers: ['X-Forwarded-For'], trusted_proxies: [...trustedProxies] };
}

/**
 * The endpoints of one route: one per method and per depth below its prefix; an exact route's
 * prefix alone. A prefix route leaves its prefix path to an exact route of the same prefix and
 * method (validation lets each kind route a method once): gin would panic on the same path twice.
 */
function routeEndpoints(route: ResolvedRoute, serviceTimeout: string, pathGuard: PathGuard | undefined): KrakendEndpoint[] {
  const { backendUrl: backend, authPolicy: auth, rateLimit: limit, composition } = route;
  // Shared by every endpoint of the route: built once. The client's headers go to every backend of a
  // composed route alike (input_headers is the endpoint's), so Authorization by default only when all are in the cluster.
  const inCluster = routeBackendUrls(route).every((url) => destinationOf(url).inCluster);
  const inputHeaders = inputHeadersOf(route, auth ? propagatedHeaders(auth) : [], inCluster);
  // Outside the cluster only: keeps KrakenD's version from the backend and hop-by-hop headers from the client.
  const martianOf = (backendInCluster: boolean) => routeMartianConfig(route, martianExtraConfig(backendInCluster, inputHeaders));
  const backendExtra = resilienceExtraConfig(route, translatedBackendExtraConfig(route.translation, martianOf(inCluster)));
  const composed = composition && composedBackends(composition, (backendInCluster) => resilienceExtraConfig(route, martianOf(backendInCluster)));
  const translation = { endpoint: translatedEndpoint(route.translation), backend: translatedBackend(route.translation) };
  const jwtCel = auth ? jwtCelChecks(auth) : [];
  const extraConfig: EndpointExtraConfig | undefined =
    auth || limit || composition?.sequential
      ? {
          ...(auth ? { 'auth/validator': renderJwtValidator(auth) } : {}),
          ...(limit ? { 'qos/ratelimit/router': renderRateLimit(limit) } : {}),
          ...compositionExtraConfig(composition),
        }
      : undefined;
  // Written only where it differs, as spelt, from the service's: endpoints inherit the service's timeout.
  const timeout = route.timeout.text !== serviceTimeout ? route.timeout.text : undefined;
  const host = [backend.origin];
  const paths = expandPrefix(route.prefix, route.depth);
  const out: KrakendEndpoint[] = [];
  for (const method of route.methods) {
    const below = route.prefixPathTakenByExact.includes(method);
    for (const path of below ? paths.slice(1) : paths) {
      const cel = endpointCelChecks(path.rest, pathGuard, jwtCel);
      out.push({
        endpoint: path.endpoint,
        // GET is KrakenD's default method: left out to keep large route tables under 1 MiB.
        ...(method === 'GET' ? {} : { method }),
        ...(timeout ? { timeout } : {}),
        ...translation.endpoint,
        ...concurrentCalls(route),
        input_headers: inputHeaders,
        input_query_strings: ['*'],
        // A pass-through route writes no backend `encoding`: lura sets it to no-op whenever the endpoint's
        // output_encoding is no-op (config.go, initBackendDefaults, after the service-level value is
        // inherited), so status, headers and body still pass through untouched. Saves 19 bytes per endpoint.
        backend: composed ?? [
          {
            host,
            url_pattern: urlPattern(backend.basePath, path, route.stripPrefix),
            ...translation.backend,
            ...(backendExtra ? { extra_config: backendExtra } : {}),
          },
        ],
        ...(cel ? { extra_config: { ...extraConfig, 'validation/cel': cel } } : extraConfig ? { extra_config: extraConfig } : {}),
      });
    }
  }
  return out;
}

/**
 * The client headers a route forwards: an explicit allowlist (never `*`, which would let clients
 * forge identity headers), with the propagated identity headers only where a JWT policy sets them,
 * and Authorization by default only to a backend in the cluster. The JWT check does not depend on
 * it: krakend-jose reads the token from the client's request at the gateway, and `input_headers`
 * only filters what the backend request carries.
 */
export function inputHeadersOf(route: Pick<ResolvedRoute, 'inputHeaders'>, propagated: readonly string[], inCluster: boolean): string[] {
  const byLowerCase = new Map<string, string>();
  const defaults = inCluster ? [...DEFAULT_INPUT_HEADERS, AUTHORIZATION_HEADER] : DEFAULT_INPUT_HEADERS;
  for (const h of [...defaults, ...route.inputHeaders, ...propagated]) {
    if (!byLowerCase.has(h.toLowerCase())) byLowerCase.set(h.toLowerCase(), h);
  }
  return [...byLowerCase.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, h]) => h);
}

/**
 * krakend.json as written to the ConfigMap: compact, so large route tables fit in 1 MiB, with one
 * endpoint per line, so a change to a route shows in a GitOps diff as the lines of its endpoints
 * (the YAML of the ConfigMap then holds it as a block of lines, not one long string).
 */
export function serializeKrakendConfig(config: KrakendConfig): string {
  // `endpoints` is the config's last key: the rest is written first, then the list line by line.
  const { endpoints, ...rest } = config;
  const head = JSON.stringify({ ...rest, endpoints: [] });
  return `${head.slice(0, -'[]}'.length)}[\n${endpoints.map((e) => JSON.stringify(e)).join(',\n')}\n]}`;
}

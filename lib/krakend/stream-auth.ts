// The KrakenD side of the streaming routes: one GET endpoint per streaming route under
// STREAM_AUTH_PREFIX, which the nginx sidecar asks (`auth_request`) before it opens a stream. It runs
// the route's JWT validation and rate limit, as the route's own endpoints do, and its backend is the
// sidecar's loopback identity echo, which answers with the identity headers KrakenD sent it; no-op
// encoding hands them back to nginx (docs/streaming.md).
import { ResolvedGatewaySpec, ResolvedRoute } from '../resolve';
import { STREAM_AUTH_PREFIX, STREAM_IDENTITY_PORT } from '../spec';
import { jwtCelChecks } from './cel';
import { propagatedHeaders, renderJwtValidator } from './jwt';
import { renderRateLimit } from './ratelimit';
import { KrakendEndpoint } from './types';

/**
 * The path of a streaming route's check endpoint: the route's index among the HTTP routes (`spec.routes`
 * without its messaging routes, which resolve apart), so the same in krakend.json and nginx.conf.
 */
export function streamAuthPath(routeIndex: number): string {
  return `${STREAM_AUTH_PREFIX}/${routeIndex}`;
}

/**
 * The address KrakenD reaches the sidecar's identity echo on, and the ports of the pod, as inputs so
 * that a test can serve the same configs on free loopback ports.
 */
export interface StreamPorts {
  /** The identity echo, on 127.0.0.1. */
  readonly identity: number;
}

export const POD_STREAM_PORTS: StreamPorts = { identity: STREAM_IDENTITY_PORT };

/** The check endpoint of each streaming route, in the order of the routes; none without one. */
export function streamAuthEndpoints(spec: ResolvedGatewaySpec, ports: StreamPorts): KrakendEndpoint[] {
  return spec.routes.flatMap((route, i) => (route.streamTimeout === undefined ? [] : [streamAuthEndpoint(route, i, ports)]));
}

function streamAuthEndpoint(route: ResolvedRoute, index: number, ports: StreamPorts): KrakendEndpoint {
  const { authPolicy: auth, rateLimit: limit } = route;
  const cel = auth ? jwtCelChecks(auth) : [];
  const extra = {
    ...(auth ? { 'auth/validator': renderJwtValidator(auth) } : {}),
    ...(limit ? { 'qos/ratelimit/router': renderRateLimit(limit) } : {}),
    ...(cel.length > 0 ? { 'validation/cel': cel } : {}),
  };
  return {
    endpoint: streamAuthPath(index),
    // Only the headers krakend-jose sets from the token reach the echo: a client's copy of any other
    // never does. lura adds X-Forwarded-For (the client as gin's ClientIP sees it) on its own
    // (router/gin/endpoint.go, NewRequest).
    input_headers: auth ? propagatedHeaders(auth).sort() : [],
    input_query_strings: [],
    backend: [{ host: [`http://127.0.0.1:${ports.identity}`], url_pattern: '/' }],
    ...(Object.keys(extra).length > 0 ? { extra_config: extra } : {}),
  };
}

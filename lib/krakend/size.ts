// How large krakend.json will be at least, known before it is built: a route table that cannot fit
// its ConfigMap is refused without rendering, however many endpoints it would expand into. Each
// route counts its own depth, an exact route one endpoint per method.
import { CONFIGMAP_LIMIT_BYTES, MIN_ENDPOINT_BYTES } from '../limits';
import { ResolvedGatewaySpec, routeBackendUrls } from '../resolve';
import { pathGuards } from './cel';
import { minRouteHeaderBytes, minSecurityHttpBytes } from './headers';

/**
 * A lower bound of the rendered krakend.json's size for a validated spec: every endpoint (one per
 * method and depth of each route) holds at least the bytes of the smallest endpoint the renderer
 * writes (MIN_ENDPOINT_BYTES, without its path, host and url_pattern, with the comma after it), its
 * route's prefix and its backend's origin, the headers it sets and deletes (headers.ts), and an
 * endpoint with parameters of a guarded route its path-variant pattern (cel.ts); the security headers
 * once. Linear in the routes; nothing is built, and the patterns are counted only while the total
 * fits the ConfigMap.
 */
export function minConfigBytes(spec: ResolvedGatewaySpec): number {
  let bytes = minSecurityHttpBytes(spec);
  for (const route of spec.routes) {
    // A prefix route leaves its prefix path to an exact route of the same method (render.ts).
    const endpoints = route.methods.length * (route.depth + 1) - route.prefixPathTakenByExact.length;
    // A composed route's endpoint holds one backend entry per backend, each at least its origin and headers.
    const backends = routeBackendUrls(route).reduce((n, url) => n + url.origin.length + minRouteHeaderBytes(route), 0);
    bytes += endpoints * (MIN_ENDPOINT_BYTES + route.prefix.length + backends);
  }
  return bytes > CONFIGMAP_LIMIT_BYTES ? bytes : bytes + pathGuards(spec, CONFIGMAP_LIMIT_BYTES - bytes).minBytes;
}

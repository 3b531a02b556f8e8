// How large krakend.json will be at least, known before it is built: a route table that cannot fit
// its ConfigMap is refused without rendering, however many endpoints it would expand into. Each
// route counts its own prefixDepth, an exact route one endpoint per method.
import { parseBackendUrl } from '../grammar/urls';
import { CONFIGMAP_LIMIT_BYTES } from '../limits';
import { DEFAULTS, GatewaySpec } from '../spec';
import { pathGuards } from './cel';
import { minRouteHeaderBytes, minSecurityHttpBytes } from './headers';

// The bytes of the smallest endpoint the renderer writes, without its path, host and url_pattern:
// {"endpoint":"","input_headers":["Accept","Content-Type"],"input_query_strings":["*"],"backend":[{"host":[""],"url_pattern":""}]}
// and the comma that separates it from the next.
const ENDPOINT_SKELETON_BYTES = 129;

/**
 * A lower bound of the rendered krakend.json's size for a validated spec: every endpoint (one per
 * method and depth of each route) holds at least its skeleton, its route's prefix and its backend's
 * origin, the headers it sets and deletes (headers.ts), and an endpoint with parameters of a guarded
 * route its path-variant pattern (cel.ts); the security headers once. Linear
 * in the routes; nothing is built, and the patterns are counted only while the total fits the ConfigMap.
 */
export function minConfigBytes(spec: GatewaySpec): number {
  const gatewayDepth = spec.prefixDepth ?? DEFAULTS.prefixDepth;
  // "METHOD prefix" of exact routes: a prefix route leaves its prefix path to them (render.ts).
  const exact = new Set<string>();
  for (const route of spec.routes) if (route.exact === true) for (const m of route.methods ?? DEFAULTS.methods) exact.add(`${m} ${route.prefix}`);
  let bytes = minSecurityHttpBytes(spec);
  for (const route of spec.routes) {
    const methods = [...new Set(route.methods ?? DEFAULTS.methods)];
    const perMethod = route.exact === true ? 1 : (route.prefixDepth ?? gatewayDepth) + 1;
    const left = route.exact === true ? 0 : methods.filter((m) => exact.has(`${m} ${route.prefix}`)).length;
    const origin = parseBackendUrl(route.backend).value?.origin.length ?? 0;
    bytes += (methods.length * perMethod - left) * (ENDPOINT_SKELETON_BYTES + route.prefix.length + origin + minRouteHeaderBytes(route));
  }
  return bytes > CONFIGMAP_LIMIT_BYTES ? bytes : bytes + pathGuards(spec, CONFIGMAP_LIMIT_BYTES - bytes).minBytes;
}

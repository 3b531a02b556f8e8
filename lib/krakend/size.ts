// How large krakend.json will be at least, known before it is built: a route table that cannot fit
// its ConfigMap is refused without rendering, however many endpoints it would expand into.
import { parseBackendUrl } from '../grammar/urls';
import { DEFAULTS, GatewaySpec } from '../spec';

// The bytes of the smallest endpoint the renderer writes, without its path, host and url_pattern:
// {"endpoint":"","input_headers":["Accept","Content-Type"],"input_query_strings":["*"],"backend":[{"host":[""],"url_pattern":""}]}
// and the comma that separates it from the next.
const ENDPOINT_SKELETON_BYTES = 129;

/**
 * A lower bound of the rendered krakend.json's size for a validated spec: every endpoint (one per
 * method and depth of each route) holds at least its skeleton, its route's prefix and its backend's
 * origin. Linear in the routes; nothing is built.
 */
export function minConfigBytes(spec: GatewaySpec): number {
  const endpointsPerMethod = (spec.prefixDepth ?? DEFAULTS.prefixDepth) + 1;
  let bytes = 0;
  for (const route of spec.routes) {
    const methods = new Set(route.methods ?? DEFAULTS.methods).size;
    const origin = parseBackendUrl(route.backend).value?.origin.length ?? 0;
    bytes += methods * endpointsPerMethod * (ENDPOINT_SKELETON_BYTES + route.prefix.length + origin);
  }
  return bytes;
}

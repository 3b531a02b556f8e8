// The `modifier/martian` block of a backend: headers deleted on the backend call, the one place where
// KrakenD CE lets a config touch the headers lura sets itself. krakend-martian wraps the backend's
// request executor (martian.go, HTTPRequestExecutor): its request modifier runs on the request lura
// built, its response modifier on the backend's response before lura reads it. It keeps the no-op
// proxy: it builds the backend with lura's NewHTTPProxyWithHTTPExecutor (martian.go,
// NewConfiguredBackendFactory), which picks the no-op parser for a no-op backend (lura proxy/http.go).
import { BackendExtraConfig } from './types';

/** The hop-by-hop headers Node and nginx backends send on every answer (`Connection: keep-alive`, `Keep-Alive: timeout=5`). */
const HOP_BY_HOP = ['Connection', 'Keep-Alive'];

/**
 * The martian block of a backend outside the cluster, or undefined for one in the cluster: one
 * `header.Blacklist` over both scopes.
 * - On the request it deletes KrakenD's version: lura sets `User-Agent: KrakenD Version 2.13.0`, or,
 *   when the route forwards the client's `User-Agent`, `X-Forwarded-Via` with it (lura
 *   router/gin/endpoint.go, NewRequest). Without a `User-Agent` Go's client sends its own,
 *   `Go-http-client/1.1` (Go net/http request.go, defaultUserAgent).
 * - On the response it deletes `Connection` and `Keep-Alive`, which Go's client leaves in the response
 *   headers (only `Connection: close` is taken out) and lura's no-op render copies to the client (lura
 *   router/gin/render.go, noopRender): a backend's keep-alive hint is not the gateway's.
 * Backends in the cluster get none: at 139 bytes an endpoint, the block would cut the bench's capacity
 * from 253 routes to 189 (docs/limits.md), for a version that only the cluster's own services see and
 * hop-by-hop headers that any proxy in front drops.
 */
export function martianExtraConfig(inCluster: boolean, inputHeaders: readonly string[]): BackendExtraConfig | undefined {
  if (inCluster) return undefined;
  const version = inputHeaders.some((h) => h.toLowerCase() === 'user-agent') ? 'X-Forwarded-Via' : 'User-Agent';
  return { 'modifier/martian': { 'header.Blacklist': { scope: ['request', 'response'], names: [...HOP_BY_HOP, version] } } };
}

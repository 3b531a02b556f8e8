// The backends of a composed endpoint (`backends`): one `backend` entry each, with how lura merges
// its answer (`group`, `allow`/`deny`, `mapping`, `target`, `is_collection`, its own `encoding` and
// `method`), and `proxy.sequential` on the endpoint when a backend waits for an earlier one's answer.
// lura calls the entries in parallel (or in order), each through the same request pipeline, so the
// endpoint's `input_headers`, the token's identity headers and the rate limit apply to every one of
// them (lura proxy/merging.go, NewMergeDataMiddleware; router/gin/endpoint.go).
import { destinationOf } from '../grammar/destinations';
import { ResolvedComposedBackend, ResolvedComposition } from '../resolve';
import { BackendExtraConfig, EndpointExtraConfig, KrakendBackend } from './types';

/**
 * The entries of a composed endpoint. `extraOf` gives a backend's `extra_config` (its martian block,
 * which depends on whether that backend is in the cluster, and the route's circuit breaker). No status
 * handler: lura's default reads a status other than 200 and 201 as a failed part, left out of the merge.
 */
export function composedBackends(
  composition: ResolvedComposition,
  extraOf: (inCluster: boolean) => BackendExtraConfig | undefined,
): KrakendBackend[] {
  return composition.backends.map((b) => composedBackend(b, extraOf(destinationOf(b.url).inCluster)));
}

function composedBackend(b: ResolvedComposedBackend, extra: BackendExtraConfig | undefined): KrakendBackend {
  return {
    host: [b.url.origin],
    // Called as written: a composed route is exact, so there is no request path to append.
    url_pattern: b.url.basePath || '/',
    ...(b.method ? { method: b.method } : {}),
    encoding: b.encoding,
    ...(b.isCollection ? { is_collection: true } : {}),
    ...(b.target !== undefined ? { target: b.target } : {}),
    ...(b.allow.length > 0 ? { allow: [...b.allow] } : {}),
    ...(b.deny.length > 0 ? { deny: [...b.deny] } : {}),
    ...(Object.keys(b.mapping).length > 0 ? { mapping: { ...b.mapping } } : {}),
    ...(b.group !== undefined ? { group: b.group } : {}),
    ...(extra ? { extra_config: extra } : {}),
  };
}

/** `proxy.sequential` for a sequential composition (lura proxy/merging.go, isSequentialKey). */
export function compositionExtraConfig(composition: ResolvedComposition | undefined): Pick<EndpointExtraConfig, 'proxy'> {
  return composition?.sequential ? { proxy: { sequential: true } } : {};
}

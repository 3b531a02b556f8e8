// The blocks of a translating route (`encoding` other than no-op): the endpoint's `output_encoding`,
// the backend's `encoding` and `is_collection`, and the status handler that keeps the backend's
// error status. A pass-through route gets none of them: the service-level `output_encoding: no-op`
// makes lura set every backend's encoding to no-op (config.go, initBackendDefaults).
import { ResolvedTranslation } from '../resolve';
import { BackendExtraConfig, KrakendBackend, KrakendEndpoint } from './types';

/** The endpoint's `output_encoding` of a translating route. */
export function translatedEndpoint(t: ResolvedTranslation | undefined): Pick<KrakendEndpoint, 'output_encoding'> {
  return t ? { output_encoding: t.outputEncoding } : {};
}

/** The backend's `encoding` and, for a collection, `is_collection`. */
export function translatedBackend(t: ResolvedTranslation | undefined): Pick<KrakendBackend, 'encoding' | 'is_collection'> {
  if (!t) return {};
  return { encoding: t.encoding, ...(t.isCollection ? { is_collection: true } : {}) };
}

/**
 * The backend's `extra_config` with the status handler of a translating route. lura's default
 * handler reads any status but 200 and 201 as a failure the endpoint answers with 500; with
 * `return_error_code` the client gets the backend's status instead, with an empty body, as it would
 * through a pass-through route (lura transport/http/client/status.go, GetHTTPStatusHandler).
 */
export function translatedBackendExtraConfig(
  t: ResolvedTranslation | undefined,
  extra: BackendExtraConfig | undefined,
): BackendExtraConfig | undefined {
  return t ? { ...extra, 'backend/http': { return_error_code: true } } : extra;
}

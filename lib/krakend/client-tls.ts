// The service's `client_tls`: the CA certificates KrakenD's HTTP client trusts for https backends.
import { ResolvedGatewaySpec } from '../resolve';
import { ClientTlsConfig } from './types';

/**
 * The `client_tls` block, or undefined without a CA bundle. lura loads each `ca_certs` file into the
 * system's pool (transport/http/server/server.go, loadCertPool), so public backends keep working.
 * `min_version` is written because lura takes an unset one for TLS 1.3 (parseTLSVersion), where Go's
 * client without `client_tls` accepts TLS 1.2: a CA bundle must not cut off TLS 1.2 backends.
 * `caFile` is where the pod mounts the bundle (lib/kubernetes/deployment.ts), or another path to run
 * the same config elsewhere.
 */
export function clientTlsConfig(spec: ResolvedGatewaySpec, caFile?: string): ClientTlsConfig | undefined {
  const bundle = spec.backendCaBundle;
  if (bundle === undefined) return undefined;
  return { ca_certs: [caFile ?? `${bundle.dir}/${bundle.key}`], min_version: 'TLS12' };
}

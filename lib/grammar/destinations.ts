// Where a backend or JWKS host is, as a NetworkPolicy sees it: a cluster Service (by its DNS name)
// or somewhere else. Shared by the NetworkPolicy renderer and validation.
import { isDns1035Label, serviceHostNamespace } from './names';
import { HttpUrl, parseBackendUrl, parseJwksUrl } from './urls';

/** Where a URL's host is, as far as a NetworkPolicy can tell. */
export type Destination =
  | {
      readonly inCluster: true;
      /** The Service's namespace; undefined for a bare Service name, resolved in the gateway's own. */
      readonly namespace?: string;
      /** `host:port`, the key of `backendTargetPorts`. */
      readonly hostPort: string;
      readonly port: number;
    }
  | { readonly inCluster: false; readonly host: string; readonly port: number };

/**
 * Classifies the host of an http(s) URL; the port defaults by scheme. A bare Service name is one the
 * pod's DNS search path resolves in its own namespace.
 */
export function destinationOf(url: HttpUrl): Destination {
  const host = url.hostname.toLowerCase();
  const port = url.port ?? (url.scheme === 'https' ? 443 : 80);
  const namespace = serviceHostNamespace(host);
  if (namespace !== undefined || isDns1035Label(host)) return { inCluster: true, namespace, hostPort: `${host}:${port}`, port };
  return { inCluster: false, host, port };
}

/** The destination of a route's backend URL; undefined when it does not parse (validation reports it). */
export function backendDestination(backend: string): Destination | undefined {
  const url = parseBackendUrl(backend).value;
  return url && destinationOf(url);
}

/** The destination of an auth policy's JWKS URL, http or https; undefined when it does not parse. */
export function jwksDestination(jwksUrl: string): Destination | undefined {
  const url = parseJwksUrl(jwksUrl, true).value;
  return url && destinationOf(url);
}

// Where a backend or JWKS URL's host is, as a NetworkPolicy sees it: a cluster Service (by its DNS
// name) or somewhere else. Shared by the NetworkPolicy renderer and validation, and free of cdk8s
// so that validation (and the CLI's checks) load without it.

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

// `<svc>.<namespace>.svc[.cluster.local]`: the names the cluster DNS gives Services.
const SERVICE_HOST = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?\.([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\.svc(?:\.cluster\.local)?$/;
// A bare Service name, which the pod's DNS search path resolves in its own namespace.
const BARE_SERVICE = /^[a-z](?:[-a-z0-9]*[a-z0-9])?$/;

/** Classifies the host of an http(s) URL; the port defaults by scheme. */
export function destinationOf(scheme: string, hostname: string, port: number | undefined): Destination {
  const host = hostname.toLowerCase();
  const effectivePort = port ?? (scheme === 'https' ? 443 : 80);
  const service = SERVICE_HOST.exec(host);
  if (service || BARE_SERVICE.test(host)) {
    return { inCluster: true, namespace: service?.[1], hostPort: `${host}:${effectivePort}`, port: effectivePort };
  }
  return { inCluster: false, host, port: effectivePort };
}

/** The destination of a JWKS URL, or undefined when it is not an http(s) URL. */
export function jwksDestination(jwksUrl: string): Destination | undefined {
  let url: URL;
  try {
    url = new URL(jwksUrl);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  return destinationOf(url.protocol.slice(0, -1), url.hostname, url.port === '' ? undefined : Number(url.port));
}

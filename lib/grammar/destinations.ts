// Where a backend or JWKS host is, as a NetworkPolicy sees it: a cluster Service (by its DNS name)
// or somewhere else. Shared by the NetworkPolicy renderer and validation.
import { embeddedIpv4, isLinkLocal } from './cidrs';
import { isDns1035Label, serviceHostNamespace } from './names';
import { HttpUrl, hostAddress } from './urls';

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

/**
 * A cluster Service named with its port (a broker's `egress`), as destinationOf reads a URL's host;
 * the name passed validation as a Service name, so it is in the cluster.
 */
export function serviceDestination(service: string, port: number): Extract<Destination, { inCluster: true }> {
  const d = destinationOf({ scheme: 'http', hostname: service, port });
  if (!d.inCluster) throw new Error(`internal: ${JSON.stringify(service)} is not a cluster Service`);
  return d;
}

// The name Compute Engine's resolver gives its metadata server, 169.254.169.254
// (https://cloud.google.com/compute/docs/metadata/querying-metadata).
const METADATA_HOSTS = ['metadata.google.internal'];

/**
 * What makes a URL's host a link-local destination, the range of the cloud metadata endpoints
 * (169.254.169.254; ECS task credentials at 169.254.170.2), in words for a message; undefined for
 * any other host. An IPv6 address that carries a link-local IPv4 address (`[::ffff:a9fe:a9fe]`,
 * NAT64's `[64:ff9b::a9fe:a9fe]`) counts: the packets reach the same endpoint.
 */
export function linkLocalReason(url: HttpUrl): string | undefined {
  const host = url.hostname.toLowerCase();
  if (METADATA_HOSTS.includes(host)) return "the cloud metadata server's name (169.254.169.254)";
  const ip = hostAddress(url);
  if (ip === undefined || !isLinkLocal(ip)) return undefined;
  const v4 = embeddedIpv4(ip);
  return v4 !== undefined && isLinkLocal(v4) ? 'an IPv6 address carrying a link-local IPv4 address' : 'a link-local address';
}

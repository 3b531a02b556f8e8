// The NetworkPolicy derived from the routes: what the gateway pods may accept and reach, read off
// the backend and JWKS URLs, so the policy follows the routes without being written by hand.
import { isIPv4, isIPv6 } from 'net';
import { k8s } from 'cdk8s-plus-28';
import { LINK_LOCAL_CIDRS, LOOPBACK_CIDRS } from '../grammar/cidrs';
import { Destination, destinationOf, linkLocalReason, serviceDestination } from '../grammar/destinations';
import { parseJwksUrl } from '../grammar/urls';
import { ResolvedGatewaySpec, ResolvedNetworkPolicy, routeBackendUrls } from '../resolve';
import { KRAKEND_PORT, PRIVATE_IPV4_CIDRS, PRIVATE_IPV6_CIDRS, SHARED_IPV4_CIDR } from '../spec';
import { selectorLabels } from './labels';

type InCluster = Extract<Destination, { inCluster: true }>;

const NAMESPACE_LABEL = 'kubernetes.io/metadata.name';

function tcp(ports: Iterable<number>): k8s.NetworkPolicyPort[] {
  return [...new Set(ports)].sort((a, b) => a - b).map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) }));
}

function inNamespace(namespace: string): k8s.NetworkPolicyPeer {
  return { namespaceSelector: { matchLabels: { [NAMESPACE_LABEL]: namespace } } };
}

/** The ports DNS servers listen on: 53, and 5353 where DNS pods run unprivileged (OpenShift). */
const DNS_PORTS = [53, 5353];

/**
 * Every public address, as peers: for a host outside the cluster whose addresses are not known (a
 * JWKS host named by DNS). A rule without `to` would also reach every pod of the cluster, the
 * private networks around it, the link-local range (RFC 3927) that holds the cloud metadata endpoint
 * 169.254.169.254 and its node credentials, and loopback; so these are cut out, for IPv6 too (unique
 * local fc00::/7, link-local fe80::/10, ::1). `except` must lie inside `cidr`:
 * https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource
 */
function publicAddresses(): k8s.NetworkPolicyPeer[] {
  return [
    { ipBlock: { cidr: '0.0.0.0/0', except: [...PRIVATE_IPV4_CIDRS, SHARED_IPV4_CIDR, LINK_LOCAL_CIDRS[0], LOOPBACK_CIDRS[0]] } },
    { ipBlock: { cidr: '::/0', except: [...PRIVATE_IPV6_CIDRS, LINK_LOCAL_CIDRS[1], LOOPBACK_CIDRS[1]] } },
  ];
}

/** The block of the one address a URL host names as an IP literal (`10.0.0.5`, `[2001:db8::5]`); undefined for a DNS name. */
function addressBlock(host: string): string | undefined {
  if (isIPv4(host)) return `${host}/32`;
  const inner = host.replace(/^\[(.*)\]$/, '$1');
  return isIPv6(inner) ? `${inner}/128` : undefined;
}

/** Adds a port to the list under `key`. */
function addPort<K>(map: Map<K, number[]>, key: K, port: number): void {
  map.set(key, [...(map.get(key) ?? []), port]);
}

/**
 * The NetworkPolicy `<name>` of a validated spec with `networkPolicy` on. Ingress: the gateway port
 * (from `ingressNamespace` only, when set) and the metrics port. Egress: DNS on ports 53 and 5353 anywhere;
 * each in-cluster backend's (and JWKS host's and trace collector's) namespace on its port; each JWKS host
 * and trace collector outside the cluster on its port, at
 * any public address (its addresses are not known) or at its own address when the URL names one; the
 * backends outside the cluster through `allowedEgressCIDRs` on their ports.
 */
export function renderNetworkPolicy(
  name: string,
  labels: Record<string, string>,
  spec: ResolvedGatewaySpec,
  policy: ResolvedNetworkPolicy,
  metricsPort: number | undefined,
): k8s.KubeNetworkPolicyProps {
  const byNamespace = new Map<string, number[]>(); // '' = the gateway's own namespace
  const externalBackendPorts: number[] = [];
  const jwksPorts = new Map<string, number[]>(); // '' = any public address, else the block of the host's own address
  const podPort = (d: InCluster) => policy.backendTargetPorts[d.hostPort] ?? d.port;
  const addInCluster = (d: InCluster) => addPort(byNamespace, d.namespace ?? '', podPort(d));

  for (const route of spec.routes) {
    for (const url of routeBackendUrls(route)) {
      const d = destinationOf(url);
      if (d.inCluster) addInCluster(d);
      else externalBackendPorts.push(d.port);
    }
  }
  // The brokers, where the spec says they are: their addresses are in Secrets the policy cannot read.
  const brokerBlocks = new Map<string, number[]>(); // CIDR → ports
  for (const broker of spec.brokers) {
    for (const e of broker.egress) {
      if (e.service !== undefined) addInCluster(serviceDestination(e.service, e.port));
      for (const cidr of e.cidrs ?? []) addPort(brokerBlocks, cidr, e.port);
    }
  }
  // The JWKS hosts and the trace collector: reached by their URLs, in the cluster or at public addresses.
  const fetched = spec.authPolicies.map((auth) => ({ text: auth.jwksUrl, url: parseJwksUrl(auth.jwksUrl, true).value }));
  if (spec.tracing) fetched.push({ text: 'the trace collector', url: { ...spec.tracing.collector, port: spec.tracing.port } });
  for (const { text, url } of fetched) {
    if (!url) throw new Error(`internal: unvalidated jwksUrl ${JSON.stringify(text)}`);
    // Validation refuses a link-local key set or collector beside a NetworkPolicy: never open egress to the metadata endpoints for one.
    if (linkLocalReason(url) !== undefined) throw new Error(`internal: a link-local ${JSON.stringify(text)} with a NetworkPolicy`);
    const d = destinationOf(url);
    if (d.inCluster) addInCluster(d);
    else addPort(jwksPorts, addressBlock(d.host) ?? '', d.port);
  }

  const egress: k8s.NetworkPolicyEgressRule[] = [
    // Anywhere: cluster DNS may be CoreDNS in kube-system, a node-local cache or the node itself.
    // Policies see the DNS pod's own port after the Service's translation: 5353 on OpenShift.
    { ports: DNS_PORTS.flatMap((port) => [{ protocol: 'UDP', port: k8s.IntOrString.fromNumber(port) }, ...tcp([port])]) },
  ];
  for (const namespace of [...byNamespace.keys()].sort()) {
    // No namespaceSelector: the peer is the policy's own namespace, wherever the gateway is deployed.
    egress.push({ to: [namespace === '' ? { podSelector: {} } : inNamespace(namespace)], ports: tcp(byNamespace.get(namespace)!) });
  }
  for (const block of [...jwksPorts.keys()].sort()) {
    egress.push({ to: block === '' ? publicAddresses() : [{ ipBlock: { cidr: block } }], ports: tcp(jwksPorts.get(block)!) });
  }
  for (const block of [...brokerBlocks.keys()].sort()) egress.push({ to: [{ ipBlock: { cidr: block } }], ports: tcp(brokerBlocks.get(block)!) });
  if (externalBackendPorts.length > 0) {
    const cidrs = policy.allowedEgressCIDRs;
    // An empty `to` would match every destination; validation refuses outside backends without CIDRs.
    if (cidrs.length === 0) throw new Error('internal: a backend outside the cluster without allowedEgressCIDRs');
    egress.push({ to: cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: tcp(externalBackendPorts) });
  }

  const ingress: k8s.NetworkPolicyIngressRule[] = [
    { ...(policy.ingressNamespace ? { from: [inNamespace(policy.ingressNamespace)] } : {}), ports: tcp([KRAKEND_PORT]) },
  ];
  // Prometheus runs in a namespace of its own choosing, so the metrics port is not narrowed.
  if (metricsPort !== undefined) ingress.push({ ports: tcp([metricsPort]) });

  return {
    metadata: { name, labels },
    spec: { podSelector: { matchLabels: selectorLabels(name) }, policyTypes: ['Ingress', 'Egress'], ingress, egress },
  };
}

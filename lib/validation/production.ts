// Validation of the production extras: autoscaling, spreading, the NetworkPolicy derived from the
// routes, and metrics. Called from validateSpec with the spec of unknown shape; never throws.
import { isIPv4, isIPv6 } from 'net';
import { parseBackendUrl } from '../backend-url';

import { Destination, destinationOf, jwksDestination } from '../kubernetes/cluster-hosts';
import { AUTOSCALING_DEFAULTS, KRAKEND_PORT, SERVICE_MONITOR_DEFAULTS } from '../spec';
import { Checker, isObject, show } from './checker';
import { DNS_1123_LABEL } from './patterns';

const AUTOSCALING_FIELDS = ['minReplicas', 'maxReplicas', 'targetCPUUtilizationPercentage'];
const NETWORK_POLICY_FIELDS = ['enabled', 'ingressNamespace', 'allowedEgressCIDRs', 'backendTargetPorts'];
const SERVICE_MONITOR_FIELDS = ['enabled', 'metricsPort', 'metricsPath', 'interval'];
// Ports below 1024 need NET_BIND_SERVICE, which the hardened pod drops.
const FIRST_UNPRIVILEGED_PORT = 1024;

/** Checks the production fields of a spec that is an object. */
export function checkProduction(c: Checker, path: string, spec: Record<string, unknown>): void {
  if (spec.autoscaling !== undefined) checkAutoscaling(c, path, spec);
  if (spec.topologySpread !== undefined) c.boolean(`${path}.topologySpread`, spec.topologySpread);
  if (spec.serviceMonitor !== undefined) checkServiceMonitor(c, `${path}.serviceMonitor`, spec.serviceMonitor);
  if (spec.networkPolicy !== undefined) checkNetworkPolicy(c, path, spec);
}

function checkAutoscaling(c: Checker, path: string, spec: Record<string, unknown>): void {
  const p = `${path}.autoscaling`;
  const a = spec.autoscaling;
  if (!c.object(p, a, AUTOSCALING_FIELDS)) return;
  const min = a.minReplicas === undefined ? AUTOSCALING_DEFAULTS.minReplicas : c.integer(`${p}.minReplicas`, a.minReplicas, 1) ? a.minReplicas : undefined;
  let max: number | undefined;
  if (a.maxReplicas === undefined) c.add(`${p}.maxReplicas`, 'is required — the most pods the autoscaler may run');
  else if (c.integer(`${p}.maxReplicas`, a.maxReplicas, 1)) max = a.maxReplicas;
  if (min !== undefined && max !== undefined && min > max) {
    if (a.minReplicas === undefined) c.add(`${p}.maxReplicas`, `must be at least minReplicas, ${min} by default (got ${max}) — raise it, or set minReplicas`);
    else c.add(`${p}.minReplicas`, `must not exceed maxReplicas (got ${min} > ${max})`);
  }
  if (a.targetCPUUtilizationPercentage !== undefined) c.integer(`${p}.targetCPUUtilizationPercentage`, a.targetCPUUtilizationPercentage, 1, 100);
  if (spec.replicas !== undefined) {
    c.add(`${path}.replicas`, `must not be set together with ${p} (got ${show(spec.replicas)}) — the autoscaler owns the pod count; remove replicas and set autoscaling.minReplicas`);
  }
  // Utilization is a share of the CPU request: without one the autoscaler cannot compute it.
  const resources = spec.resources;
  if (isObject(resources) && (resources.requests === undefined || (isObject(resources.requests) && resources.requests.cpu === undefined))) {
    c.add(`${path}.resources.requests.cpu`, `is required with ${p} — CPU utilization is measured against the CPU request; add one (e.g. 250m, the default)`);
  }
}

function checkServiceMonitor(c: Checker, path: string, value: unknown): void {
  if (!c.object(path, value, SERVICE_MONITOR_FIELDS)) return;
  if (value.enabled !== undefined) c.boolean(`${path}.enabled`, value.enabled);
  const port = value.metricsPort;
  if (port !== undefined) {
    if (typeof port !== 'number' || !Number.isInteger(port) || port < FIRST_UNPRIVILEGED_PORT || port > 65535) {
      c.add(`${path}.metricsPort`, `must be a port number from ${FIRST_UNPRIVILEGED_PORT} to 65535 (got ${show(port)}) — the exporter's port; the Service port is always named metrics, and the non-root pod cannot bind below ${FIRST_UNPRIVILEGED_PORT}`);
    } else if (port === KRAKEND_PORT) {
      c.add(`${path}.metricsPort`, `must differ from the gateway port ${KRAKEND_PORT} — e.g. ${SERVICE_MONITOR_DEFAULTS.metricsPort}, the default`);
    }
  }
  if (value.metricsPath !== undefined && value.metricsPath !== SERVICE_MONITOR_DEFAULTS.metricsPath) {
    c.add(`${path}.metricsPath`, `must be ${SERVICE_MONITOR_DEFAULTS.metricsPath} (got ${show(value.metricsPath)}) — KrakenD's Prometheus exporter serves no other path; remove the field`);
  }
  if (value.interval !== undefined) c.duration(`${path}.interval`, value.interval);
}

function checkNetworkPolicy(c: Checker, path: string, spec: Record<string, unknown>): void {
  const p = `${path}.networkPolicy`;
  const policy = spec.networkPolicy;
  if (!c.object(p, policy, NETWORK_POLICY_FIELDS)) return;
  if (policy.enabled !== undefined) c.boolean(`${p}.enabled`, policy.enabled);
  const ns = policy.ingressNamespace;
  if (ns !== undefined && (typeof ns !== 'string' || ns.length > 63 || !DNS_1123_LABEL.test(ns))) {
    c.add(`${p}.ingressNamespace`, `must be a namespace name, a DNS-1123 label (got ${show(ns)}) — e.g. ingress-nginx`);
  }
  const cidrs = checkCidrs(c, `${p}.allowedEgressCIDRs`, policy.allowedEgressCIDRs);

  // Only URLs that parse: the others are reported by the route and auth policy checks.
  const backends: { at: string; d: Destination }[] = [];
  (Array.isArray(spec.routes) ? spec.routes : []).forEach((r, i) => {
    const url = isObject(r) && typeof r.backend === 'string' ? parseBackendUrl(r.backend) : undefined;
    if (url) backends.push({ at: `${path}.routes[${i}].backend`, d: destinationOf(url.scheme, url.hostname, url.port) });
  });
  const jwks: Destination[] = [];
  (Array.isArray(spec.authPolicies) ? spec.authPolicies : []).forEach((a, i) => {
    if (!isObject(a) || typeof a.jwksUrl !== 'string') return;
    const d = jwksDestination(a.jwksUrl);
    if (d) jwks.push(d);
    // What the auth policy check lets through but no URL parser reads (a port above 65535).
    else if (/^https?:\/\//.test(a.jwksUrl) && policy.enabled !== false) {
      c.add(`${path}.authPolicies[${i}].jwksUrl`, `is not a valid URL (got ${show(a.jwksUrl)}) — ${p} needs its host and port`);
    }
  });

  if (policy.enabled !== false && cidrs !== undefined) {
    let outside = 0;
    for (const { at, d } of backends) {
      if (d.inCluster) continue;
      outside++;
      const address = isIPv4(d.host) ? ipv4Number(d.host) : undefined;
      if (address !== undefined) {
        if (!cidrs.v4.some(([network, mask]) => ((address & mask) >>> 0) === network)) {
          c.add(at, `address ${d.host} is outside the cluster and not in ${p}.allowedEgressCIDRs — add a CIDR that covers it, e.g. "${d.host}/32"`);
        }
      } else if (cidrs.count === 0) {
        c.add(
          at,
          `host ${show(d.host)} is not a cluster Service name (<service>.<namespace>.svc), so ${p} cannot tell where it is — ` +
            `list its addresses in ${p}.allowedEgressCIDRs (e.g. ["203.0.113.0/24"], or ["0.0.0.0/0"] for anywhere), or use the Service's cluster name`,
        );
      }
    }
    if (outside === 0 && cidrs.count > 0) {
      c.add(`${p}.allowedEgressCIDRs`, 'allows nothing: no backend is outside the cluster — remove it (JWKS hosts are reached without it)');
    }
  }

  if (policy.backendTargetPorts !== undefined && c.map(`${p}.backendTargetPorts`, policy.backendTargetPorts)) {
    const known = [...new Set([...backends.map((b) => b.d), ...jwks].flatMap((d) => (d.inCluster ? [d.hostPort] : [])))].sort();
    for (const [key, port] of Object.entries(policy.backendTargetPorts)) {
      const at = `${p}.backendTargetPorts[${JSON.stringify(key)}]`;
      if (!known.includes(key)) c.add(at, `matches no in-cluster backend or JWKS host:port (known: ${known.join(', ') || 'none'})`);
      c.integer(at, port, 1, 65535);
    }
  }
}

/** The valid IPv4 CIDRs as [network, mask], and how many entries there are; undefined when not a list. */
export function checkCidrs(c: Checker, path: string, value: unknown): { v4: [number, number][]; count: number } | undefined {
  if (value === undefined) return { v4: [], count: 0 };
  if (!c.list(path, value)) return undefined;
  const v4: [number, number][] = [];
  value.forEach((cidr, i) => {
    const at = `${path}[${i}]`;
    const [address, prefixText, extra] = typeof cidr === 'string' ? cidr.split('/') : [];
    const prefix = prefixText !== undefined && /^[0-9]{1,3}$/.test(prefixText) ? Number(prefixText) : -1;
    if (extra === undefined && address !== undefined && isIPv4(address) && prefix >= 0 && prefix <= 32) {
      const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
      const network = (ipv4Number(address) & mask) >>> 0;
      if (network !== ipv4Number(address)) c.add(at, `has bits set below its /${prefix} prefix (got ${show(cidr)}) — did you mean "${ipv4Text(network)}/${prefix}"?`);
      else v4.push([network, mask]);
    } else if (!(extra === undefined && address !== undefined && isIPv6(address) && prefix >= 0 && prefix <= 128)) {
      c.add(at, `must be a CIDR such as 203.0.113.0/24 or 2001:db8::/32 (got ${show(cidr)})`);
    }
  });
  return { v4, count: value.length };
}

function ipv4Number(address: string): number {
  return address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

function ipv4Text(n: number): string {
  return [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join('.');
}

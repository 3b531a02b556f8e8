// Validation of the production extras: autoscaling, spreading, the NetworkPolicy derived from the
// routes, and metrics. Called from validateSpec with the spec of unknown shape; never throws.
import {
  Cidr,
  LINK_LOCAL_CIDRS,
  LOOPBACK_CIDRS,
  asGoReadsIt,
  cidrContains,
  cidrWithin,
  coversFamily,
  knownCidr,
  parseCidr,
  parseIp,
} from '../grammar/cidrs';
import { Destination, destinationOf, linkLocalReason } from '../grammar/destinations';
import { isDns1123Label } from '../grammar/names';
import { parseJwksUrl } from '../grammar/urls';
import { isObject, keyPath, show } from '../grammar/values';
import { resolveMinReplicas, resolveServiceMonitor } from '../resolve';
import { KRAKEND_PORT, PRIVATE_IPV4_CIDRS, PRIVATE_IPV6_CIDRS, SHARED_IPV4_CIDR, isEnabled } from '../spec';
import { INT32_MAX, METRICS_PORT, TARGET_CPU_PERCENT } from '../limits';
import type { IHorizontalPodAutoscalerBehavior } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscalerBehavior';
import { checkShape } from './k8s-objects';
import { routeBackendUrlsOf } from './composition';
import { Checker } from './checker';
import { AUTOSCALING_FIELDS, NETWORK_POLICY_FIELDS, SERVICE_MONITOR_FIELDS } from './fields';
import { checkMetadataMap } from './kubernetes-fields';

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
  const min =
    a.minReplicas === undefined
      ? resolveMinReplicas(undefined)
      : c.integer(`${p}.minReplicas`, a.minReplicas, 1, INT32_MAX)
        ? a.minReplicas
        : undefined;
  let max: number | undefined;
  if (a.maxReplicas === undefined) c.add(`${p}.maxReplicas`, 'is required — the most pods the autoscaler may run');
  else if (c.integer(`${p}.maxReplicas`, a.maxReplicas, 1, INT32_MAX)) max = a.maxReplicas;
  if (min !== undefined && max !== undefined && min > max) {
    if (a.minReplicas === undefined)
      c.add(`${p}.maxReplicas`, `must be at least minReplicas, ${min} by default (got ${max}) — raise it, or set minReplicas`);
    else c.add(`${p}.minReplicas`, `must not exceed maxReplicas (got ${min} > ${max})`);
  }
  if (a.targetCPUUtilizationPercentage !== undefined)
    c.integer(`${p}.targetCPUUtilizationPercentage`, a.targetCPUUtilizationPercentage, TARGET_CPU_PERCENT.min, TARGET_CPU_PERCENT.max);
  if (a.targetMemoryUtilizationPercentage !== undefined)
    c.integer(`${p}.targetMemoryUtilizationPercentage`, a.targetMemoryUtilizationPercentage, TARGET_CPU_PERCENT.min, TARGET_CPU_PERCENT.max);
  if (a.behavior !== undefined) checkAutoscalingBehavior(c, `${p}.behavior`, a.behavior);
  if (spec.replicas !== undefined) {
    c.add(
      `${path}.replicas`,
      `must not be set together with ${p} (got ${show(spec.replicas)}) — ` +
        `the autoscaler owns the pod count; remove replicas and set autoscaling.minReplicas`,
    );
  }
  // Utilization is a share of the request: without one the autoscaler cannot compute it.
  const resources = spec.resources;
  if (
    a.targetMemoryUtilizationPercentage !== undefined &&
    isObject(resources) &&
    (resources.requests === undefined || (isObject(resources.requests) && resources.requests.memory === undefined))
  ) {
    c.add(
      `${path}.resources.requests.memory`,
      `is required with ${p}.targetMemoryUtilizationPercentage — memory utilization is measured against the memory request; add one (e.g. 256Mi)`,
    );
  }
  if (isObject(resources) && (resources.requests === undefined || (isObject(resources.requests) && resources.requests.cpu === undefined))) {
    c.add(
      `${path}.resources.requests.cpu`,
      `is required with ${p} — CPU utilization is measured against the CPU request; add one (e.g. 250m, the default)`,
    );
  }
}

/** Kubernetes' bounds of an autoscaler's behavior (pkg/apis/autoscaling/validation/validation.go, validateScalingRules). */
const MAX_STABILIZATION_SECONDS = 3600;
const MAX_POLICY_PERIOD_SECONDS = 1800;

/** The autoscaler's `behavior`: Kubernetes' shape, then the bounds the API server puts on it. */
function checkAutoscalingBehavior(c: Checker, path: string, value: unknown): void {
  if (!checkShape(c, path, value, 'HorizontalPodAutoscalerBehavior')) return;
  const behavior = value as IHorizontalPodAutoscalerBehavior;
  for (const direction of ['scaleUp', 'scaleDown'] as const) {
    const rules = behavior[direction];
    if (rules === undefined) continue;
    const p = `${path}.${direction}`;
    if (rules.stabilizationWindowSeconds !== undefined)
      c.integer(`${p}.stabilizationWindowSeconds`, rules.stabilizationWindowSeconds, 0, MAX_STABILIZATION_SECONDS);
    if (rules.policies !== undefined && rules.policies.length === 0 && rules.selectPolicy !== 'Disabled')
      c.add(`${p}.policies`, 'must list at least one policy (got []) — leave it out for the defaults, or set selectPolicy: Disabled');
    (rules.policies ?? []).forEach((policy, i) => {
      c.integer(`${p}.policies[${i}].value`, policy.value, 1, INT32_MAX);
      c.integer(`${p}.policies[${i}].periodSeconds`, policy.periodSeconds, 1, MAX_POLICY_PERIOD_SECONDS);
    });
  }
}

/** What metrics with no field given resolve to: the defaults the messages name. */
const DEFAULT_MONITOR = resolveServiceMonitor({})!;

function checkServiceMonitor(c: Checker, path: string, value: unknown): void {
  if (!c.object(path, value, SERVICE_MONITOR_FIELDS)) return;
  if (value.enabled !== undefined) c.boolean(`${path}.enabled`, value.enabled);
  const port = value.metricsPort;
  if (port !== undefined) {
    if (typeof port !== 'number' || !Number.isInteger(port) || port < METRICS_PORT.min || port > METRICS_PORT.max) {
      c.add(
        `${path}.metricsPort`,
        `must be a port number from ${METRICS_PORT.min} to ${METRICS_PORT.max} (got ${show(port)}) — ` +
          `the exporter's port; the Service port is always named metrics, and the non-root pod cannot bind below ${METRICS_PORT.min}`,
      );
    } else if (port === KRAKEND_PORT) {
      c.add(`${path}.metricsPort`, `must differ from the gateway port ${KRAKEND_PORT} — e.g. ${DEFAULT_MONITOR.metricsPort}, the default`);
    }
  }
  if (value.metricsPath !== undefined && value.metricsPath !== DEFAULT_MONITOR.metricsPath) {
    c.add(
      `${path}.metricsPath`,
      `must be ${DEFAULT_MONITOR.metricsPath} (got ${show(value.metricsPath)}) — ` +
        `KrakenD's Prometheus exporter serves no other path; remove the field`,
    );
  }
  if (value.interval !== undefined) c.duration(`${path}.interval`, value.interval);
  if (value.labels !== undefined && c.map(`${path}.labels`, value.labels)) {
    checkMetadataMap(c, `${path}.labels`, value.labels, 'label');
    for (const key of Object.keys(value.labels).filter((k) => k.startsWith(OWN_LABEL_PREFIX))) {
      c.add(
        keyPath(`${path}.labels`, key),
        `is a key under ${OWN_LABEL_PREFIX}, where the gateway sets its own labels on every object (name, instance, component, ` +
          'managed-by, version) — use a key of your own, such as release',
      );
    }
  }
}

/** The prefix of the labels every object of a gateway carries (the operator's convention, lib/kubernetes/labels.ts). */
const OWN_LABEL_PREFIX = 'app.kubernetes.io/';

function checkNetworkPolicy(c: Checker, path: string, spec: Record<string, unknown>): void {
  const p = `${path}.networkPolicy`;
  const policy = spec.networkPolicy;
  if (!c.object(p, policy, NETWORK_POLICY_FIELDS)) return;
  if (policy.enabled !== undefined) c.boolean(`${p}.enabled`, policy.enabled);
  if (policy.ingressNamespace !== undefined && !isDns1123Label(policy.ingressNamespace)) {
    c.add(`${p}.ingressNamespace`, `must be a namespace name, a DNS-1123 label (got ${show(policy.ingressNamespace)}) — e.g. ingress-nginx`);
  }
  const cidrs = checkCidrs(c, `${p}.allowedEgressCIDRs`, policy.allowedEgressCIDRs);

  // Only URLs that parse: the others are reported by the route and auth policy checks.
  const backends: { at: string; d: Destination }[] = [];
  (Array.isArray(spec.routes) ? spec.routes : []).forEach((r, i) => {
    for (const { at, url } of routeBackendUrlsOf(`${path}.routes[${i}]`, r)) backends.push({ at, d: destinationOf(url) });
  });
  const jwks: Destination[] = [];
  (Array.isArray(spec.authPolicies) ? spec.authPolicies : []).forEach((a, i) => {
    const url = isObject(a) && typeof a.jwksUrl === 'string' ? parseJwksUrl(a.jwksUrl, true).value : undefined;
    if (!url) return;
    jwks.push(destinationOf(url));
    const linkLocal = linkLocalReason(url);
    if (linkLocal !== undefined && isEnabled(policy) && isObject(a) && a.allowLinkLocal === true) {
      c.add(
        `${path}.authPolicies[${i}].jwksUrl`,
        `is ${linkLocal} (got ${show(a.jwksUrl)}), and ${p} never opens egress to link-local addresses, where the cloud metadata ` +
          'endpoints are — serve the key set from a cluster Service or a public host, or turn the NetworkPolicy off',
      );
    }
  });

  if (isEnabled(policy) && cidrs !== undefined) checkEgress(c, p, backends, cidrs);

  if (policy.backendTargetPorts !== undefined && c.map(`${p}.backendTargetPorts`, policy.backendTargetPorts)) {
    const known = [...new Set([...backends.map((b) => b.d), ...jwks].flatMap((d) => (d.inCluster ? [d.hostPort] : [])))].sort();
    for (const [key, port] of Object.entries(policy.backendTargetPorts)) {
      const at = keyPath(`${p}.backendTargetPorts`, key);
      if (!known.includes(key)) c.add(at, `matches no in-cluster backend or JWKS host:port (known: ${known.map(show).join(', ') || 'none'})`);
      c.integer(at, port, 1, 65535);
    }
  }
}

/** Every backend outside the cluster must be covered by allowedEgressCIDRs: a NetworkPolicy cannot name a DNS host. */
function checkEgress(c: Checker, p: string, backends: readonly { at: string; d: Destination }[], cidrs: CheckedCidrs): void {
  let outside = 0;
  for (const { at, d } of backends) {
    if (d.inCluster) continue;
    outside++;
    const ip = parseIp(d.host);
    if (ip !== undefined) {
      if (!cidrs.blocks.some(({ cidr }) => cidrContains(cidr, ip))) {
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

/** The valid blocks of a CIDR list, and how many entries it has. */
interface CheckedCidrs {
  /** Each valid block with its index in the list. */
  readonly blocks: ReadonlyArray<{ readonly index: number; readonly cidr: Cidr }>;
  readonly count: number;
}

/** Checks a CIDR list; undefined when it is not a list. */
function checkCidrs(c: Checker, path: string, value: unknown): CheckedCidrs | undefined {
  if (value === undefined) return { blocks: [], count: 0 };
  if (!c.list(path, value)) return undefined;
  const blocks: Array<{ index: number; cidr: Cidr }> = [];
  value.forEach((text, index) => {
    const cidr = c.parsed(`${path}[${index}]`, parseCidr(text));
    if (cidr) blocks.push({ index, cidr });
  });
  return { blocks, count: value.length };
}

// The ranges that are no one's public address: private (RFC 1918, RFC 4193), shared (RFC 6598),
// loopback and link-local. A proxy elsewhere needs the explicit opt-in.
const NON_PUBLIC = [...PRIVATE_IPV4_CIDRS, SHARED_IPV4_CIDR, ...PRIVATE_IPV6_CIDRS, ...LOOPBACK_CIDRS, ...LINK_LOCAL_CIDRS].map(knownCidr);
const ANY_CLIENT =
  'any client could then pick its own address, and a fresh per-IP rate-limit bucket, with X-Forwarded-For; ' + "list your proxies' ranges";

/**
 * The proxies whose X-Forwarded-For gin believes, read as Go reads them (an IPv4-mapped block holds
 * IPv4 addresses). A set that trusts every address of a family, in one block or together, lets any
 * client name its own address and get a fresh per-IP rate-limit bucket on every request; so does one
 * that trusts every public address. A public block needs `publicAllowed`.
 */
export function checkTrustedProxies(c: Checker, path: string, value: unknown, publicAllowed: unknown): void {
  const cidrs = checkCidrs(c, path, value);
  if (cidrs === undefined) return;
  const texts = value as unknown[];
  const read = cidrs.blocks.map(({ index, cidr }) => ({ index, cidr: asGoReadsIt(cidr), mapped: asGoReadsIt(cidr) !== cidr }));
  let whole = false;
  for (const { index, cidr, mapped } of read) {
    const got = `(got ${show(texts[index])})`;
    if (cidr.prefix === 0) {
      whole = true;
      c.add(
        `${path}[${index}]`,
        mapped
          ? `must not trust every IPv4 address, which Go reads this IPv4-mapped block as ${got} — ${ANY_CLIENT}`
          : `must not trust every address ${got} — ${ANY_CLIENT}`,
      );
    } else if (publicAllowed !== true && !NON_PUBLIC.some((n) => cidrWithin(cidr, n))) {
      c.add(
        `${path}[${index}]`,
        `holds public addresses ${got} — whoever sends from them may name any client in X-Forwarded-For; ` +
          'trust private ranges (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, fc00::/7), or, ' +
          'if these are your own proxies (a CDN, a load balancer with public addresses), set allowPublicTrustedProxies: true',
      );
    }
  }
  if (whole) return;
  for (const family of [4, 6] as const) {
    const own = read.filter(({ cidr }) => cidr.family === family);
    if (own.length > 0 && coversFamily([...own.map((r) => r.cidr), ...NON_PUBLIC], family)) {
      c.add(path, `together trust every public IPv${family} address (got ${show(own.map((r) => texts[r.index]))}) — ${ANY_CLIENT}`);
    }
  }
}

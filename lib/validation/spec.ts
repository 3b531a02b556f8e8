// Validation of a Gateway spec of unknown shape: structure, types and ranges, references between
// routes and policies, and what KrakenD CE would refuse. No input shape makes it throw. Messages
// read `<what is wrong> (<value>) — <fix>`.
import { parseBackendUrl } from '../backend-url';
import { DEFAULTS, HTTP_METHODS, ORG_ID_HEADER, USER_ID_HEADER } from '../spec';
import { DNS_1035_LABEL, DNS_1123_LABEL, DNS_1123_SUBDOMAIN, LABEL_VALUE } from './patterns';
import { Checker, ValidationProblem, isObject, show, suggestion, typeOf } from './checker';
import { RESERVED_SEGMENT, UNROUTABLE_CHAR } from './lint';
import { checkCidrs, checkProduction } from './production';

const WHY_NOT_IN_PREFIX: Record<string, string> = {
  '*': 'wildcard routes are KrakenD Enterprise only; CE panics at start',
  '?': 'it starts a query string, which is never part of the path',
  '&': 'KrakenD refuses it in an endpoint',
  '%': 'KrakenD refuses percent-encoding in an endpoint',
  '{': 'it is KrakenD parameter syntax; a prefix is literal',
  '}': 'it is KrakenD parameter syntax; a prefix is literal',
  ':': 'gin reads it as a path parameter',
};
const HEADER_NAME = /^[A-Za-z0-9-]+$/;
const WILDCARD_HOST = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^(([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)\/)?([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const QUANTITY = /^[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
const QUANTITY_SCALE: Record<string, number> = {
  '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};
const STANDARD_RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];
// The image reference grammar of the distribution project, tag separate.
const IMAGE_REPOSITORY = /^([A-Za-z0-9.-]+(:[0-9]+)?\/)?[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/;
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const HTTP_URL = /^https?:\/\/[^\s/?#@]+([/?][^\s#]*)?$/;

/** An http(s) URL with a host and, if any, a port from 1 to 65535, as Go's url.Parse will read it. */
function isHttpUrl(url: string): boolean {
  if (!HTTP_URL.test(url)) return false;
  try {
    const parsed = new URL(url);
    return parsed.hostname !== '' && (parsed.port === '' || (Number(parsed.port) >= 1 && Number(parsed.port) <= 65535));
  } catch {
    return false;
  }
}

const SPEC_FIELDS = ['image', 'replicas', 'routes', 'rateLimits', 'authPolicies', 'ingress', 'resources', 'timeout', 'prefixDepth', 'trustedProxies', 'autoscaling', 'topologySpread', 'networkPolicy', 'serviceMonitor'];
const IMAGE_FIELDS = ['repository', 'tag', 'pullPolicy'];
const ROUTE_FIELDS = ['prefix', 'backend', 'methods', 'stripPrefix', 'rateLimit', 'authPolicy', 'timeout', 'inputHeaders'];
const RATE_LIMIT_FIELDS = ['name', 'maxRate', 'every', 'key', 'capacity'];
const AUTH_POLICY_FIELDS = ['name', 'type', 'iamEndpoint', 'jwksUrl', 'audience', 'userIdClaim', 'orgIdClaim', 'cacheDuration', 'allowInsecureJwks'];
const INGRESS_FIELDS = ['enabled', 'className', 'hosts', 'tls', 'clusterIssuer', 'annotations'];
const TLS_FIELDS = ['enabled', 'secretName'];
const RESOURCES_FIELDS = ['requests', 'limits'];
const CLUSTER_ISSUER_ANNOTATION = 'cert-manager.io/cluster-issuer';

/** Problems with a Gateway's name and namespace. */
export function validateMetadata(name: unknown, namespace: unknown, path = 'metadata'): ValidationProblem[] {
  const c = new Checker();
  if (typeof name !== 'string' || name.length > 63 || !DNS_1035_LABEL.test(name)) {
    c.add(`${path}.name`, `must be a DNS-1035 label of at most 63 characters: lower-case letters, digits and '-', starting with a letter (got ${show(name)}) — it names the Deployment and Service`);
  }
  if (namespace !== undefined && (typeof namespace !== 'string' || namespace.length > 63 || !DNS_1123_LABEL.test(namespace))) {
    c.add(`${path}.namespace`, `must be a DNS-1123 label of at most 63 characters: lower-case letters, digits and '-' (got ${show(namespace)})`);
  }
  return c.problems;
}

/** Every problem with a spec of unknown shape; empty when it is valid. */
export function validateSpec(spec: unknown, path = 'spec'): ValidationProblem[] {
  const c = new Checker();
  if (!c.object(path, spec, SPEC_FIELDS)) return c.problems;

  if (spec.image !== undefined) checkImage(c, `${path}.image`, spec.image);
  if (spec.replicas !== undefined) c.integer(`${path}.replicas`, spec.replicas, 1);
  if (spec.timeout !== undefined) c.duration(`${path}.timeout`, spec.timeout);
  if (spec.prefixDepth !== undefined) c.integer(`${path}.prefixDepth`, spec.prefixDepth, 0, 16);
  checkCidrs(c, `${path}.trustedProxies`, spec.trustedProxies);

  const rateLimits = checkRateLimits(c, `${path}.rateLimits`, spec.rateLimits);
  const authPolicies = checkAuthPolicies(c, `${path}.authPolicies`, spec.authPolicies);
  checkRoutes(c, `${path}.routes`, spec.routes, rateLimits, authPolicies);
  if (spec.ingress !== undefined) checkIngress(c, `${path}.ingress`, spec.ingress);
  if (spec.resources !== undefined) checkResources(c, `${path}.resources`, spec.resources);
  checkProduction(c, path, spec);
  return c.problems;
}

function checkImage(c: Checker, path: string, value: unknown): void {
  if (!c.object(path, value, IMAGE_FIELDS)) return;
  if (c.string(`${path}.repository`, value.repository, 'e.g. ghcr.io/hanzoai/gateway') && !IMAGE_REPOSITORY.test(value.repository)) {
    c.add(`${path}.repository`, `is not an image repository (got ${show(value.repository)}) — lower-case path components, optionally after a registry host, without the tag: e.g. ghcr.io/hanzoai/gateway`);
  }
  if (c.string(`${path}.tag`, value.tag, 'e.g. 2.14.1') && !IMAGE_TAG.test(value.tag)) {
    c.add(`${path}.tag`, `is not an image tag (got ${show(value.tag)}) — up to 128 letters, digits, '_', '.' and '-', e.g. 2.14.1`);
  }
  if (value.pullPolicy !== undefined) c.enumValue(`${path}.pullPolicy`, value.pullPolicy, ['Always', 'IfNotPresent', 'Never']);
}

/**
 * Policies by name (the first of each name); undefined when a broken list or entry hides names, so
 * references are not checked against a partial list (its own problems are reported already).
 */
type Policies = Map<string, Record<string, unknown>> | undefined;

/** A named policy list: each entry checked by `check`, names unique; returns the policies by name. */
function checkPolicyList(c: Checker, path: string, value: unknown, fields: readonly string[], check: (p: string, entry: Record<string, unknown>) => void): Policies {
  if (value === undefined) return new Map();
  if (!c.list(path, value)) return undefined;
  let byName: Policies = new Map();
  c.each(value, (entry, i) => {
    const p = `${path}[${i}]`;
    if (!c.object(p, entry, fields)) {
      byName = undefined;
      return;
    }
    if (!c.string(`${p}.name`, entry.name, 'the name routes refer to')) byName = undefined;
    else if (byName && !byName.has(entry.name)) byName.set(entry.name, entry);
    check(p, entry);
  });
  c.uniqueNames(path, value);
  return byName;
}

function checkRateLimits(c: Checker, path: string, value: unknown): Policies {
  return checkPolicyList(c, path, value, RATE_LIMIT_FIELDS, (p, r) => {
    c.integer(`${p}.maxRate`, r.maxRate, 1);
    c.duration(`${p}.every`, r.every, 1000, " — KrakenD's rate limiter counts in periods of at least 1s");
    if (r.key !== undefined) c.enumValue(`${p}.key`, r.key, ['user', 'ip', 'global'], ' — omit it for user on routes with an authPolicy, ip on public routes');
    if (r.capacity !== undefined) c.integer(`${p}.capacity`, r.capacity, 1);
  });
}

function checkAuthPolicies(c: Checker, path: string, value: unknown): Policies {
  return checkPolicyList(c, path, value, AUTH_POLICY_FIELDS, (p, a) => {
    c.enumValue(`${p}.type`, a.type, ['jwt'], " — KrakenD CE validates JWTs only (auth/validator); API-key and basic auth are KrakenD Enterprise features");
    if (c.string(`${p}.iamEndpoint`, a.iamEndpoint, 'the IAM issuer URL, e.g. https://hanzo.id') && !isHttpUrl(a.iamEndpoint)) {
      c.add(`${p}.iamEndpoint`, `must be an http(s) URL with a host (got ${show(a.iamEndpoint)}) — the issuer exactly as tokens carry it in iss, e.g. https://hanzo.id`);
    }
    if (c.string(`${p}.jwksUrl`, a.jwksUrl, 'e.g. https://hanzo.id/.well-known/jwks')) checkJwksUrl(c, `${p}.jwksUrl`, a.jwksUrl, a.allowInsecureJwks === true);
    if (a.audience !== undefined && c.list(`${p}.audience`, a.audience)) {
      c.each(a.audience, (aud, j) => c.string(`${p}.audience[${j}]`, aud, 'an audience tokens must carry'));
    }
    if (a.userIdClaim !== undefined) c.string(`${p}.userIdClaim`, a.userIdClaim, 'the claim injected as X-User-Id, e.g. sub');
    if (a.orgIdClaim !== undefined) c.string(`${p}.orgIdClaim`, a.orgIdClaim, 'the claim injected as X-Org-Id, e.g. owner');
    if (a.cacheDuration !== undefined) c.integer(`${p}.cacheDuration`, a.cacheDuration, 1);
    if (a.allowInsecureJwks !== undefined) c.boolean(`${p}.allowInsecureJwks`, a.allowInsecureJwks);
  });
}

/** https, or http with the explicit opt-in (which renders `disable_jwk_security`). */
function checkJwksUrl(c: Checker, path: string, url: string, insecureAllowed: boolean): void {
  if (!isHttpUrl(url)) {
    c.add(path, `must be an https URL with a host and a valid port, if any (got ${show(url)}) — e.g. https://hanzo.id/.well-known/jwks`);
  } else if (url.startsWith('http://') && !insecureAllowed) {
    c.add(path, `must be https (got ${show(url)}) — keys fetched over http can be forged; for an in-cluster IAM set allowInsecureJwks: true`);
  }
}

function checkRoutes(
  c: Checker,
  path: string,
  value: unknown,
  rateLimits: Policies,
  authPolicies: Policies,
): void {
  if (value === undefined) {
    c.add(path, 'is required — list at least one route');
    return;
  }
  if (!c.list(path, value)) return;
  if (value.length === 0) c.add(path, 'must list at least one route');
  const routed = new Map<string, number>(); // "METHOD prefix" → first route index
  c.each(value, (r, i) => {
    const p = `${path}[${i}]`;
    if (!c.object(p, r, ROUTE_FIELDS)) return;
    const prefixOk = checkPrefix(c, `${p}.prefix`, r.prefix);
    checkBackend(c, `${p}.backend`, r.backend);
    const methods = checkMethods(c, `${p}.methods`, r.methods);
    if (r.stripPrefix !== undefined) c.boolean(`${p}.stripPrefix`, r.stripPrefix);
    if (r.timeout !== undefined) c.duration(`${p}.timeout`, r.timeout);
    const authenticated = r.authPolicy !== undefined;
    if (r.authPolicy !== undefined && c.string(`${p}.authPolicy`, r.authPolicy, 'the name of an entry of spec.authPolicies') && authPolicies && !authPolicies.has(r.authPolicy)) {
      c.add(`${p}.authPolicy`, `unknown auth policy ${show(r.authPolicy)} (defined: ${[...authPolicies.keys()].join(', ') || 'none'})`);
    }
    if (r.rateLimit !== undefined && c.string(`${p}.rateLimit`, r.rateLimit, 'the name of an entry of spec.rateLimits') && rateLimits) {
      const limit = rateLimits.get(r.rateLimit);
      if (!limit) c.add(`${p}.rateLimit`, `unknown rate limit ${show(r.rateLimit)} (defined: ${[...rateLimits.keys()].join(', ') || 'none'})`);
      else if (limit.key === 'user' && !authenticated) {
        c.add(`${p}.rateLimit`, `rate limit ${show(r.rateLimit)} counts per user, but the route has no authPolicy to identify users — add an authPolicy or use a limit with key ip or global`);
      }
    }
    if (r.inputHeaders !== undefined) checkInputHeaders(c, `${p}.inputHeaders`, r.inputHeaders, authenticated);
    if (prefixOk && methods) {
      for (const m of methods) {
        const key = `${m} ${r.prefix}`;
        const first = routed.get(key);
        if (first !== undefined) c.add(`${p}.methods`, `${m} ${r.prefix} is already routed by ${path}[${first}] — remove the method from one of them`);
        else routed.set(key, i);
      }
    }
  });
}

function checkPrefix(c: Checker, path: string, value: unknown): value is string {
  if (!c.string(path, value, 'e.g. /v1/chat')) return false;
  const problem = prefixProblem(value);
  if (problem) c.add(path, problem);
  return problem === undefined;
}

/** What is wrong with a prefix, the first thing found; undefined when it can be routed. */
function prefixProblem(prefix: string): string | undefined {
  const got = `(got ${show(prefix)})`;
  if (!prefix.startsWith('/')) return `must start with '/' ${got} — e.g. /${prefix.replace(/^\/*/, '')}`;
  if (prefix === '/') return undefined;
  const segments = prefix.slice(1).split('/');
  const tidy = `/${segments.filter((s) => s !== '').join('/')}`;
  if (prefix.endsWith('/')) return `must not end with '/' ${got} — write ${tidy}`;
  if (segments.includes('')) return `must not have an empty segment ${got} — write ${tidy}`;
  for (const segment of segments) {
    if (segment === '.' || segment === '..') return `must not have a '${segment}' segment ${got} — clients resolve it away, so the prefix could never match`;
    const bad = UNROUTABLE_CHAR.exec(segment)?.[0];
    if (bad !== undefined) {
      const why = WHY_NOT_IN_PREFIX[bad] ?? "a prefix holds only letters, digits and - . _ ~ ! $ ' ( ) + , ; = @";
      return `must not contain ${show(bad)} ${got} — ${why}`;
    }
  }
  if (RESERVED_SEGMENT.test(prefix)) return `is reserved by KrakenD: no segment may be __health, __debug or __echo ${got} — choose another prefix`;
  return undefined;
}

function checkBackend(c: Checker, path: string, value: unknown): void {
  if (!c.string(path, value, 'e.g. http://chat.hanzo.svc:80')) return;
  const problem = backendProblem(value);
  if (problem) c.add(path, problem);
}

/** What is wrong with a backend URL, the first thing found; undefined when KrakenD can use it. */
function backendProblem(url: string): string | undefined {
  const got = `(got ${show(url)})`;
  const shape = 'http(s)://host[:port][/base/path], e.g. http://chat.hanzo.svc:80';
  if (/\s/.test(url)) return `must not contain whitespace ${got} — ${shape}`;
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url);
  if (!scheme) return `must be an absolute URL ${got} — ${shape}`;
  if (scheme[1] !== 'http' && scheme[1] !== 'https') {
    const lower = scheme[1].toLowerCase();
    const fix = lower === 'http' || lower === 'https' ? `write the scheme in lower case: ${lower}://` : `${scheme[1]} is not http or https`;
    return `must be an http(s)://host[:port][/base/path] URL ${got} — ${fix}`;
  }
  const rest = url.slice(scheme[0].length);
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(rest)) return `has a doubled scheme ${got} — write ${rest.startsWith('http') ? rest : `${scheme[0]}${rest.replace(/^[^:]*:\/\//, '')}`}`;
  const authority = rest.split(/[/?#]/, 1)[0];
  if (authority.includes('@')) return `must not carry credentials (user:password@) ${got} — lura's host check refuses them; authenticate the gateway to the backend another way`;
  if (url.includes('?')) return `must not have a query string ${got} — KrakenD forwards the client's query string; a fixed one cannot be added here`;
  if (url.includes('#')) return `must not have a fragment ${got} — fragments never reach a server; remove it`;
  const hostPort = /^([^:]*)(?::(.*))?$/.exec(authority);
  const host = hostPort?.[1] ?? '';
  const port = hostPort?.[2];
  if (host === '') return `has no host ${got} — ${shape}`;
  if (!/^[A-Za-z0-9_]([A-Za-z0-9._-]*[A-Za-z0-9_])?$/.test(host) || host.includes('..')) {
    if (/^[A-Za-z0-9._-]+$/.test(host)) return `host ${show(host)} must not start or end with '.' or '-', nor hold '..' ${got} — ${shape}`;
  }
  if (!/^[A-Za-z0-9._-]+$/.test(host)) return `host ${show(host)} may only hold letters, digits, '.', '_' and '-' ${got} — KrakenD's host check refuses anything else (IPv6 literals included)`;
  if (port !== undefined) {
    const n = /^[0-9]{1,5}$/.test(port) ? Number(port) : NaN;
    if (!(n >= 1 && n <= 65535)) return `port must be a number from 1 to 65535 ${got}`;
    if (n < 10) return `port ${n} cannot be used ${got} — KrakenD's host check needs a port of 2 to 6 digits; serve the backend on port 10 or above`;
  }
  const base = rest.slice(authority.length);
  const badChar = [...base].find((ch) => !/^[A-Za-z0-9\-._~!$'()+,;=@:%/]$/.test(ch));
  if (badChar !== undefined) {
    const why = badChar === '{' || badChar === '}' ? 'KrakenD would read it as a parameter missing from the endpoint and refuse the config' : 'it is not a URL path character';
    return `base path must not contain ${show(badChar)} ${got} — ${why}`;
  }
  if (/%(?![0-9A-Fa-f]{2})/.test(base)) return `base path has a '%' not followed by two hex digits ${got} — percent-encode it as %25`;
  if (/\/\/|\/\.\.?(\/|$)/.test(base.replace(/\/$/, ''))) {
    return `base path must not hold an empty, '.' or '..' segment ${got} — write the path the backend serves, e.g. /api`;
  }
  // The renderer's own parser must agree with everything accepted above.
  return parseBackendUrl(url) ? undefined : `must be ${shape} ${got}`;
}

/** The methods when valid; reports each bad one. */
function checkMethods(c: Checker, path: string, value: unknown): string[] | undefined {
  if (value === undefined) return [...DEFAULTS.methods];
  if (!c.list(path, value)) return undefined;
  if (value.length === 0) {
    c.add(path, 'must list at least one method — omit it for [GET]');
    return undefined;
  }
  let ok = true;
  c.each(value, (m, j) => {
    if (typeof m === 'string' && (HTTP_METHODS as readonly string[]).includes(m)) return;
    ok = false;
    const upper = typeof m === 'string' ? m.toUpperCase() : '';
    const why =
      upper === 'HEAD' || upper === 'OPTIONS'
        ? ' — KrakenD CE cannot route HEAD or OPTIONS'
        : (HTTP_METHODS as readonly string[]).includes(upper)
          ? ` — write it in capitals: ${upper}`
          : '';
    c.add(`${path}[${j}]`, `must be one of ${HTTP_METHODS.join(', ')} (got ${show(m)})${why}`);
  });
  return ok ? [...new Set(value as string[])] : undefined;
}

function checkInputHeaders(c: Checker, path: string, value: unknown, authenticated: boolean): void {
  if (!c.list(path, value)) return;
  c.each(value, (h, j) => {
    const p = `${path}[${j}]`;
    if (h === '*') c.add(p, 'must not be * — forwarding every client header lets clients forge X-User-Id and X-Org-Id; list the headers');
    else if (typeof h !== 'string' || !HEADER_NAME.test(h)) c.add(p, `must be a header name: letters, digits and '-' (got ${show(h)})`);
    else if (!authenticated && [USER_ID_HEADER, ORG_ID_HEADER].some((x) => x.toLowerCase() === h.toLowerCase())) {
      c.add(p, `${h} is an identity header set by an auth policy; a public route must not forward a client's copy (got ${show(h)}) — add an authPolicy or remove it`);
    }
  });
}

function checkIngress(c: Checker, path: string, value: unknown): void {
  if (!c.object(path, value, INGRESS_FIELDS)) return;
  if (value.enabled !== undefined) c.boolean(`${path}.enabled`, value.enabled);
  if (value.className !== undefined) checkObjectName(c, `${path}.className`, value.className, 'an IngressClass');
  if (value.hosts !== undefined && c.list(`${path}.hosts`, value.hosts)) {
    if (value.hosts.length === 0) c.add(`${path}.hosts`, 'must list at least one host — omit it for api.hanzo.ai');
    const seen = new Map<string, number>();
    c.each(value.hosts, (h, i) => {
      const p = `${path}.hosts[${i}]`;
      if (typeof h !== 'string' || h.length > 253 || !WILDCARD_HOST.test(h) || h.split('.').some((label) => label.length > 63)) {
        const lower = typeof h === 'string' && h !== h.toLowerCase() && WILDCARD_HOST.test(h.toLowerCase()) ? ` — write it in lower case: ${h.toLowerCase()}` : '';
        c.add(p, `must be a DNS name such as api.hanzo.ai or *.hanzo.ai (got ${show(h)})${lower}`);
        return;
      }
      const first = seen.get(h);
      if (first !== undefined) c.add(p, `duplicate host ${show(h)} (also ${path}.hosts[${first}]) — list each host once`);
      else seen.set(h, i);
    });
  }
  if (value.tls !== undefined && c.object(`${path}.tls`, value.tls, TLS_FIELDS)) {
    const tls = value.tls;
    if (tls.enabled !== undefined) c.boolean(`${path}.tls.enabled`, tls.enabled);
    if (tls.secretName !== undefined) checkObjectName(c, `${path}.tls.secretName`, tls.secretName, 'a Secret');
  }
  if (value.clusterIssuer !== undefined) checkObjectName(c, `${path}.clusterIssuer`, value.clusterIssuer, 'a ClusterIssuer');
  if (value.annotations !== undefined && c.map(`${path}.annotations`, value.annotations)) {
    for (const [k, v] of Object.entries(value.annotations)) {
      const p = `${path}.annotations.${k}`;
      const keyProblem = metadataKeyProblem(k, 'annotation');
      if (keyProblem) c.add(p, keyProblem);
      if (typeof v !== 'string') c.add(p, `must be a string (got ${typeOf(v)} ${show(v)}) — quote it in YAML`);
    }
    if (value.clusterIssuer !== undefined && CLUSTER_ISSUER_ANNOTATION in value.annotations) {
      c.add(`${path}.annotations.${CLUSTER_ISSUER_ANNOTATION}`, `sets the issuer that clusterIssuer also sets — keep one of them`);
    }
  }
}

/** A Kubernetes object name: a DNS-1123 subdomain. */
function checkObjectName(c: Checker, path: string, value: unknown, what: string): void {
  if (typeof value !== 'string' || value.length > 253 || !DNS_1123_SUBDOMAIN.test(value)) {
    c.add(path, `must be the name of ${what}: a DNS-1123 subdomain, lower-case letters, digits, '-' and '.' (got ${show(value)})`);
  }
}

/** Why a label or annotation key is invalid; undefined when it is a qualified name. */
export function metadataKeyProblem(key: string, what: 'label' | 'annotation'): string | undefined {
  if (isQualifiedName(key)) return undefined;
  return `is not ${what === 'label' ? 'a label' : 'an annotation'} key (got ${show(key)}) — an optional DNS prefix and '/', then up to 63 letters, digits, '-', '_' or '.'`;
}

/** Why a label value is invalid; undefined when Kubernetes accepts it. */
export function labelValueProblem(value: string): string | undefined {
  if (value.length <= 63 && LABEL_VALUE.test(value)) return undefined;
  return `is not a label value (got ${show(value)}) — at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`;
}

function isQualifiedName(key: string): boolean {
  const m = QUALIFIED_NAME.exec(key);
  return m !== null && (m[2] ?? '').length <= 253 && m[6].length <= 63;
}

function checkResources(c: Checker, path: string, value: unknown): void {
  if (!c.object(path, value, RESOURCES_FIELDS)) return;
  const [requests, limits] = RESOURCES_FIELDS.map((kind) => checkQuantities(c, `${path}.${kind}`, value[kind]));
  for (const [res, request] of requests) {
    const limit = limits.get(res);
    // A relative margin: 0.1 and 100m are equal, though their float values may differ in the last bit.
    if (limit !== undefined && request.amount > limit.amount * (1 + 1e-12)) {
      c.add(`${path}.requests.${res}`, `must not exceed the limit (request ${show(request.text)}, limit ${show(limit.text)}) — Kubernetes refuses the pod; raise the limit or lower the request`);
    }
  }
}

/** The valid quantities of a requests or limits map, by resource name. */
function checkQuantities(c: Checker, path: string, value: unknown): Map<string, { amount: number; text: unknown }> {
  const out = new Map<string, { amount: number; text: unknown }>();
  if (value === undefined || !c.map(path, value)) return out;
  for (const [res, q] of Object.entries(value)) {
    const p = `${path}.${res}`;
    if (!isResourceName(res)) {
      const near = suggestion(res, STANDARD_RESOURCES);
      c.add(p, `unknown resource ${show(res)} — ${near.startsWith('did') ? `${near} ` : ''}use cpu, memory, ephemeral-storage, hugepages-<size> or a domain-qualified extended resource such as example.com/gpu`);
    }
    const text = isObject(q) ? q.value : q;
    const amount = quantityAmount(text);
    if (amount === undefined) c.add(p, `must be a quantity such as 250m, 0.5, 512Mi or a whole number (got ${show(q)})`);
    else out.set(res, { amount, text });
  }
  return out;
}

function isResourceName(name: string): boolean {
  return STANDARD_RESOURCES.includes(name) || /^hugepages-[A-Za-z0-9]+$/.test(name) || (name.includes('/') && isQualifiedName(name));
}

/** The amount of a quantity (an integer, or a string such as 250m or 1Gi); undefined when invalid. */
function quantityAmount(q: unknown): number | undefined {
  if (typeof q === 'number') return Number.isSafeInteger(q) && q >= 0 ? q : undefined;
  if (typeof q !== 'string') return undefined;
  const m = QUANTITY.exec(q);
  if (!m) return undefined;
  const suffix = m[3] ?? '';
  const scale = /^[eE]./.test(suffix) ? 10 ** Number(suffix.slice(1)) : QUANTITY_SCALE[suffix];
  return Number(m[1]) * scale;
}

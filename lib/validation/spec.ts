// Validation of a Gateway spec of unknown shape: structure, types and ranges, references between
// routes and policies, and what KrakenD CE would refuse. No input shape makes it throw.
import { parseBackendUrl } from '../backend-url';
import { HTTP_METHODS, ORG_ID_HEADER, USER_ID_HEADER } from '../spec';
import { Checker, ValidationProblem, isObject, show, typeOf } from './checker';

const PREFIX = /^\/([^/*?&%{}]+(\/[^/*?&%{}]+)*)?$/;
const RESERVED = /^\/__(health|debug|echo)(\/|$)/;
const HEADER_NAME = /^[A-Za-z0-9-]+$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const WILDCARD_HOST = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUANTITY = /^[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

const SPEC_FIELDS = ['image', 'replicas', 'routes', 'rateLimits', 'authPolicies', 'ingress', 'resources', 'timeout', 'prefixDepth'];
const IMAGE_FIELDS = ['repository', 'tag', 'pullPolicy'];
const ROUTE_FIELDS = ['prefix', 'backend', 'methods', 'stripPrefix', 'rateLimit', 'authPolicy', 'timeout', 'inputHeaders'];
const RATE_LIMIT_FIELDS = ['name', 'maxRate', 'every', 'key', 'capacity'];
const AUTH_POLICY_FIELDS = ['name', 'type', 'iamEndpoint', 'jwksUrl', 'audience', 'userIdClaim', 'orgIdClaim', 'cacheDuration', 'allowInsecureJwks'];
const INGRESS_FIELDS = ['enabled', 'className', 'hosts', 'tls', 'clusterIssuer', 'annotations'];
const TLS_FIELDS = ['enabled', 'secretName'];
const RESOURCES_FIELDS = ['requests', 'limits'];

/** Problems with a Gateway's name and namespace. */
export function validateMetadata(name: unknown, namespace: unknown, path = 'metadata'): ValidationProblem[] {
  const c = new Checker();
  if (typeof name !== 'string' || name.length > 63 || !DNS_1035_LABEL.test(name)) {
    c.add(`${path}.name`, `must be a DNS-1035 label of at most 63 characters: lower-case letters, digits and '-', starting with a letter (got ${show(name)}) — it names the Deployment and Service`);
  }
  if (namespace !== undefined && (typeof namespace !== 'string' || namespace.length > 63 || !DNS_1123_LABEL.test(namespace))) {
    c.add(`${path}.namespace`, `must be a DNS-1123 label: lower-case letters, digits and '-' (got ${show(namespace)})`);
  }
  return c.problems;
}

/** Every problem with a spec of unknown shape; empty when it is valid. */
export function validateSpec(spec: unknown, path = 'spec'): ValidationProblem[] {
  const c = new Checker();
  if (!c.object(path, spec, SPEC_FIELDS)) return c.problems;

  if (spec.image !== undefined && c.object(`${path}.image`, spec.image, IMAGE_FIELDS)) {
    const image = spec.image;
    c.string(`${path}.image.repository`, image.repository, 'e.g. ghcr.io/hanzoai/gateway');
    c.string(`${path}.image.tag`, image.tag, 'e.g. 2.14.1');
    if (image.pullPolicy !== undefined) c.enumValue(`${path}.image.pullPolicy`, image.pullPolicy, ['Always', 'IfNotPresent', 'Never']);
  }
  if (spec.replicas !== undefined) c.integer(`${path}.replicas`, spec.replicas, 1);
  if (spec.timeout !== undefined) c.duration(`${path}.timeout`, spec.timeout);
  if (spec.prefixDepth !== undefined) c.integer(`${path}.prefixDepth`, spec.prefixDepth, 0, 16);

  const rateLimits = checkRateLimits(c, `${path}.rateLimits`, spec.rateLimits);
  const authPolicies = checkAuthPolicies(c, `${path}.authPolicies`, spec.authPolicies);
  checkRoutes(c, `${path}.routes`, spec.routes, rateLimits, authPolicies);
  if (spec.ingress !== undefined) checkIngress(c, `${path}.ingress`, spec.ingress);
  if (spec.resources !== undefined) checkResources(c, `${path}.resources`, spec.resources);
  return c.problems;
}

/** Rate limits by name (the first of each name), after checking each entry. */
function checkRateLimits(c: Checker, path: string, value: unknown): Map<string, Record<string, unknown>> {
  const byName = new Map<string, Record<string, unknown>>();
  if (value === undefined || !c.list(path, value)) return byName;
  value.forEach((r, i) => {
    const p = `${path}[${i}]`;
    if (!c.object(p, r, RATE_LIMIT_FIELDS)) return;
    if (c.string(`${p}.name`, r.name) && !byName.has(r.name)) byName.set(r.name, r);
    c.integer(`${p}.maxRate`, r.maxRate, 1);
    c.duration(`${p}.every`, r.every, 1000);
    if (r.key !== undefined) c.enumValue(`${p}.key`, r.key, ['user', 'ip', 'global']);
    if (r.capacity !== undefined) c.integer(`${p}.capacity`, r.capacity, 1);
  });
  c.uniqueNames(path, value);
  return byName;
}

function checkAuthPolicies(c: Checker, path: string, value: unknown): Map<string, Record<string, unknown>> {
  const byName = new Map<string, Record<string, unknown>>();
  if (value === undefined || !c.list(path, value)) return byName;
  value.forEach((a, i) => {
    const p = `${path}[${i}]`;
    if (!c.object(p, a, AUTH_POLICY_FIELDS)) return;
    if (c.string(`${p}.name`, a.name) && !byName.has(a.name)) byName.set(a.name, a);
    c.enumValue(`${p}.type`, a.type, ['jwt'], ' — only IAM-issued JWTs are supported');
    if (c.string(`${p}.iamEndpoint`, a.iamEndpoint, 'the IAM issuer URL, e.g. https://hanzo.id') && !/^https?:\/\/[^\s/?#]+/.test(a.iamEndpoint)) {
      c.add(`${p}.iamEndpoint`, `must be an http(s) URL (got ${show(a.iamEndpoint)}) — the issuer tokens carry as iss`);
    }
    if (c.string(`${p}.jwksUrl`, a.jwksUrl, 'e.g. https://hanzo.id/.well-known/jwks')) {
      const insecureAllowed = a.allowInsecureJwks === true;
      if (!/^https:\/\/[^\s/?#]+/.test(a.jwksUrl) && !(insecureAllowed && /^http:\/\/[^\s/?#]+/.test(a.jwksUrl))) {
        c.add(`${p}.jwksUrl`, `must be an https URL (got ${show(a.jwksUrl)})${/^http:/.test(a.jwksUrl) ? ' — set allowInsecureJwks: true for an in-cluster IAM' : ''}`);
      }
    }
    if (a.audience !== undefined && c.list(`${p}.audience`, a.audience)) {
      a.audience.forEach((aud, j) => c.string(`${p}.audience[${j}]`, aud));
    }
    if (a.userIdClaim !== undefined) c.string(`${p}.userIdClaim`, a.userIdClaim);
    if (a.orgIdClaim !== undefined) c.string(`${p}.orgIdClaim`, a.orgIdClaim);
    if (a.cacheDuration !== undefined) c.integer(`${p}.cacheDuration`, a.cacheDuration, 1);
    if (a.allowInsecureJwks !== undefined) c.boolean(`${p}.allowInsecureJwks`, a.allowInsecureJwks);
  });
  c.uniqueNames(path, value);
  return byName;
}

function checkRoutes(
  c: Checker,
  path: string,
  value: unknown,
  rateLimits: Map<string, Record<string, unknown>>,
  authPolicies: Map<string, Record<string, unknown>>,
): void {
  if (value === undefined) {
    c.add(path, 'is required — list at least one route');
    return;
  }
  if (!c.list(path, value)) return;
  if (value.length === 0) c.add(path, 'must list at least one route');
  const routed = new Map<string, number>(); // "METHOD prefix" → first route index
  value.forEach((r, i) => {
    const p = `${path}[${i}]`;
    if (!c.object(p, r, ROUTE_FIELDS)) return;
    const prefixOk = checkPrefix(c, `${p}.prefix`, r.prefix);
    checkBackend(c, `${p}.backend`, r.backend);
    const methods = checkMethods(c, `${p}.methods`, r.methods);
    if (r.stripPrefix !== undefined) c.boolean(`${p}.stripPrefix`, r.stripPrefix);
    if (r.timeout !== undefined) c.duration(`${p}.timeout`, r.timeout);
    const authenticated = r.authPolicy !== undefined;
    if (r.authPolicy !== undefined && c.string(`${p}.authPolicy`, r.authPolicy) && !authPolicies.has(r.authPolicy)) {
      c.add(`${p}.authPolicy`, `unknown auth policy ${show(r.authPolicy)} (defined: ${[...authPolicies.keys()].join(', ') || 'none'})`);
    }
    if (r.rateLimit !== undefined && c.string(`${p}.rateLimit`, r.rateLimit)) {
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
  if (!PREFIX.test(value)) {
    c.add(path, `must start with '/', have no empty segment or trailing '/', and none of * ? & % { } (got ${show(value)})`);
    return false;
  }
  if (RESERVED.test(value)) {
    c.add(path, `is reserved by KrakenD (/__health, /__debug, /__echo) (got ${show(value)}) — choose another prefix`);
    return false;
  }
  return true;
}

function checkBackend(c: Checker, path: string, value: unknown): void {
  if (!c.string(path, value, 'e.g. http://chat.hanzo.svc:80')) return;
  const url = parseBackendUrl(value);
  if (!url) {
    c.add(path, `must be http(s)://host[:port][/base/path] with no query, fragment, credentials or doubled scheme (got ${show(value)})`);
  } else if (url.port !== undefined && (url.port < 10 || url.port > 65535)) {
    c.add(path, `port must be from 10 to 65535 (got ${url.port})${url.port < 10 ? " — KrakenD's host check needs a port of at least 2 digits" : ''}`);
  }
}

/** The methods when valid; reports each bad one. */
function checkMethods(c: Checker, path: string, value: unknown): string[] | undefined {
  if (value === undefined) return ['GET'];
  if (!c.list(path, value)) return undefined;
  if (value.length === 0) {
    c.add(path, 'must list at least one method (omit it for [GET])');
    return undefined;
  }
  let ok = true;
  value.forEach((m, j) => {
    if (typeof m === 'string' && (HTTP_METHODS as readonly string[]).includes(m)) return;
    ok = false;
    const why = m === 'HEAD' || m === 'OPTIONS' ? ' — KrakenD CE cannot route HEAD or OPTIONS' : '';
    c.add(`${path}[${j}]`, `must be one of ${HTTP_METHODS.join(', ')} (got ${show(m)})${why}`);
  });
  return ok ? [...new Set(value as string[])] : undefined;
}

function checkInputHeaders(c: Checker, path: string, value: unknown, authenticated: boolean): void {
  if (!c.list(path, value)) return;
  value.forEach((h, j) => {
    const p = `${path}[${j}]`;
    if (h === '*') c.add(p, 'must not be * — forwarding every client header lets clients forge X-User-Id and X-Org-Id; list the headers');
    else if (typeof h !== 'string' || !HEADER_NAME.test(h)) c.add(p, `must be a header name (got ${show(h)})`);
    else if (!authenticated && [USER_ID_HEADER, ORG_ID_HEADER].some((x) => x.toLowerCase() === h.toLowerCase())) {
      c.add(p, `${h} is an identity header set by an auth policy; a public route must not forward a client's copy — add an authPolicy or remove it`);
    }
  });
}

function checkIngress(c: Checker, path: string, value: unknown): void {
  if (!c.object(path, value, INGRESS_FIELDS)) return;
  if (value.enabled !== undefined) c.boolean(`${path}.enabled`, value.enabled);
  if (value.className !== undefined && c.string(`${path}.className`, value.className) && !DNS_1123_SUBDOMAIN.test(value.className)) {
    c.add(`${path}.className`, `must be a DNS-1123 subdomain (got ${show(value.className)})`);
  }
  if (value.hosts !== undefined && c.list(`${path}.hosts`, value.hosts)) {
    if (value.hosts.length === 0) c.add(`${path}.hosts`, 'must list at least one host (omit it for api.hanzo.ai)');
    value.hosts.forEach((h, i) => {
      if (typeof h !== 'string' || h.length > 253 || !WILDCARD_HOST.test(h)) c.add(`${path}.hosts[${i}]`, `must be a DNS name such as api.hanzo.ai (got ${show(h)})`);
    });
  }
  if (value.tls !== undefined && c.object(`${path}.tls`, value.tls, TLS_FIELDS)) {
    const tls = value.tls;
    if (tls.enabled !== undefined) c.boolean(`${path}.tls.enabled`, tls.enabled);
    if (tls.secretName !== undefined && (typeof tls.secretName !== 'string' || tls.secretName.length > 253 || !DNS_1123_SUBDOMAIN.test(tls.secretName))) {
      c.add(`${path}.tls.secretName`, `must be a Secret name: a DNS-1123 subdomain (got ${show(tls.secretName)})`);
    }
  }
  if (value.clusterIssuer !== undefined) c.string(`${path}.clusterIssuer`, value.clusterIssuer);
  if (value.annotations !== undefined && c.map(`${path}.annotations`, value.annotations)) {
    for (const [k, v] of Object.entries(value.annotations)) {
      if (typeof v !== 'string') c.add(`${path}.annotations.${k}`, `must be a string (got ${typeOf(v)} ${show(v)}) — quote it in YAML`);
    }
  }
}

function checkResources(c: Checker, path: string, value: unknown): void {
  if (!c.object(path, value, RESOURCES_FIELDS)) return;
  for (const kind of RESOURCES_FIELDS) {
    const map = value[kind];
    if (map === undefined || !c.map(`${path}.${kind}`, map)) continue;
    for (const [res, q] of Object.entries(map)) {
      const v = isObject(q) ? q.value : q;
      const ok = (typeof v === 'number' && Number.isFinite(v) && v >= 0) || (typeof v === 'string' && QUANTITY.test(v));
      if (!ok) c.add(`${path}.${kind}.${res}`, `must be a quantity such as 250m, 2 or 512Mi (got ${show(q)})`);
    }
  }
}

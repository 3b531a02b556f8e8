// The headers a route sets on its backend requests and deletes from its backend's responses (martian
// modifiers on the backend), and the security headers of every response (`security/http`).
//
// A Secret's value never enters krakend.json: the pod gets it as an environment variable, and the
// header's value in krakend.json is a Go template that reads it. KrakenD CE parses its config as a
// template when FC_ENABLE is set, as the Deployment does (lib/kubernetes/deployment.ts; krakend-ce
// cmd/krakend-ce/main.go; krakend-flexibleconfig template.go, NewTemplateParser), with sprig's
// functions, `env` among them (sprig functions.go, GenericFuncMap), plus its own `marshal` (JSON). It
// does so once, at start, so the value is fixed for the life of the process, as a Secret in the
// environment is. docs/design.md says why this and not Lua or KrakenD's own environment overrides.
import { ResolvedGatewaySpec, ResolvedRoute } from '../resolve';
import { BackendExtraConfig, MartianBlacklist, MartianConfig, MartianHeaderModifier, SecurityHttpConfig } from './types';

/**
 * The template that stands for a Secret's value inside a JSON string of krakend.json. `marshal`
 * writes the value as a JSON string, quotes and backslashes escaped, and `substr` drops its two
 * quotes: a key holding `"` or `\` arrives as it is in the Secret. Raw strings (backquotes) keep the
 * template free of `"` and `\`, so krakend.json stays valid JSON before templating too.
 */
export function secretValueTemplate(env: string): string {
  return `{{ $v := marshal (env \`${env}\`) }}{{ substr 1 (int (sub (len $v) 1)) $v }}`;
}

/**
 * A route's backend martian block: `base` (what martian.ts deletes for a backend outside the
 * cluster) first, then the headers the route sets, then the response headers it deletes, in one
 * `fifo.Group` when there are several (google/martian fifo/fifo_group.go runs them in order). The
 * same as `base` for a route without header fields, so those render as before.
 */
export function routeMartianConfig(route: ResolvedRoute, base: BackendExtraConfig | undefined): BackendExtraConfig | undefined {
  const modifiers: (MartianBlacklist | MartianHeaderModifier)[] = [];
  const own = base?.['modifier/martian'];
  if (own !== undefined) modifiers.push(own as MartianBlacklist);
  for (const [name, value] of Object.entries(route.requestHeaders)) modifiers.push(setHeader(name, value));
  for (const { header, env } of route.secretHeaders) modifiers.push(setHeader(header, secretValueTemplate(env)));
  const removed = route.removeResponseHeaders;
  if (removed.length > 0) modifiers.push({ 'header.Blacklist': { scope: ['response'], names: [...removed] } });
  if (modifiers.length === 0) return undefined;
  const martian: MartianConfig = modifiers.length === 1 ? modifiers[0] : { 'fifo.Group': { scope: ['request', 'response'], modifiers } };
  return { 'modifier/martian': martian };
}

function setHeader(name: string, value: string): MartianHeaderModifier {
  return { 'header.Modifier': { scope: ['request'], name, value } };
}

/**
 * The service's `security/http` block, or undefined when security headers are off. krakend-httpsecure
 * adds them to every response, the gateway's own errors included (a gin middleware: krakend-ce
 * router_engine.go, httpsecure.Register). HSTS is forced: behind the TLS Ingress KrakenD sees plain
 * HTTP, and unrolled/secure sends Strict-Transport-Security only on a request it takes for HTTPS unless
 * `force_sts_header` is set (secure.go, processRequest); browsers ignore the header on plain HTTP
 * (RFC 6797 8.1), so forcing it costs nothing there.
 */
export function securityHttpConfig(spec: ResolvedGatewaySpec): SecurityHttpConfig | undefined {
  const headers = spec.securityHeaders;
  if (headers === undefined) return undefined;
  const { hstsMaxAge: maxAge, hstsIncludeSubdomains: subdomains } = headers;
  return {
    ...(maxAge > 0 ? { sts_seconds: maxAge, force_sts_header: true, ...(subdomains ? { sts_include_subdomains: true } : {}) } : {}),
    ...(headers.contentTypeNosniff ? { content_type_nosniff: true } : {}),
    ...(headers.frameDeny ? { frame_deny: true } : {}),
    referrer_policy: headers.referrerPolicy,
  };
}

// The bytes of the smallest modifiers the martian block holds, without their names and values:
// {"header.Modifier":{"scope":["request"],"name":"","value":""}} and
// {"header.Blacklist":{"scope":["response"],"names":[]}}.
const SET_HEADER_BYTES = 62;
const REMOVE_HEADERS_BYTES = 54;
// "security/http":{"referrer_policy":""}
const SECURITY_HTTP_BYTES = 38;

/**
 * A lower bound of the bytes the header fields add to each endpoint of `route` (lib/krakend/size.ts):
 * each set header's modifier with its name and value (a Secret's as its template), and the response
 * blacklist with its names. Wrappers, commas and escapes are not counted.
 */
export function minRouteHeaderBytes(route: ResolvedRoute): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(route.requestHeaders)) bytes += SET_HEADER_BYTES + name.length + value.length;
  for (const { header } of route.secretHeaders) bytes += SET_HEADER_BYTES + header.length + secretValueTemplate('').length;
  const removed = route.removeResponseHeaders;
  if (removed.length > 0) bytes += REMOVE_HEADERS_BYTES + removed.reduce((n, h) => n + h.length + 2, 0);
  return bytes;
}

/** A lower bound of the bytes of the `security/http` block: its key and the referrer policy. */
export function minSecurityHttpBytes(spec: ResolvedGatewaySpec): number {
  const config = securityHttpConfig(spec);
  return config === undefined ? 0 : SECURITY_HTTP_BYTES + config.referrer_policy.length;
}

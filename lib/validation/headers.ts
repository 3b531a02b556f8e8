// Checks of the headers a route sets on backend requests (`requestHeaders`, `secretHeaders`), the
// ones it deletes from responses (`removeResponseHeaders`), and the gateway's `securityHeaders`.
import { HOP_BY_HOP_HEADERS, headerValueControl, isHeaderToken, sameHeader } from '../grammar/headers';
import { isDataKey, isDns1123Subdomain } from '../grammar/names';
import { isObject, show } from '../grammar/values';
import {
  MAX_HEADER_NAME_LENGTH,
  MAX_HEADER_VALUE_LENGTH,
  MAX_HSTS_MAX_AGE_SECONDS,
  MAX_LIST_ITEMS,
  MAX_REMOVE_RESPONSE_HEADERS,
  MAX_ROUTE_SET_HEADERS,
  MAX_ROUTES,
} from '../limits';
import { AUTHORIZATION_HEADER, ORG_ID_HEADER, REFERRER_POLICIES, USER_ID_HEADER } from '../spec';
import { Checker } from './checker';
import { HSTS_FIELDS, SECRET_HEADER_FIELDS, SECRET_KEY_FIELDS, SECURITY_HEADERS_FIELDS } from './fields';

// Set on a request, these change its framing or its connection: Go's net/http drops the hop-by-hop
// ones and martian reads Content-Length as the body's length (google/martian proxyutil/header.go, Set).
const NOT_SET = [...HOP_BY_HOP_HEADERS, 'Content-Length'];
// Deleted from a response, these would leave the client unable to read its body.
const NOT_REMOVED = ['Content-Length', 'Transfer-Encoding'];

/** What checkRouteHeaders needs to know about the route and the spec. */
export interface RouteHeaderContext {
  /** The route's auth policy, when it names one. */
  readonly authPolicy: string | undefined;
  /** Headers of the auth policies' propagateClaims, lower-case, with the policies that set each. */
  readonly claimHeaders: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * A route's `requestHeaders`, `secretHeaders`, `overrideAuthorization` and `removeResponseHeaders`.
 * The set headers replace the client's copies on the backend request (martian runs on the request
 * lura built: krakend-martian martian.go, HTTPRequestExecutor), so they must not be headers a proxy
 * drops, identity headers an auth policy vouches for, or the client's token without an opt-in.
 */
export function checkRouteHeaders(c: Checker, p: string, route: Record<string, unknown>, context: RouteHeaderContext): void {
  const set = new Map<string, string>(); // lower-case name → where it is set
  let setsAuthorization = false;
  const name = (at: string, header: string) => {
    if (!checkSetHeaderName(c, at, header, route.overrideAuthorization === true, context)) return;
    const lower = header.toLowerCase();
    const first = set.get(lower);
    if (first !== undefined) c.add(at, `sets ${header} again, already set at ${first} (got ${show(header)}) — set each header once`);
    else set.set(lower, at);
    if (lower === AUTHORIZATION_HEADER.toLowerCase()) setsAuthorization = true;
  };
  const requestHeaders = route.requestHeaders;
  let count = 0; // the headers set, valid or not
  if (requestHeaders !== undefined && c.map(`${p}.requestHeaders`, requestHeaders)) {
    const entries = Object.entries(requestHeaders);
    count = entries.length;
    if (entries.length > MAX_ROUTE_SET_HEADERS) c.add(`${p}.requestHeaders`, tooMany(entries.length));
    else
      for (const [header, value] of entries) {
        const at = `${p}.requestHeaders.${header}`;
        name(at, header);
        checkHeaderValue(c, at, value);
      }
  }
  if (route.secretHeaders !== undefined && c.list(`${p}.secretHeaders`, route.secretHeaders, MAX_ROUTE_SET_HEADERS)) {
    count += route.secretHeaders.length;
    if (count > MAX_ROUTE_SET_HEADERS) c.add(`${p}.secretHeaders`, tooMany(count));
    else
      c.each(route.secretHeaders, (entry, j) => {
        const at = `${p}.secretHeaders[${j}]`;
        if (!c.object(at, entry, SECRET_HEADER_FIELDS)) return;
        if (c.string(`${at}.header`, entry.header, 'the header it is sent in, e.g. X-Api-Key', MAX_HEADER_NAME_LENGTH))
          name(`${at}.header`, entry.header);
        checkSecretKey(c, `${at}.secret`, entry.secret);
      });
  }
  if (route.overrideAuthorization !== undefined) {
    c.boolean(`${p}.overrideAuthorization`, route.overrideAuthorization);
    if (route.overrideAuthorization === true && (context.authPolicy === undefined || !setsAuthorization)) {
      c.add(
        `${p}.overrideAuthorization`,
        'is true on a route that ' +
          (context.authPolicy === undefined ? 'has no authPolicy, where Authorization may be set anyway' : 'sets no Authorization header') +
          ' (got true) — remove it',
      );
    }
  }
  if (route.removeResponseHeaders !== undefined) checkRemovedHeaders(c, `${p}.removeResponseHeaders`, route.removeResponseHeaders);
}

function tooMany(n: number): string {
  return `sets ${n} headers, more than the ${MAX_ROUTE_SET_HEADERS} a route may set in requestHeaders and secretHeaders together — set fewer`;
}

/** A header name a route may set; reports what is wrong and returns false otherwise. */
function checkSetHeaderName(c: Checker, at: string, header: string, overrideAuthorization: boolean, context: RouteHeaderContext): boolean {
  const got = `(got ${show(header)})`;
  if (!headerName(c, at, header)) return false;
  const lower = header.toLowerCase();
  const framing = sameHeader(NOT_SET, header);
  const identity = sameHeader([USER_ID_HEADER, ORG_ID_HEADER], header);
  const setBy = context.claimHeaders.get(lower);
  if (framing !== undefined)
    c.add(at, `must not be ${framing}, a connection or framing header the proxy drops or rewrites ${got} — choose another header`);
  else if (identity !== undefined)
    c.add(at, `must not be ${identity}, the identity header an auth policy sets from a validated token ${got} — choose another header`);
  else if (setBy !== undefined)
    c.add(at, `must not be ${header}, an identity header of auth policy ${[...setBy].join(', ')} (propagateClaims) ${got} — choose another header`);
  else if (lower === AUTHORIZATION_HEADER.toLowerCase() && context.authPolicy !== undefined && !overrideAuthorization)
    c.add(
      at,
      `would replace the client's token on a route of auth policy ${context.authPolicy} ${got} — ` +
        'set overrideAuthorization: true to send this value to the backend instead, or choose another header',
    );
  else return true;
  return false;
}

/** An RFC 9110 field name of at most MAX_HEADER_NAME_LENGTH characters. */
function headerName(c: Checker, at: string, header: string): boolean {
  if (header.length > 0 && header.length <= MAX_HEADER_NAME_LENGTH && isHeaderToken(header)) return true;
  c.add(
    at,
    `must be a header name of 1 to ${MAX_HEADER_NAME_LENGTH} letters, digits and ! # $ % & ' * + - . ^ _ \` | ~ (RFC 9110) ` +
      `(got ${show(header)}) — e.g. X-Api-Version`,
  );
  return false;
}

function checkHeaderValue(c: Checker, at: string, value: unknown): void {
  // What Go's HTTP client refuses first; a tab is data in a field value (RFC 9110, 5.5), and the
  // other characters the Checker refuses in every string (C1, line separators, bidi controls) are refused too.
  const control = typeof value === 'string' ? headerValueControl(value) : undefined;
  if (control !== undefined) {
    c.add(at, `must not hold the control character ${show(control)} (got ${show(value)}) — Go's HTTP client refuses to send such a value`);
    return;
  }
  if (!c.string(at, value, 'give the value to send', MAX_HEADER_VALUE_LENGTH, { allowTab: true })) return;
  if (value.trim() !== value) c.add(at, `must not start or end with white space (got ${show(value)}) — the backend would read the value without it`);
}

/** A Secret and key in the gateway's namespace: `{ name, key }`. */
export function checkSecretKey(c: Checker, at: string, value: unknown): void {
  if (!c.object(at, value, SECRET_KEY_FIELDS)) return;
  if (!isDns1123Subdomain(value.name))
    c.add(
      `${at}.name`,
      `must be a Secret name: a DNS-1123 subdomain of at most 253 lower-case letters, digits, '-' and '.' (got ${show(value.name)})`,
    );
  if (!isDataKey(value.key))
    c.add(`${at}.key`, `must be a key of the Secret's data: at most 253 letters, digits, '-', '_' and '.', not '.' or '..' (got ${show(value.key)})`);
}

function checkRemovedHeaders(c: Checker, path: string, value: unknown): void {
  if (!c.list(path, value, MAX_REMOVE_RESPONSE_HEADERS)) return;
  const seen = new Map<string, number>();
  c.each(value, (h, j) => {
    const at = `${path}[${j}]`;
    if (!c.string(at, h, 'a response header to delete, e.g. Server', MAX_HEADER_NAME_LENGTH) || !headerName(c, at, h)) return;
    const framing = sameHeader(NOT_REMOVED, h);
    const first = seen.get(h.toLowerCase());
    if (framing !== undefined)
      c.add(at, `must not be ${framing}: without it the client could not tell where the body ends (got ${show(h)}) — remove the entry`);
    else if (first !== undefined) c.add(at, `is listed already at ${path}[${first}] (got ${show(h)}) — list each header once`);
    else seen.set(h.toLowerCase(), j);
  });
}

/** `securityHeaders`: the switch, HSTS, and the three fixed headers. */
export function checkSecurityHeaders(c: Checker, path: string, value: unknown): void {
  if (!c.object(path, value, SECURITY_HEADERS_FIELDS)) return;
  for (const field of ['enabled', 'contentTypeNosniff', 'frameDeny'] as const)
    if (value[field] !== undefined) c.boolean(`${path}.${field}`, value[field]);
  if (value.referrerPolicy !== undefined) c.enumValue(`${path}.referrerPolicy`, value.referrerPolicy, REFERRER_POLICIES);
  const hsts = value.hsts;
  if (hsts === undefined || !c.object(`${path}.hsts`, hsts, HSTS_FIELDS)) return;
  if (hsts.maxAge !== undefined) c.integer(`${path}.hsts.maxAge`, hsts.maxAge, 0, MAX_HSTS_MAX_AGE_SECONDS);
  if (hsts.includeSubdomains !== undefined) c.boolean(`${path}.hsts.includeSubdomains`, hsts.includeSubdomains);
  if (hsts.maxAge === 0 && hsts.includeSubdomains === true)
    c.add(`${path}.hsts.includeSubdomains`, 'is true with maxAge 0, which sends no HSTS header (got true) — remove one of them');
}

/**
 * With `secretHeaders`, KrakenD reads krakend.json as a Go template (flexible configuration, see
 * lib/krakend/headers.ts), so `{{` in any text that reaches it would be read as template code: refused
 * in the routes, the policies and `trustedProxies`, the parts of the spec rendered into krakend.json.
 */
export function checkTemplateText(c: Checker, path: string, spec: Record<string, unknown>): void {
  const routes = spec.routes;
  if (!Array.isArray(routes) || routes.length > MAX_ROUTES) return;
  if (!routes.some((r) => isObject(r) && Array.isArray(r.secretHeaders) && r.secretHeaders.length > 0)) return;
  for (const field of ['routes', 'authPolicies', 'rateLimits', 'trustedProxies'])
    visitStrings(spec[field], `${path}.${field}`, 0, (at, text) => {
      if (text.includes('{{'))
        c.add(
          at,
          `must not contain '{{' on a gateway with secretHeaders (got ${show(text)}) — KrakenD then reads its config as a template, ` +
            "and '{{' would start template code",
        );
    });
}

// Deep enough for any field of a route or policy (routes[0].secretHeaders[0].secret.name is 4 down).
const MAX_VISIT_DEPTH = 6;

/** Every string under `value`, with its path; lists longer than validation allows are left to it. */
function visitStrings(value: unknown, at: string, depth: number, visit: (at: string, text: string) => void): void {
  if (typeof value === 'string') visit(at, value);
  else if (depth >= MAX_VISIT_DEPTH) return;
  else if (Array.isArray(value)) {
    if (value.length <= Math.max(MAX_LIST_ITEMS, MAX_ROUTES)) value.forEach((v, i) => visitStrings(v, `${at}[${i}]`, depth + 1, visit));
  } else if (isObject(value)) for (const [k, v] of Object.entries(value)) visitStrings(v, `${at}.${k}`, depth + 1, visit);
}

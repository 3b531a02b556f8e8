// The URL grammars of a Gateway, one per kind of URL and all built from one set of rules for the
// scheme, host, port and path: a route's backend, an auth policy's JWKS URL and its IAM endpoint
// (the issuer). Each parser returns the URL's parts or one problem (`<what is wrong> (got <value>)
// — <fix>`); validation reports the problem, the renderers use the parts. A URL is accepted only
// where Go's net/url (which KrakenD and krakend-jose fetch with) and WHATWG URL parsing (browsers,
// Node, most tools a reviewer uses) read the same host, port and path, so the NetworkPolicy and
// every reader agree with what KrakenD reaches.
import { isIPv4 } from 'net';
import { BACKEND_PORT } from '../limits';
import { IpAddress, ipText, parseIp } from './cidrs';
import { Parsed, show } from './values';

/** An http(s) URL's scheme, host and port. */
export interface HttpUrl {
  readonly scheme: 'http' | 'https';
  /**
   * Host name, without port: as written for backends, lower case for JWKS and IAM URLs (as WHATWG
   * URL parsing gives it); an IPv6 literal keeps its brackets.
   */
  readonly hostname: string;
  /** Port as written, if any. */
  readonly port?: number;
}

/** A backend URL split into its KrakenD parts. */
export interface BackendUrl extends HttpUrl {
  /** `scheme://host[:port]`, the form lura accepts in `backend[].host`. */
  readonly origin: string;
  /** Base path without a trailing slash; '' when none. */
  readonly basePath: string;
}

/** What one kind of URL allows beyond the shared rules. */
interface UrlKind {
  /** The URL's shape, for messages. */
  readonly shape: string;
  /** What the path is called in messages. */
  readonly pathName: string;
  /** Bracketed IPv6 literals: lura's host check refuses them in a backend. */
  readonly ipv6: boolean;
  /** Why a query string is refused; undefined when one is allowed. */
  readonly noQuery?: string;
  /** The lowest port, and why lower ones cannot be used. */
  readonly minPort: { readonly port: number; readonly why: string };
}

const BACKEND_SHAPE = 'http(s)://host[:port][/base/path], e.g. http://chat.hanzo.svc:80';
const BACKEND: UrlKind = {
  shape: BACKEND_SHAPE,
  pathName: 'base path',
  ipv6: false,
  noQuery: "KrakenD forwards the client's query string; a fixed one cannot be added here",
  // lura's host pattern (config/uri.go) wants a port of 2 to 6 digits, so ports below 10 cannot be written.
  minPort: {
    port: BACKEND_PORT.min,
    why: `KrakenD's host check needs a port of 2 to 6 digits; serve the backend on port ${BACKEND_PORT.min} or above`,
  },
};
const JWKS: UrlKind = {
  shape: 'https://host[:port][/path][?query], e.g. https://hanzo.id/.well-known/jwks',
  pathName: 'path',
  ipv6: true,
  minPort: { port: 1, why: '' },
};
// OpenID Connect Discovery 1.0 §2 (and RFC 8414 §2): an issuer has no query or fragment.
const IAM: UrlKind = {
  shape: 'http(s)://host[:port][/path], the issuer exactly as tokens carry it in iss, e.g. https://hanzo.id',
  pathName: 'path',
  ipv6: true,
  noQuery: 'an issuer identifier has no query (OpenID Connect Discovery §2)',
  minPort: { port: 1, why: '' },
};

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
const PATH_CHAR = /^[A-Za-z0-9\-._~!$'()+,;=@:%/]$/;
// A query's characters that both parsers leave as written: WHATWG URL parsing percent-encodes ' (and
// ", <, >, space) in the query of an http(s) URL, Go's net/url sends them raw.
const QUERY_CHAR = /^[A-Za-z0-9\-._~!$&()*+,;=@:%/?]$/;
// lura's host pattern (config/uri.go) allows letters, digits, '.', '_' and '-' in a host name.
const NAME_CHARS = /^[A-Za-z0-9._-]+$/;
const NAME_ENDS = /^[A-Za-z0-9_]([A-Za-z0-9._-]*[A-Za-z0-9_])?$/;
// A host made of numbers: decimal, octal (leading 0) or hex (0x) parts, 1 to 4 of them.
const NUMERIC_HOST = /^((0x[0-9a-f]*|[0-9]+)\.){0,3}(0x[0-9a-f]*|[0-9]+)$/i;

/** A URL's parts as written, once its shape is known to be right. */
interface UrlParts {
  readonly scheme: 'http' | 'https';
  readonly host: string;
  readonly portText?: string;
  /** The path as written, '' when none. */
  readonly path: string;
}

/** Splits and checks a URL against the shared rules and its kind's; the parts, or the first problem. */
function parseUrl(url: string, kind: UrlKind): Parsed<UrlParts> {
  const got = `(got ${show(url)})`;
  const problem = (text: string): Parsed<UrlParts> => ({ problem: text });
  if (/\s/.test(url)) return problem(`must not contain whitespace ${got} — ${kind.shape}`);
  if (url.includes('\\'))
    return problem(
      `must not contain '\\' ${got} — WHATWG URL parsers read it as '/', Go's net/url as part of the host or path: they disagree on the URL`,
    );
  const scheme = SCHEME.exec(url);
  if (!scheme) return problem(`must be an absolute URL ${got} — ${kind.shape}`);
  if (scheme[1] !== 'http' && scheme[1] !== 'https') {
    const lower = scheme[1].toLowerCase();
    const fix = lower === 'http' || lower === 'https' ? `write the scheme in lower case: ${lower}://` : `${scheme[1]} is not http or https`;
    return problem(`must be an ${kind.shape.split(',')[0]} URL ${got} — ${fix}`);
  }
  const rest = url.slice(scheme[0].length);
  if (SCHEME.test(rest))
    return problem(`has a doubled scheme ${got} — write ${rest.startsWith('http') ? rest : `${scheme[0]}${rest.replace(/^[^:]*:\/\//, '')}`}`);
  const authority = rest.split(/[/?#]/, 1)[0];
  if (authority.includes('@'))
    return problem(
      `must not carry credentials (user:password@) ${got} — lura's host check refuses them in a backend, and Go's and WHATWG's ` +
        'URL parsers split them differently; authenticate another way',
    );
  if (kind.noQuery !== undefined && url.includes('?')) return problem(`must not have a query string ${got} — ${kind.noQuery}`);
  if (url.includes('#')) return problem(`must not have a fragment ${got} — fragments never reach a server; remove it`);
  const bracketed = /^(\[[^\]]*\])(?::(.*))?$/.exec(authority);
  const hostPort = bracketed ?? /^([^:]*)(?::(.*))?$/.exec(authority);
  const host = hostPort?.[1] ?? '';
  const port = hostPort?.[2];
  if (host === '') return problem(`has no host ${got} — ${kind.shape}`);
  const hostIssue = bracketed && kind.ipv6 ? ipv6HostProblem(host, got) : nameHostProblem(host, got, kind);
  if (hostIssue !== undefined) return problem(hostIssue);
  if (port !== undefined) {
    const n = /^[0-9]{1,5}$/.test(port) ? Number(port) : NaN;
    if (!(n >= 1 && n <= BACKEND_PORT.max)) return problem(`port must be a number from 1 to ${BACKEND_PORT.max} ${got}`);
    if (n < kind.minPort.port) return problem(`port ${n} cannot be used ${got} — ${kind.minPort.why}`);
  }
  const [path, query] = splitQuery(rest.slice(authority.length));
  const pathIssue = pathProblem(path, got, kind) ?? (query === undefined ? undefined : queryProblem(query, got));
  if (pathIssue !== undefined) return problem(pathIssue);
  return { value: { scheme: scheme[1], host, portText: port, path } };
}

function splitQuery(text: string): [string, string | undefined] {
  const at = text.indexOf('?');
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

/** A host name or a dotted-quad IPv4 address, as lura's host check and both URL parsers take it. */
function nameHostProblem(host: string, got: string, kind: UrlKind): string | undefined {
  const numeric = numericHostProblem(host, got);
  if (numeric !== undefined) return numeric;
  if (!NAME_CHARS.test(host)) {
    const ipv6 = kind.ipv6 ? '' : ' (IPv6 literals included)';
    return `host ${show(host)} may only hold letters, digits, '.', '_' and '-' ${got} — KrakenD's host check refuses anything else${ipv6}`;
  }
  if (!NAME_ENDS.test(host) || host.includes('..'))
    return `host ${show(host)} must not start or end with '.' or '-', nor hold '..' ${got} — ${kind.shape}`;
  return undefined;
}

/**
 * A bracketed IPv6 literal, written as WHATWG URL parsing serializes it (RFC 5952: lower case, the
 * longest run of zero groups as '::', no dotted tail): Go's net/url keeps the text as written, so
 * only that form reads alike in both. A zone (`%25eth0`) is refused: WHATWG URLs have none.
 */
function ipv6HostProblem(host: string, got: string): string | undefined {
  const inner = host.slice(1, -1);
  const ip = inner.includes('%') ? undefined : parseIp(inner);
  if (ip?.family !== 6) return `host ${show(host)} is not an IPv6 address without a zone ${got} — e.g. [2001:db8::5]`;
  const canonical = ipText(ip);
  if (inner !== canonical)
    return `host ${show(host)} must be written [${canonical}] ${got} — WHATWG URL parsers rewrite it so, Go's net/url keeps it as written`;
  return undefined;
}

/**
 * A host that reads as an IPv4 address but is not written the one canonical way (`010.0.0.5`,
 * `0x0a.0.0.5`, `167772165`): C resolvers (inet_aton) read `010` as octal 8 and WHATWG URLs rewrite
 * it, while a NetworkPolicy check or a reader takes it for a name or for 10.0.0.5. Refused, so every
 * reader agrees on the address.
 */
function numericHostProblem(host: string, got: string): string | undefined {
  if (!NUMERIC_HOST.test(host) || isIPv4(host)) return undefined;
  return (
    `host ${show(host)} is not an IPv4 address written as four decimal numbers from 0 to 255 without leading zeros ${got} — ` +
    `resolvers read such forms differently (010 is octal 8); write the address plainly, e.g. 10.0.0.5`
  );
}

function pathProblem(path: string, got: string, kind: UrlKind): string | undefined {
  const badChar = [...path].find((ch) => !PATH_CHAR.test(ch));
  if (badChar !== undefined) {
    const why =
      kind === BACKEND && (badChar === '{' || badChar === '}')
        ? 'KrakenD would read it as a parameter missing from the endpoint and refuse the config'
        : 'it is not a URL path character';
    return `${kind.pathName} must not contain ${show(badChar)} ${got} — ${why}`;
  }
  if (/%(?![0-9A-Fa-f]{2})/.test(path)) return `${kind.pathName} has a '%' not followed by two hex digits ${got} — percent-encode it as %25`;
  // WHATWG URL parsing resolves '.' and '..' segments, %2e spellings included; Go's net/url sends them as written.
  const segments = path.replace(/\/$/, '').split('/').slice(1);
  if (segments.some((s) => s === '' || /^(\.|%2e){1,2}$/i.test(s))) {
    return `${kind.pathName} must not hold an empty, '.' or '..' segment (nor %2e for '.') ${got} — write the path the server serves, e.g. /api`;
  }
  return undefined;
}

function queryProblem(query: string, got: string): string | undefined {
  const badChar = [...query].find((ch) => !QUERY_CHAR.test(ch));
  if (badChar !== undefined)
    return `query must not contain ${show(badChar)} ${got} — WHATWG URL parsers percent-encode it, Go's net/url sends it raw; percent-encode it`;
  if (/%(?![0-9A-Fa-f]{2})/.test(query)) return `query has a '%' not followed by two hex digits ${got} — percent-encode it as %25`;
  return undefined;
}

/** Parses a route's backend, `http(s)://host[:port][/base/path]`, as KrakenD can use it. */
export function parseBackendUrl(text: string): Parsed<BackendUrl> {
  const parsed = parseUrl(text, BACKEND);
  if (parsed.value === undefined) return parsed;
  const { scheme, host, portText, path } = parsed.value;
  return {
    value: {
      scheme,
      hostname: host,
      port: portText === undefined ? undefined : Number(portText),
      origin: `${scheme}://${host}${portText === undefined ? '' : `:${portText}`}`,
      basePath: path.replace(/\/+$/, ''),
    },
  };
}

/** A field of an earlier backend's answer that a sequential composed backend's path holds, `{resp0_user.id}`. */
export interface ResponseReference {
  /** The index of the backend whose answer holds the field. */
  readonly backend: number;
  /** The field, dotted for a nested one. */
  readonly field: string;
  /** As written in the URL, e.g. `{resp0_user.id}`. */
  readonly text: string;
}

/** A composed backend's URL: a backend URL whose path may hold references to earlier answers. */
export interface ComposedBackendUrl extends BackendUrl {
  /** The `{respN_field}` references of the path, in order. */
  readonly references: readonly ResponseReference[];
}

// lura's sequential proxy reads `{{.RespN_field}}` (proxy/merging.go, reUrlPatterns: `\{\{\.Resp(\d+)_([\w-.]+)\}\}`),
// which config.go writes for `{respN_field}` (initBackendURLMappings, sequentialParamsPattern).
const RESPONSE_REFERENCE = /\{resp([0-9]+)_([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)\}/g;

/**
 * Parses a composed backend's URL: the backend grammar, with `{respN_field}` allowed in the path only
 * (each read as one path segment's characters), and nothing else in braces.
 */
export function parseComposedBackendUrl(text: string): Parsed<ComposedBackendUrl> {
  const references: ResponseReference[] = [];
  const plain = text.replace(RESPONSE_REFERENCE, (whole: string, n: string, field: string) => {
    references.push({ backend: Number(n), field, text: whole });
    return 'resp';
  });
  const parsed = parseBackendUrl(plain);
  if (parsed.value === undefined) return parsed;
  if (!text.startsWith(parsed.value.origin))
    return { problem: `must hold {respN_field} in its path only (got ${show(text)}) — the host and port are fixed; put the reference after them` };
  // The base path as written, with its references back in place.
  return { value: { ...parsed.value, basePath: text.slice(parsed.value.origin.length).replace(/\/+$/, ''), references } };
}

/** True when `host` is a `backend[].host` entry lura accepts: `scheme://host[:port]`, nothing more. */
export function isKrakendHost(host: string): boolean {
  return parseBackendUrl(host).value?.origin === host;
}

/**
 * An http(s) URL of the given kind, once WHATWG URL parsing agrees on its host: it refuses hosts Go
 * takes (a last label that is a number, `id.1`, must be an IPv4 address there; `xn--` labels must
 * be valid punycode) and lower-cases names.
 */
function parseHttpUrl(text: string, kind: UrlKind): Parsed<HttpUrl> {
  const parsed = parseUrl(text, kind);
  if (parsed.value === undefined) return parsed;
  const { scheme, host, portText } = parsed.value;
  let whatwg: string | undefined;
  try {
    whatwg = new URL(text).hostname;
  } catch {
    whatwg = undefined;
  }
  if (whatwg !== host.toLowerCase()) {
    const reading = whatwg === undefined ? 'refuses it' : `reads its host as ${show(whatwg)}`;
    return {
      problem:
        `WHATWG URL parsing ${reading}, while Go's net/url reads the host ${show(host)} (got ${show(text)}) — ` +
        'a host whose last label is a number must be an IPv4 address there; use a DNS name',
    };
  }
  return { value: { scheme, hostname: whatwg, port: portText === undefined ? undefined : Number(portText) } };
}

/**
 * Parses a JWKS URL: https, or http only with the explicit opt-in (keys fetched over http can be
 * forged in transit; the renderer then sets krakend-jose's `disable_jwk_security`).
 */
export function parseJwksUrl(text: string, insecureAllowed: boolean): Parsed<HttpUrl> {
  const url = parseHttpUrl(text, JWKS);
  if (url.value?.scheme === 'http' && !insecureAllowed) {
    return { problem: `must be https (got ${show(text)}) — keys fetched over http can be forged; for an in-cluster IAM set allowInsecureJwks: true` };
  }
  return url;
}

/** Parses an IAM endpoint: the issuer, compared with a token's `iss` as written. */
export function parseIamEndpoint(text: string): Parsed<HttpUrl> {
  return parseHttpUrl(text, IAM);
}

/** The address a URL's host names when it is an IP literal (`10.0.0.5`, `[fe80::1]`); undefined for a DNS name. */
export function hostAddress(url: HttpUrl): IpAddress | undefined {
  return parseIp(url.hostname.replace(/^\[(.*)\]$/, '$1'));
}

const ORIGIN: UrlKind = {
  shape: 'http(s)://host[:port], as a browser sends it in Origin, e.g. https://app.hanzo.ai',
  pathName: 'path',
  ipv6: true,
  noQuery: 'an Origin is scheme://host[:port] alone',
  minPort: { port: 1, why: '' },
};
const COLLECTOR: UrlKind = {
  shape: 'http(s)://host[:port] or host:port, e.g. http://otel-collector.monitoring.svc:4317',
  pathName: 'path',
  ipv6: true,
  noQuery: 'an OTLP exporter sends to the fixed path of its protocol',
  minPort: { port: 1, why: '' },
};

/** A URL of `kind` whose text is `scheme://host[:port]` alone: the path, even `/`, refused. */
function parseHostUrl(text: string, kind: UrlKind): Parsed<HttpUrl> {
  const url = parseHttpUrl(text, kind);
  if (url.value === undefined) return url;
  const path = parseUrl(text, kind).value?.path ?? '';
  if (path !== '') return { problem: `must have no path (got ${show(text)}) — ${kind.shape}; remove ${show(path)}` };
  return url;
}

/**
 * Parses a CORS origin as rs/cors compares it with a request's `Origin`: the browser's serialization
 * (RFC 6454 6.1), lower case and without the scheme's default port, or it would never match.
 */
export function parseOrigin(text: string): Parsed<HttpUrl> {
  const url = parseHostUrl(text, ORIGIN);
  if (url.value === undefined) return url;
  const { scheme, hostname, port } = url.value;
  const serialized = `${scheme}://${hostname}${port === undefined || port === (scheme === 'https' ? 443 : 80) ? '' : `:${port}`}`;
  if (serialized !== text) return { problem: `is not written as browsers send it in Origin (got ${show(text)}) — write ${show(serialized)}` };
  return url;
}

/** Parses an OTLP collector endpoint; `host:port` without a scheme is plain text, as krakend-otel reads it. */
export function parseCollectorUrl(text: string): Parsed<HttpUrl> {
  return parseHostUrl(SCHEME.test(text) ? text : `http://${text}`, COLLECTOR);
}

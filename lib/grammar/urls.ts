// The URL grammars of a Gateway, one per kind of URL, each written once: a route's backend, an auth
// policy's JWKS URL and its IAM endpoint (the issuer). Each parser returns the URL's parts or one
// problem (`<what is wrong> (got <value>) — <fix>`); validation reports the problem, the renderers
// use the parts.
import { isIPv4 } from 'net';
import { BACKEND_PORT } from '../limits';
import { Parsed, show } from './values';

/** An http(s) URL's scheme, host and port. */
export interface HttpUrl {
  readonly scheme: 'http' | 'https';
  /** Host name, without port (lower case for JWKS and IAM URLs, as WHATWG URL parsing gives it). */
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

const BACKEND_SHAPE = 'http(s)://host[:port][/base/path], e.g. http://chat.hanzo.svc:80';
// lura's host pattern (config/uri.go) allows letters, digits, '.', '_' and '-' in a host name; its
// port must have 2 to 6 digits, so ports below 10 cannot be written at all.
const BACKEND = /^(https?):\/\/([A-Za-z0-9._-]+)(?::([0-9]{1,5}))?(\/[^?#]*)?$/;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
const PATH_CHAR = /^[A-Za-z0-9\-._~!$'()+,;=@:%/]$/;

/** Parses a route's backend, `http(s)://host[:port][/base/path]`, as KrakenD can use it. */
export function parseBackendUrl(text: string): Parsed<BackendUrl> {
  const problem = backendProblem(text);
  if (problem !== undefined) return { problem };
  const m = BACKEND.exec(text);
  if (!m) return { problem: `must be ${BACKEND_SHAPE} (got ${show(text)})` };
  const [, scheme, hostname, portText, path] = m;
  return {
    value: {
      scheme: scheme as 'http' | 'https',
      hostname,
      port: portText === undefined ? undefined : Number(portText),
      origin: `${scheme}://${hostname}${portText === undefined ? '' : `:${portText}`}`,
      basePath: (path ?? '').replace(/\/+$/, ''),
    },
  };
}

/** True when `host` is a `backend[].host` entry lura accepts: `scheme://host[:port]`, nothing more. */
export function isKrakendHost(host: string): boolean {
  return parseBackendUrl(host).value?.origin === host;
}

/** The first thing wrong with a backend URL; undefined when it has the backend shape. */
function backendProblem(url: string): string | undefined {
  const got = `(got ${show(url)})`;
  if (/\s/.test(url)) return `must not contain whitespace ${got} — ${BACKEND_SHAPE}`;
  const scheme = SCHEME.exec(url);
  if (!scheme) return `must be an absolute URL ${got} — ${BACKEND_SHAPE}`;
  if (scheme[1] !== 'http' && scheme[1] !== 'https') {
    const lower = scheme[1].toLowerCase();
    const fix = lower === 'http' || lower === 'https' ? `write the scheme in lower case: ${lower}://` : `${scheme[1]} is not http or https`;
    return `must be an http(s)://host[:port][/base/path] URL ${got} — ${fix}`;
  }
  const rest = url.slice(scheme[0].length);
  if (SCHEME.test(rest))
    return `has a doubled scheme ${got} — write ${rest.startsWith('http') ? rest : `${scheme[0]}${rest.replace(/^[^:]*:\/\//, '')}`}`;
  const authority = rest.split(/[/?#]/, 1)[0];
  if (authority.includes('@'))
    return `must not carry credentials (user:password@) ${got} — lura's host check refuses them; authenticate the gateway to the backend another way`;
  if (url.includes('?')) return `must not have a query string ${got} — KrakenD forwards the client's query string; a fixed one cannot be added here`;
  if (url.includes('#')) return `must not have a fragment ${got} — fragments never reach a server; remove it`;
  const hostPort = /^([^:]*)(?::(.*))?$/.exec(authority);
  const host = hostPort?.[1] ?? '';
  const port = hostPort?.[2];
  if (host === '') return `has no host ${got} — ${BACKEND_SHAPE}`;
  const numeric = numericHostProblem(host, got);
  if (numeric !== undefined) return numeric;
  if (!/^[A-Za-z0-9._-]+$/.test(host))
    return (
      `host ${show(host)} may only hold letters, digits, '.', '_' and '-' ${got} — ` +
      `KrakenD's host check refuses anything else (IPv6 literals included)`
    );
  if (!/^[A-Za-z0-9_]([A-Za-z0-9._-]*[A-Za-z0-9_])?$/.test(host) || host.includes('..')) {
    return `host ${show(host)} must not start or end with '.' or '-', nor hold '..' ${got} — ${BACKEND_SHAPE}`;
  }
  if (port !== undefined) {
    const n = /^[0-9]{1,5}$/.test(port) ? Number(port) : NaN;
    if (!(n >= 1 && n <= BACKEND_PORT.max)) return `port must be a number from 1 to ${BACKEND_PORT.max} ${got}`;
    if (n < BACKEND_PORT.min)
      return (
        `port ${n} cannot be used ${got} — KrakenD's host check needs a port of 2 to 6 digits; ` +
        `serve the backend on port ${BACKEND_PORT.min} or above`
      );
  }
  return basePathProblem(rest.slice(authority.length), got);
}

function basePathProblem(base: string, got: string): string | undefined {
  const badChar = [...base].find((ch) => !PATH_CHAR.test(ch));
  if (badChar !== undefined) {
    const why =
      badChar === '{' || badChar === '}'
        ? 'KrakenD would read it as a parameter missing from the endpoint and refuse the config'
        : 'it is not a URL path character';
    return `base path must not contain ${show(badChar)} ${got} — ${why}`;
  }
  if (/%(?![0-9A-Fa-f]{2})/.test(base)) return `base path has a '%' not followed by two hex digits ${got} — percent-encode it as %25`;
  if (/\/\/|\/\.\.?(\/|$)/.test(base.replace(/\/$/, ''))) {
    return `base path must not hold an empty, '.' or '..' segment ${got} — write the path the backend serves, e.g. /api`;
  }
  return undefined;
}

// A host made of numbers: decimal, octal (leading 0) or hex (0x) parts, 1 to 4 of them.
const NUMERIC_HOST = /^((0x[0-9a-f]*|[0-9]+)\.){0,3}(0x[0-9a-f]*|[0-9]+)$/i;

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

// An http(s) URL with a host and no user info, as Go's url.Parse and WHATWG URL both read it.
const HTTP_URL = /^https?:\/\/([^\s/?#@]+)([/?][^\s#]*)?$/;

/** The numeric-host problem of an http(s) URL's host, if it has one. */
function httpHostProblem(text: string): string | undefined {
  const authority = HTTP_URL.exec(text)?.[1];
  return authority === undefined ? undefined : numericHostProblem(authority.replace(/:[0-9]*$/, ''), `(got ${show(text)})`);
}

/** The scheme, host and port of an http(s) URL with a host and a port from 1 to 65535, if any. */
function parseHttpUrl(text: string): HttpUrl | undefined {
  if (!HTTP_URL.test(text) || httpHostProblem(text) !== undefined) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  const port = url.port === '' ? undefined : Number(url.port);
  if (url.hostname === '' || (port !== undefined && (port < 1 || port > 65535))) return undefined;
  return { scheme: url.protocol === 'https:' ? 'https' : 'http', hostname: url.hostname, port };
}

/**
 * Parses a JWKS URL: https, or http only with the explicit opt-in (keys fetched over http can be
 * forged in transit; the renderer then sets krakend-jose's `disable_jwk_security`).
 */
export function parseJwksUrl(text: string, insecureAllowed: boolean): Parsed<HttpUrl> {
  const url = parseHttpUrl(text);
  if (!url)
    return {
      problem:
        httpHostProblem(text) ??
        `must be an https URL with a host and a valid port, if any (got ${show(text)}) — e.g. https://hanzo.id/.well-known/jwks`,
    };
  if (url.scheme === 'http' && !insecureAllowed) {
    return { problem: `must be https (got ${show(text)}) — keys fetched over http can be forged; for an in-cluster IAM set allowInsecureJwks: true` };
  }
  return { value: url };
}

/** Parses an IAM endpoint: the issuer, compared with a token's `iss` as written. */
export function parseIamEndpoint(text: string): Parsed<HttpUrl> {
  const url = parseHttpUrl(text);
  if (!url)
    return {
      problem:
        httpHostProblem(text) ??
        `must be an http(s) URL with a host (got ${show(text)}) — the issuer exactly as tokens carry it in iss, e.g. https://hanzo.id`,
    };
  return { value: url };
}

// Splitting a route's backend URL into what KrakenD wants: a bare `scheme://host[:port]` for
// `backend[].host` (lura's host check refuses anything longer) and a base path for `url_pattern`.

/** A backend URL split into its KrakenD parts. */
export interface BackendUrl {
  readonly scheme: 'http' | 'https';
  /** Host name, without port. */
  readonly hostname: string;
  /** Port as written, if any. */
  readonly port?: number;
  /** `scheme://host[:port]`, the form lura accepts in `backend[].host`. */
  readonly origin: string;
  /** Base path without a trailing slash; '' when none. */
  readonly basePath: string;
}

// lura's host pattern allows letters, digits, '.', '_' and '-' in a host name; the port must have
// 2 to 6 digits, so ports below 10 cannot be written at all.
const BACKEND = /^(https?):\/\/([A-Za-z0-9._-]+)(?::([0-9]{1,5}))?(\/[^?#]*)?$/;

/** Parses `http(s)://host[:port][/base/path]`; undefined when the URL does not have that shape. */
export function parseBackendUrl(url: string): BackendUrl | undefined {
  const m = BACKEND.exec(url);
  if (!m) return undefined;
  const [, scheme, hostname, portText, path] = m;
  const port = portText === undefined ? undefined : Number(portText);
  return {
    scheme: scheme as 'http' | 'https',
    hostname,
    port,
    origin: `${scheme}://${hostname}${portText === undefined ? '' : `:${portText}`}`,
    basePath: (path ?? '').replace(/\/+$/, ''),
  };
}

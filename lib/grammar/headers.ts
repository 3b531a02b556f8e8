// HTTP header grammars (RFC 9110), written once: what a header name may be, what a value may hold,
// and the headers that describe a connection rather than a request.

// RFC 9110 5.1 and 5.6.2: a field name is a token, one or more tchar.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** A header field name: an RFC 9110 token. */
export function isHeaderToken(value: string): boolean {
  return TOKEN.test(value);
}

/**
 * The first control character of a header value, or undefined. RFC 9110 5.5 allows none but the tab,
 * and Go's net/http refuses to send a value with another (httpguts.ValidHeaderFieldValue: CTLs but
 * HTAB, and DEL).
 */
export function headerValueControl(value: string): string | undefined {
  for (const ch of value) {
    const code = ch.charCodeAt(0);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) return ch;
  }
  return undefined;
}

/**
 * The hop-by-hop headers: they describe one connection, and a proxy drops or rewrites them (RFC 9110
 * 7.6.1; `Trailers` and `Proxy-Connection` as RFC 2616 13.5.1 and Go's net/http/httputil
 * reverseproxy.go, hopHeaders, spell them).
 */
export const HOP_BY_HOP_HEADERS: readonly string[] = [
  'Connection',
  'Keep-Alive',
  'Proxy-Authenticate',
  'Proxy-Authorization',
  'Proxy-Connection',
  'TE',
  'Trailer',
  'Trailers',
  'Transfer-Encoding',
  'Upgrade',
];

/** The header of `list` that `name` is, compared case-insensitively as HTTP compares names; undefined if none. */
export function sameHeader(list: readonly string[], name: string): string | undefined {
  const lower = name.toLowerCase();
  return list.find((h) => h.toLowerCase() === lower);
}

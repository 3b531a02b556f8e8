// Prefix routing for KrakenD CE, which has no wildcard routes: a prefix becomes the prefix itself
// plus one endpoint per extra path segment, up to a depth.

/** One endpoint path that serves part of a prefix. */
export interface ExpandedPath {
  /** The KrakenD endpoint, e.g. `/v1/chat/{p2}`. */
  readonly endpoint: string;
  /** The part below the prefix, e.g. `/{p2}`; '' for the prefix itself. */
  readonly rest: string;
}

/** The segments of a prefix: `/v1/chat` → ['v1', 'chat'], `/` → []. */
export function prefixSegments(prefix: string): string[] {
  return prefix === '/' ? [] : prefix.slice(1).split('/');
}

/**
 * The endpoints serving `prefix` and up to `depth` segments below it. Each parameter is named by its
 * absolute segment position (`{p2}` is always the third segment), so two endpoints can never put
 * different parameter names at one position — the clash that makes gin panic at start.
 */
export function expandPrefix(prefix: string, depth: number): ExpandedPath[] {
  const segments = prefixSegments(prefix);
  const out: ExpandedPath[] = [];
  let rest = '';
  for (let extra = 0; extra <= depth; extra++) {
    if (extra > 0) rest += `/{p${segments.length + extra - 1}}`;
    const endpoint = segments.length === 0 ? rest || '/' : `/${segments.join('/')}${rest}`;
    out.push({ endpoint, rest });
  }
  return out;
}

/**
 * The backend path for an endpoint: the backend's base path, then either the whole request path or,
 * with stripPrefix, only the part below the prefix.
 */
export function urlPattern(basePath: string, path: ExpandedPath, stripPrefix: boolean): string {
  const tail = stripPrefix ? path.rest : path.endpoint;
  return basePath + tail || '/';
}

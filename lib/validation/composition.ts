// Checks of a composed route (`backends`, `sequential`): one endpoint, several backends, one merged
// answer (lura proxy/merging.go). KrakenD CE starts with most of what is refused here and then answers
// wrongly or never: no-op beside several backends is the one it refuses itself (lura config/config.go,
// errInvalidNoOpEncoding). Also the one place that lists every backend URL of a raw route, for the
// checks that look at all of them (self-references, NetworkPolicy egress).
import { BackendUrl, ComposedBackendUrl, parseBackendUrl, parseComposedBackendUrl } from '../grammar/urls';
import { isObject, keyPath, show } from '../grammar/values';
import { COMPOSED_BACKENDS, MAX_FIELD_SELECTORS } from '../limits';
import { resolveMethods, resolveRouteEncoding } from '../resolve';
import { BACKEND_ENCODINGS, HTTP_METHODS, HttpMethod } from '../spec';
import { Checker } from './checker';
import { COMPOSED_BACKEND_FIELDS } from './fields';
import { checkLinkLocalUrls } from './link-local';

// One field name of a decoded answer; lura splits selectors on '.' (proxy/formatter.go).
const FIELD = '[A-Za-z0-9_@$-]+';
const FIELD_NAME = new RegExp(`^${FIELD}$`);
const FIELD_PATH = new RegExp(`^${FIELD}(\\.${FIELD})*$`);
const FIELD_FIX = "letters, digits and _ @ $ -, with '.' between the names of nested fields";
// RFC 9110 9.2.2: a client may repeat an idempotent request; a retried partial answer repeats these calls.
const NON_IDEMPOTENT: readonly string[] = ['POST', 'PATCH'];
// The decoders that can hold a collection under `collection` (lib/validation/encoding.ts).
const COLLECTION_DECODERS = ['json', 'xml'];
const DECODING = BACKEND_ENCODINGS.filter((e) => e !== 'no-op');

/** One backend URL of a raw route that parses: where it is, as written, and its parts. */
export interface RouteBackendUrl {
  readonly at: string;
  readonly text: string;
  readonly url: BackendUrl;
}

/** Every backend URL of a raw route at `p` that parses: its `backend`, or each of its `backends`. */
export function routeBackendUrlsOf(p: string, r: unknown): RouteBackendUrl[] {
  if (!isObject(r)) return [];
  if (Array.isArray(r.backends)) {
    return r.backends.flatMap((b, j) => {
      const text = isObject(b) ? b.url : undefined;
      const url = typeof text === 'string' ? parseComposedBackendUrl(text).value : undefined;
      return url && typeof text === 'string' ? [{ at: `${p}.backends[${j}].url`, text, url }] : [];
    });
  }
  const url = typeof r.backend === 'string' ? parseBackendUrl(r.backend).value : undefined;
  return url && typeof r.backend === 'string' ? [{ at: `${p}.backend`, text: r.backend, url }] : [];
}

/** A route's `backends` and `sequential`, and the route fields a composed route cannot take. */
export function checkComposition(c: Checker, p: string, r: Record<string, unknown>): void {
  if (r.sequential !== undefined) c.boolean(`${p}.sequential`, r.sequential);
  if (r.backends === undefined) {
    if (r.sequential === true) c.add(`${p}.sequential`, 'orders the calls of backends, and the route has none — list backends, or remove it');
    return;
  }
  if (r.backend !== undefined)
    c.add(`${p}.backends`, 'must not be set beside backend — a route proxies one backend or composes several; remove one of them');
  checkComposedRoute(c, p, r);
  if (!c.list(`${p}.backends`, r.backends, COMPOSED_BACKENDS.max)) return;
  const backends = r.backends;
  if (backends.length < COMPOSED_BACKENDS.min)
    c.add(`${p}.backends`, `must list at least ${COMPOSED_BACKENDS.min} backends (got ${backends.length}) — for one, use backend instead`);
  const encoding = resolveRouteEncoding({ encoding: r.encoding as never, backends: [] });
  const groups = new Map<string, number>();
  const groupOf = (j: number) => (isObject(backends[j]) && typeof backends[j].group === 'string' ? backends[j].group : undefined);
  const urls: { field: string; url: ComposedBackendUrl }[] = [];
  c.each(backends, (b, j) => {
    const at = `${p}.backends[${j}]`;
    if (!c.object(at, b, COMPOSED_BACKEND_FIELDS)) return;
    const url = checkComposedUrl(c, at, b.url, j, r.sequential === true, groupOf);
    if (url) urls.push({ field: `backends[${j}].url`, url });
    if (b.method !== undefined) c.enumValue(`${at}.method`, b.method, HTTP_METHODS);
    if (b.group !== undefined && checkField(c, `${at}.group`, b.group, FIELD_NAME)) {
      const first = groups.get(b.group);
      if (first !== undefined)
        c.add(
          `${at}.group`,
          `${show(b.group)} is already the group of backends[${first}] — the answers would overwrite each other under one key ` +
            '(whichever arrives last wins); give each backend its own group',
        );
      else groups.set(b.group, j);
    }
    for (const list of ['allow', 'deny'] as const) if (b[list] !== undefined) checkFieldList(c, `${at}.${list}`, b[list]);
    if (b.allow !== undefined && b.deny !== undefined)
      c.add(`${at}.deny`, 'must not be set beside allow — KrakenD then applies allow alone (lura proxy/formatter.go); keep one of them');
    if (b.mapping !== undefined) checkMapping(c, `${at}.mapping`, b.mapping);
    if (b.target !== undefined) checkField(c, `${at}.target`, b.target, FIELD_PATH);
    if (b.encoding !== undefined) {
      const why = b.encoding === 'no-op' ? ' — a merged answer needs every backend decoded; remove it, or use json' : '';
      c.enumValue(`${at}.encoding`, b.encoding, DECODING, why);
    }
    if (b.isCollection !== undefined) c.boolean(`${at}.isCollection`, b.isCollection);
    const own = typeof b.encoding === 'string' ? b.encoding : encoding;
    if (b.isCollection === true && !COLLECTION_DECODERS.includes(own))
      c.add(
        `${at}.isCollection`,
        `needs encoding json or xml to read the answer as a collection (got encoding ${show(own)}) — set encoding, or remove it`,
      );
  });
  checkLinkLocalUrls(c, p, urls, r.allowLinkLocal);
  checkNonIdempotent(c, p, r, backends);
}

/** The route fields a composed route must have, or cannot take. */
function checkComposedRoute(c: Checker, p: string, r: Record<string, unknown>): void {
  if (r.exact !== true)
    c.add(
      `${p}.exact`,
      `must be true on a route with backends (got ${show(r.exact)}) — a composed route answers its prefix path alone: ` +
        'the backends are called at the URLs given, with no request path to append; add exact: true',
    );
  if (r.stripPrefix !== undefined)
    c.add(`${p}.stripPrefix`, 'has no effect on a route with backends, which calls each backend at its url as written — remove it');
  if (r.encoding === 'no-op')
    c.add(
      `${p}.encoding`,
      'must not be no-op on a route with backends — KrakenD refuses no-op beside more than one backend ' +
        '(lura config/config.go): the answers are decoded to be merged; remove it for json, or name another decoding encoding',
    );
  if (r.isCollection !== undefined) c.add(`${p}.isCollection`, 'is set per backend on a route with backends — move it to backends[N].isCollection');
  if (r.outputEncoding === 'json-collection' || r.outputEncoding === 'string')
    c.add(
      `${p}.outputEncoding`,
      `${r.outputEncoding} answers one backend's ${r.outputEncoding === 'string' ? 'text' : 'collection'}, not a merged object — ` +
        'use json, xml, yaml or negotiate',
    );
  if (r.streaming === true)
    c.add(`${p}.streaming`, 'streams one backend through the stream proxy, and the route composes several — remove one of them');
  if (r.cache === true)
    c.add(`${p}.cache`, "would keep one cache per backend, beyond the cached endpoints' memory bound — cache the backends' own routes instead");
}

/** A backend's `url`, with its `{respN_field}` references: each of an earlier backend, only when sequential. */
function checkComposedUrl(
  c: Checker,
  at: string,
  value: unknown,
  index: number,
  sequential: boolean,
  groupOf: (j: number) => string | undefined,
): ComposedBackendUrl | undefined {
  if (!c.string(`${at}.url`, value, 'e.g. http://users.hanzo.svc:80/users/me')) return undefined;
  const url = c.parsed(`${at}.url`, parseComposedBackendUrl(value));
  if (!url) return undefined;
  for (const ref of url.references) {
    if (!sequential)
      c.add(
        `${at}.url`,
        `holds ${ref.text}, which only a sequential route fills with an earlier answer (got ${show(value)}) — set sequential: true on the route`,
      );
    else if (ref.backend >= index)
      c.add(
        `${at}.url`,
        `${ref.text} names backends[${ref.backend}], which is not called before this one (got ${show(value)}) — ` +
          (index === 0 ? 'the first backend can use no answer; move the reference to a later backend' : `reference resp0 to resp${index - 1}`),
      );
    else {
      // lura reads the earlier answer as it is merged, under its group (proxy/merging.go, sequentialMerge): a field outside it is never found.
      const group = groupOf(ref.backend);
      if (group !== undefined && !ref.field.startsWith(`${group}.`))
        c.add(
          `${at}.url`,
          `${ref.text} reads backends[${ref.backend}]'s answer, which is merged under its group ${show(group)} (got ${show(value)}) — ` +
            `write {resp${ref.backend}_${group}.${ref.field}}`,
        );
    }
  }
  return url;
}

function checkField(c: Checker, path: string, value: unknown, pattern: RegExp): value is string {
  if (!c.string(path, value, `a field name: ${FIELD_FIX}`, 256)) return false;
  if (pattern.test(value)) return true;
  c.add(path, `must be a field name of ${pattern === FIELD_NAME ? 'letters, digits and _ @ $ -' : FIELD_FIX} (got ${show(value)})`);
  return false;
}

function checkFieldList(c: Checker, path: string, value: unknown): void {
  if (!c.list(path, value, MAX_FIELD_SELECTORS)) return;
  if (value.length === 0) c.add(path, 'must list at least one field — remove it to keep every field');
  c.each(value, (f, k) => checkField(c, `${path}[${k}]`, f, FIELD_PATH));
}

/**
 * `mapping`: top-level names to top-level names. lura looks the old name up at the top level and keeps
 * the new name up to its first '.' (proxy/formatter.go, NewEntityFormatter); two old names renamed to
 * one new name overwrite each other in Go's map order, which changes from run to run.
 */
function checkMapping(c: Checker, path: string, value: unknown): void {
  if (!c.map(path, value)) return;
  const entries = Object.entries(value);
  if (entries.length > MAX_FIELD_SELECTORS) {
    c.add(path, `has ${entries.length} entries, more than the ${MAX_FIELD_SELECTORS} allowed`);
    return;
  }
  const renamedTo = new Map<string, string>();
  for (const [from, to] of entries) {
    const at = keyPath(path, from);
    if (!FIELD_NAME.test(from))
      c.add(at, `must rename a top-level field, a name of letters, digits and _ @ $ - (got ${show(from)}) — use target for a nested one`);
    if (!checkField(c, at, to, FIELD_NAME)) continue;
    const first = renamedTo.get(to);
    if (first !== undefined)
      c.add(at, `renames to ${show(to)}, as ${show(first)} does — KrakenD would keep one of them at random; give each its own name`);
    else renamedTo.set(to, from);
  }
}

/**
 * At most one backend per method of the route with a non-idempotent method (its own, or the client's
 * when it names none): a partial answer is still a 200, and a client that retries it repeats every call.
 */
function checkNonIdempotent(c: Checker, p: string, r: Record<string, unknown>, backends: readonly unknown[]): void {
  const methods =
    Array.isArray(r.methods) && r.methods.every((m) => HTTP_METHODS.includes(m)) ? resolveMethods(r.methods as HttpMethod[]) : undefined;
  if (r.methods !== undefined && !methods) return;
  for (const m of methods ?? resolveMethods(undefined)) {
    const calls = backends.flatMap((b, j) => {
      const own = isObject(b) && typeof b.method === 'string' ? b.method : undefined;
      return NON_IDEMPOTENT.includes(own ?? m) ? [{ j, method: own ?? m, own: own !== undefined }] : [];
    });
    if (calls.length < 2) continue;
    const second = calls[1];
    c.add(
      second.own ? `${p}.backends[${second.j}].method` : `${p}.backends[${second.j}]`,
      `${m} ${show(r.prefix)} would send ${calls.map((x) => `${x.method} to backends[${x.j}]`).join(' and ')} — a partial answer is a 200, ` +
        'and a client that retries it repeats every call; give at most one backend a non-idempotent method (method: GET on the others)',
    );
    return;
  }
}

// How a backend server may read the paths routes send it: which backend URLs reach the same server,
// the path a route sends for a request, and the lenient reading of a path segment that normalizing
// servers apply. Shared by validation (a protected prefix whose methods or variants a less protected
// route still serves on the same server) and the renderer (the CEL check that refuses those variants).
import { PATH_RELATION_BUDGET } from '../limits';
import { serviceHostNamespace } from './names';
import { HttpUrl } from './urls';

/**
 * Characters that continue a name: a segment that goes on with one of them is another name
 * (`admins`, `admin-tools`, `admin_x`). Anything else after a protected name (`;`, `.`, a space,
 * `\`, a non-ASCII character) may be dropped by a backend: servlet containers (Tomcat, Jetty) drop
 * `;…` path parameters, IIS drops trailing dots and spaces and reads `\` as `/`, and suffix pattern
 * matching (Spring MVC before 5.3) serves `/admin.json` as `/admin`.
 */
const NAME_CHAR = /^[A-Za-z0-9_~-]$/;
// Loopback names: one server, however written (lura's host grammar has no IPv6 literals).
const LOOPBACK = /^(localhost|127(\.[0-9]{1,3}){3}|0\.0\.0\.0)$/;

/**
 * The server a backend URL reaches, as far as the spec can tell: the host name lower-cased, a
 * Service's cluster DNS name as `<svc>.<namespace>` (`chat.hanzo.svc.cluster.local` and `chat.hanzo`
 * are one Service), loopback as one name. Scheme and port are left out on purpose: one Service may
 * send two ports to the same pod, and a server answers on both.
 */
export function backendServerName(url: HttpUrl): string {
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  if (LOOPBACK.test(host)) return 'localhost';
  const namespace = serviceHostNamespace(host);
  return namespace === undefined ? host : `${host.slice(0, host.indexOf('.'))}.${namespace}`;
}

/** The first DNS label of a server name: names that may be one server (mayBeSameServer) share it. */
export function serverLabel(name: string): string {
  const dot = name.indexOf('.');
  return dot < 0 ? name : name.slice(0, dot);
}

/**
 * Whether two server names (backendServerName) may be the same server: equal, or a bare Service name
 * (`chat`, resolved in the gateway's own namespace, which the spec may not know) beside a Service of
 * that name in some namespace (`chat.hanzo`). Errs towards "the same".
 */
export function mayBeSameServer(x: string, y: string): boolean {
  if (x === y) return true;
  const [bare, other] = !x.includes('.') ? [x, y] : !y.includes('.') ? [y, x] : [undefined, undefined];
  return bare !== undefined && other.startsWith(`${bare}.`) && serviceHostNamespace(`${other}.svc`) !== undefined;
}

/** The segments of a path: `/v1/chat` → ['v1', 'chat'], `/` and '' → []. */
export function pathSegments(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

/**
 * The backend path a route sends for a request path at or below its prefix, as segments: the
 * backend's base path, then the whole request path, or with stripPrefix only the part below the
 * prefix (as url_pattern does in lib/krakend/paths.ts).
 */
export function backendPathOf(basePath: string, prefix: string, stripPrefix: boolean, requestPath: string): string[] {
  const request = pathSegments(requestPath);
  return [...pathSegments(basePath), ...(stripPrefix ? request.slice(pathSegments(prefix).length) : request)];
}

/**
 * Whether a server that ignores letter case, `;` parameters, trailing dots and spaces, and suffixes
 * may read segment `s` as `t`: the same letters in any case, or `t` followed by a character that does
 * not continue a name (`admin;x=1`, `ADMIN.`, `admin.json`, `admin\users`, `admin `).
 */
export function readsAsSegment(s: string, t: string): boolean {
  const a = s.toLowerCase();
  const b = t.toLowerCase();
  return a === b || (a.length > b.length && a.startsWith(b) && !NAME_CHAR.test(a[b.length]));
}

/** Whether such a server may read `path` as `area` or a path below it, segment by segment. */
export function readsUnder(path: readonly string[], area: readonly string[]): boolean {
  return path.length >= area.length && area.every((t, i) => readsAsSegment(path[i], t));
}

/** Whether `path` is `area` or below it, literally. */
export function isUnder(path: readonly string[], area: readonly string[]): boolean {
  return path.length >= area.length && area.every((t, i) => path[i] === t);
}

/**
 * A key that every segment a server may read as `t` shares with `t` (readsAsSegment(s, t) implies
 * equal keys): the segment lower-cased up to its first character that does not continue a name. Used
 * to index paths, so that finding the protected areas near a path does not compare every pair.
 */
export function segmentKey(segment: string): string {
  const lower = segment.toLowerCase();
  for (let i = 0; i < lower.length; i++) if (!NAME_CHAR.test(lower[i])) return lower.slice(0, i);
  return lower;
}

interface KeyNode<T> {
  readonly children: Map<string, KeyNode<T>>;
  readonly items: T[];
}

/**
 * Items filed under the segment keys of a path (segmentKey), to find, in one walk down a path, every
 * item whose path a server may read as the start of it: linear in the path's length, whatever the
 * number of items.
 */
export class PathKeyIndex<T> {
  private readonly root: KeyNode<T> = { children: new Map(), items: [] };

  add(path: readonly string[], item: T): void {
    let node = this.root;
    for (const segment of path) {
      const key = segmentKey(segment);
      let next = node.children.get(key);
      if (!next) node.children.set(key, (next = { children: new Map(), items: [] }));
      node = next;
    }
    node.items.push(item);
  }

  /**
   * Visits each item filed under the keys of `path`'s first `length` segments, for every length from
   * 0 to `maxLength`, until `visit` returns false.
   */
  along(path: readonly string[], maxLength: number, visit: (item: T, length: number) => boolean): void {
    let node: KeyNode<T> | undefined = this.root;
    for (let length = 0; node && length <= Math.min(maxLength, path.length); length++) {
      for (const item of node.items) if (!visit(item, length)) return;
      node = length < path.length ? node.children.get(segmentKey(path[length])) : undefined;
    }
  }
}

/** A route as the relations between protected paths see it. */
export interface PathRoute {
  /** backendServerName of its backend. */
  readonly server: string;
  /** The backend path of its prefix (backendPathOf). */
  readonly path: readonly string[];
  readonly authPolicy: string | undefined;
  /** Whether it has endpoints with parameters: a prefix route of depth 1 or more. */
  readonly withParameters: boolean;
}

/** A protected route whose backend path continues a guarded route's: its index, and where it leaves the guarded path. */
export interface ProtectedBelow {
  readonly route: number;
  readonly from: number;
}

/**
 * The guarded routes, each with the protected routes below it: a route with parameters beside a
 * route of another auth policy on a backend server it may share (mayBeSameServer) is guarded, and a
 * protected route is below it when a server may read the guarded route's backend path as a shorter
 * start of the protected one's (readsAsSegment, segment by segment): the guarded route's parameters
 * can then spell the rest. Linear in the routes and their segments (guarded paths are filed by key,
 * PathKeyIndex); undefined when the comparisons pass `budget`.
 */
export function guardedRoutes(routes: readonly PathRoute[], budget = PATH_RELATION_BUDGET): Map<number, ProtectedBelow[]> | undefined {
  const policiesOn = new Map<string, Set<string>>();
  for (const r of routes) if (r.authPolicy !== undefined) policiesOn.set(r.server, (policiesOn.get(r.server) ?? new Set()).add(r.authPolicy));
  const byLabel = new Map<string, string[]>();
  for (const server of policiesOn.keys()) {
    const label = serverLabel(server);
    if (!byLabel.has(label)) byLabel.set(label, []);
    byLabel.get(label)!.push(server);
  }
  const out = new Map<number, ProtectedBelow[]>();
  const byPath = new PathKeyIndex<number>();
  routes.forEach((r, i) => {
    if (!r.withParameters) return;
    const near = (byLabel.get(serverLabel(r.server)) ?? []).filter((s) => mayBeSameServer(s, r.server));
    if (!near.some((s) => [...policiesOn.get(s)!].some((p) => p !== r.authPolicy))) return;
    out.set(i, []);
    byPath.add(r.path, i);
  });
  let work = 0;
  routes.forEach((p, route) => {
    if (p.authPolicy === undefined || work > budget) return;
    work += p.path.length;
    byPath.along(p.path, p.path.length - 1, (i, from) => {
      const r = routes[i];
      work += 1 + from;
      if (r.path.length === from && r.authPolicy !== p.authPolicy && mayBeSameServer(r.server, p.server)) {
        if (r.path.every((s, k) => readsAsSegment(s, p.path[k]))) out.get(i)!.push({ route, from });
      }
      return work <= budget;
    });
  });
  return work > budget ? undefined : out;
}

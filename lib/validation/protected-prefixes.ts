// Checks of protected prefixes against the less protected routes beside them on the same backend
// server: a route that is public, or under another auth policy, must not serve a protected route's
// path for a method the protected route leaves out, nor be a spelling of that path that only a
// normalizing server tells apart. Path variants of a protected path on a less protected route are
// refused at runtime instead, by the CEL check of lib/krakend/cel.ts.
import { PathKeyIndex, backendPathOf, backendServerName, guardedRoutes, isUnder, mayBeSameServer, readsUnder } from '../grammar/backend-paths';
import { BackendUrl } from '../grammar/urls';
import { PATH_RELATION_BUDGET } from '../limits';
import { show } from '../grammar/values';
import { HTTP_METHODS } from '../spec';
import { Checker } from './checker';

/** A route whose prefix, methods and backend passed their checks. */
export interface CheckedRoute {
  readonly index: number;
  readonly prefix: string;
  readonly methods: readonly string[];
  readonly exact: boolean;
  /** Segments routed below the prefix: 0 for an exact route. */
  readonly depth: number;
  readonly authPolicy: string | undefined;
  readonly backend: BackendUrl;
  readonly stripPrefix: boolean;
}

/** Where the first route of each kind for "METHOD prefix" is, as checkRoutes files them. */
export interface RouteTables {
  readonly exactRoutes: ReadonlyMap<string, number>;
  readonly prefixRoutes: ReadonlyMap<string, { readonly index: number; readonly depth: number }>;
  /** The deepest a route reaches below its prefix (MAX_PREFIX_DEPTH). */
  readonly maxDepth: number;
}

const policyOf = (r: CheckedRoute) => (r.authPolicy === undefined ? 'public' : `auth policy ${show(r.authPolicy)}`);
/** The backend path a route sends for its own prefix, as segments. */
const ownPath = (r: CheckedRoute) => backendPathOf(r.backend.basePath, r.prefix, r.stripPrefix, r.prefix);
/** An exact route, or a prefix route of depth 0, protects its path alone. */
const protectsPathAlone = (r: CheckedRoute) => r.exact || r.depth === 0;

export function checkProtectedPrefixes(c: Checker, path: string, routes: readonly CheckedRoute[], tables: RouteTables): void {
  const byIndex = new Map(routes.map((r) => [r.index, r]));
  for (const p of routes) if (p.authPolicy !== undefined) checkMethodsBelow(c, path, p, byIndex, tables);
  // What the renderer's path checks will relate (lib/krakend/cel.ts), within the same budget.
  const related = guardedRoutes(
    routes.map((r) => ({
      server: backendServerName(r.backend),
      path: ownPath(r),
      authPolicy: r.authPolicy,
      withParameters: r.depth > 0,
    })),
  );
  if (!related || !checkLookalikePrefixes(c, path, routes, PATH_RELATION_BUDGET)) {
    c.add(
      path,
      `relates more protected paths on shared backend servers than can be checked (over ${PATH_RELATION_BUDGET.toLocaleString('en-US')} ` +
        `path comparisons) (got ${routes.length} routes) — split the routes over several Gateways, one per backend server`,
    );
  }
}

/**
 * The route that serves `METHOD <prefix>` (below = 0) or a path one segment below it (below = 1), by
 * the route semantics (docs/krakend-json.md, "Which route serves a request"): the longest prefix that
 * accepts the method and reaches the path's depth, an exact route first on its own path. A route
 * reaches at most `maxDepth` segments below its prefix, so no more ancestors are looked at.
 */
function servingRoute(method: string, prefix: string, below: number, tables: RouteTables): number | undefined {
  if (below === 0) {
    const exact = tables.exactRoutes.get(`${method} ${prefix}`);
    if (exact !== undefined) return exact;
  }
  for (let ancestor = prefix, distance = 0; distance + below <= tables.maxDepth; distance++) {
    const route = tables.prefixRoutes.get(`${method} ${ancestor}`);
    if (route && route.depth >= distance + below) return route.index;
    if (ancestor === '/') return undefined;
    const cut = ancestor.lastIndexOf('/');
    ancestor = cut === 0 ? '/' : ancestor.slice(0, cut);
  }
  return undefined;
}

/**
 * A protected route P that leaves out a method which a less protected route R around it serves on the
 * same backend server: `DELETE /v1/admin/users` then reaches that server through R, without P's
 * token. Only the same server counts, and only where R sends the request to P's backend path (a base
 * path or stripPrefix may send it elsewhere): a route on another backend serves its own backend, for
 * which the path under P's prefix is one of its own paths.
 */
function checkMethodsBelow(c: Checker, path: string, p: CheckedRoute, byIndex: ReadonlyMap<number, CheckedRoute>, tables: RouteTables): void {
  const area = ownPath(p);
  const byOuter = new Map<number, string[]>();
  for (const method of HTTP_METHODS) {
    if (p.methods.includes(method)) continue;
    for (const below of protectsPathAlone(p) ? [0] : [0, 1]) {
      const index = servingRoute(method, p.prefix, below, tables);
      const r = index === undefined ? undefined : byIndex.get(index);
      if (!r || r.prefix === p.prefix || r.authPolicy === p.authPolicy) continue;
      if (!mayBeSameServer(backendServerName(r.backend), backendServerName(p.backend))) continue;
      const sent = backendPathOf(r.backend.basePath, r.prefix, r.stripPrefix, p.prefix);
      if (!readsUnder(sent, area) || (protectsPathAlone(p) && sent.length !== area.length)) continue;
      byOuter.set(r.index, [...(byOuter.get(r.index) ?? []), method]);
      break;
    }
  }
  for (const [index, methods] of byOuter) {
    const r = byIndex.get(index)!;
    const list = methods.join(', ');
    const example = protectsPathAlone(p) ? p.prefix : `${p.prefix === '/' ? '' : p.prefix}/…`;
    c.add(
      `${path}[${p.index}].methods`,
      `does not route ${list}, which ${path}[${index}] (${r.prefix}, ${policyOf(r)}) then serves ${protectsPathAlone(p) ? 'for' : 'below'} ` +
        `${p.prefix} on the same backend server: ` +
        `${methods[0]} ${example} reaches it ${r.authPolicy === undefined ? 'without a token' : `with a ${show(r.authPolicy)} token`} ` +
        `(got ${show(p.methods)}) — add ${list} to this route's methods so that they need auth policy ${show(p.authPolicy)}, ` +
        `or give ${path}[${index}] another backend`,
    );
  }
}

/**
 * A less protected route R whose backend path a server that ignores case, `;` parameters, trailing
 * dots or suffixes reads as a protected route P's path (or below it, for a prefix route), without
 * being it: `/v1/ADMIN` public beside `/v1/admin` protected on one server. A route literally inside
 * P's path (`/v1/admin/health`, public) is a choice the spec states and passes. Returns false when
 * the comparisons passed `budget` (the table is refused as a whole).
 */
function checkLookalikePrefixes(c: Checker, path: string, routes: readonly CheckedRoute[], budget: number): boolean {
  const areas = new PathKeyIndex<{ route: CheckedRoute; area: string[] }>();
  for (const p of routes) if (p.authPolicy !== undefined) areas.add(ownPath(p), { route: p, area: ownPath(p) });
  let work = 0;
  for (const r of routes) {
    const own = ownPath(r);
    work += own.length;
    let found: { route: CheckedRoute; area: string[] } | undefined;
    areas.along(own, own.length, (candidate, length) => {
      const p = candidate.route;
      work += 1 + 2 * length;
      if (p.authPolicy === r.authPolicy || (protectsPathAlone(p) && length !== own.length)) return work <= budget;
      if (!mayBeSameServer(backendServerName(r.backend), backendServerName(p.backend))) return work <= budget;
      if (readsUnder(own, candidate.area) && !isUnder(own, candidate.area)) found = candidate;
      return found === undefined && work <= budget;
    });
    if (work > budget) return false;
    if (!found) continue;
    const shown = (segments: readonly string[]) => `/${segments.join('/')}`;
    c.add(
      `${path}[${r.index}].prefix`,
      `sends ${shown(own)} to a backend server that ${path}[${found.route.index}] protects at ${shown(found.area)} with auth policy ` +
        `${show(found.route.authPolicy)}, and a server that ignores case, ';' parameters, trailing dots or suffixes reads one as the other ` +
        `(got ${show(r.prefix)}) — give this route auth policy ${show(found.route.authPolicy)}, another backend, ` +
        'or a prefix no server reads as the protected one',
    );
  }
  return true;
}

// Prefix expansion undone for the reader: the endpoints `/v1/chat`, `/v1/chat/{p2}` … `/v1/chat/{p2}/…/{p5}`
// of one method and one policy are shown as one route, `/v1/chat/**`, and the methods of routes that
// are otherwise the same are listed together (`/auth/** GET POST`). KrakenD CE has no wildcard
// routes (docs/krakend-json.md, "Prefixes become endpoints"): `**` is the review's notation only.
import { HTTP_METHODS } from '../spec';

/** What an item needs for grouping: the method, the path without trailing parameters, and their count. */
export interface Collapsible {
  readonly method: string;
  readonly base: string;
  readonly depth: number;
}

/** Endpoints of one base path, a contiguous range of depths and the same group key, over one or more methods. */
export interface RouteGroup<T> {
  readonly base: string;
  readonly minDepth: number;
  readonly maxDepth: number;
  /** `/v1/chat/**` (the base and 0 to maxDepth segments below), `/v1/models` (the base alone), `/v1/models/*` … */
  readonly pattern: string;
  /** The pattern after the base: '', `/**`, `/*`, `/*` + `/**`, …; also applied to the backend path. */
  readonly suffix: string;
  /** In the order of HTTP_METHODS, then any other alphabetically. */
  readonly methods: readonly string[];
  readonly items: readonly T[];
}

/**
 * The pattern after a base for a range of depths: nothing for 0 only, `/**` for 0 to any, one `/*`
 * per required segment otherwise (`/*` + `/**` for 1 to any).
 */
export function depthSuffix(minDepth: number, maxDepth: number): string {
  return '/*'.repeat(minDepth) + (maxDepth > minDepth ? '/**' : '');
}

/** `base` followed by `suffix`, without a doubled slash: `/` + `/**` is `/**`. */
export function joinPath(base: string, suffix: string): string {
  return base === '/' && suffix !== '' ? suffix : `${base}${suffix}`;
}

/**
 * Groups items by `groupKey` (which must say everything but the method, base and depth that makes
 * two items the same for the reader) into routes. Deterministic whatever the order of `items`:
 * sorted by base, then depth, then methods.
 */
export function collapse<T extends Collapsible>(items: readonly T[], groupKey: (item: T) => string): RouteGroup<T>[] {
  const byMethod = new Map<string, { key: string; base: string; method: string; items: T[] }>();
  for (const item of items) {
    const key = groupKey(item);
    const id = `${key}\u0000${item.base}\u0000${item.method}`;
    const bucket = byMethod.get(id) ?? { key, base: item.base, method: item.method, items: [] };
    bucket.items.push(item);
    byMethod.set(id, bucket);
  }
  const merged = new Map<string, { base: string; min: number; max: number; methods: Set<string>; items: T[] }>();
  for (const { key, base, method, items: bucket } of byMethod.values()) {
    for (const run of contiguousRuns(bucket)) {
      const min = run[0].depth;
      const max = run[run.length - 1].depth;
      const id = `${key}\u0000${base}\u0000${min}\u0000${max}`;
      const group = merged.get(id) ?? { base, min, max, methods: new Set<string>(), items: [] };
      group.methods.add(method);
      group.items.push(...run);
      merged.set(id, group);
    }
  }
  const groups = [...merged.values()].map(({ base, min, max, methods, items: grouped }) => {
    const suffix = depthSuffix(min, max);
    return { base, minDepth: min, maxDepth: max, pattern: joinPath(base, suffix), suffix, methods: sortMethods([...methods]), items: grouped };
  });
  return groups.sort(compareRoutes);
}

/** Items sorted by depth, cut where a depth is skipped. */
function contiguousRuns<T extends Collapsible>(items: readonly T[]): T[][] {
  const sorted = [...items].sort((a, b) => a.depth - b.depth);
  const runs: T[][] = [];
  for (const item of sorted) {
    const run = runs[runs.length - 1];
    if (run !== undefined && item.depth - run[run.length - 1].depth <= 1) run.push(item);
    else runs.push([item]);
  }
  return runs;
}

/** The order of routes in every output: by path, shallower first, then by methods. */
export function compareRoutes(a: RouteGroup<unknown>, b: RouteGroup<unknown>): number {
  return compareText(a.base, b.base) || a.minDepth - b.minDepth || a.maxDepth - b.maxDepth || compareText(a.methods.join(' '), b.methods.join(' '));
}

/** Methods in KrakenD's order (GET, POST, PUT, PATCH, DELETE), others after them alphabetically. */
export function sortMethods(methods: readonly string[]): string[] {
  const rank = (m: string) => {
    const i = (HTTP_METHODS as readonly string[]).indexOf(m);
    return i < 0 ? HTTP_METHODS.length : i;
  };
  return [...methods].sort((a, b) => rank(a) - rank(b) || compareText(a, b));
}

/** Code-unit order: the same in every locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

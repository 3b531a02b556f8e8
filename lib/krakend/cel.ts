// The `validation/cel` list of an endpoint, assembled here and nowhere else: KrakenD CE's CEL
// validator (krakend-cel, registered under `validation/cel` by krakend-ce cmd/krakend-ce/main.go)
// evaluates each `check_expr` before the backend call, and a check that is not true ends the request
// with 500 and an empty body (krakend-cel proxy.go, evalChecks; lura's error handler answers 500 for
// any error without a status, lura router/gin/endpoint.go and transport/http/server/server.go,
// DefaultToHTTPError). Two traps of krakend-cel shape what is written here (internal/cel.go):
// - An expression is evaluated in each phase whose key it contains as a substring: `req` before the
//   backend call, `resp` after it, `JWT` on the token. A check of `req_` variables that also held
//   `resp` or `JWT` (in a prefix such as `/v1/responses`) would be evaluated where `req_params` is
//   unbound, fail, and refuse every request: letters are written one by one here, never as words.
// - An expression that does not type-check is skipped with a DEBUG line, and one that does not parse
//   drops the endpoint's whole list with a WARNING: the e2e tests prove each form in a running KrakenD.
//
// The path-variant check. A route R that is public, or under another auth policy, and that sends
// requests to the same backend server as a protected route P, must not hand that server a path it may
// read as P's. gin routes the request by its decoded, cleaned path (remove_extra_slash), so a variant
// of P's path that gin does not clean (`/v1/admin;/users`, `/v1/ADMIN/users`, `/v1/admin%5cusers`,
// `/v1/admin.json`, `/v1/x/..;/admin/users`) matches R's `{pN}` endpoints, and R's backend gets it
// without P's token. The check refuses, on every endpoint of R with parameters, the parameters that:
// - hold a segment that is only dots or spaces, or empty, before an optional `;…` (`..;`, `.;`,
//   `;x=1`, `.. `, an empty piece between two `\`): servlet containers drop `;…` and resolve what is
//   left, IIS reads `\` as `/`, so such a piece climbs or vanishes once it reaches the backend;
// - hold a character of the Unicode blocks of punctuation, symbols, spaces and compatibility forms
//   (ODD_CHAR: U+FFFD, which is what Go makes of invalid UTF-8 such as the overlong `%c0%af`; NBSP and
//   the Latin-1 symbols; U+2000 to U+2BFF, with the Unicode spaces, zero-width characters, `․` `‥` `∕`;
//   CJK punctuation; small and fullwidth forms such as `／` `＼` `．` `；` `ａ`): servers that apply
//   compatibility or "best fit" mappings read them as ASCII, `/`, `\`, `.`, `;` or a space;
// - read, with letters in either case, any non-ASCII character standing for any one character, `;…`,
//   dots, spaces or suffixes after a segment and `\` as a separator, as a path at or below P's backend
//   path (for an exact or depth-0 P, as P's path itself).
// Legitimate paths beside P (`/v1/administrators`, `/v1/admin-tools`, `/v1/x/admin`, `/v1/café`) pass.
// The pattern avoids (?i) and Unicode categories (\pL): Go compiles the pattern on every request
// (cel-go's `matches` without a precompiled program), and those took 250 µs a compile where explicit
// ranges take 25 µs; (?i) would also fold U+212A (Kelvin sign) in the ranges into `k`.
import { PathRoute, backendPathOf, backendServerName, guardedRoutes } from '../grammar/backend-paths';
import { ResolvedAuthPolicy, ResolvedGatewaySpec, routeBackendUrls } from '../resolve';
import { CelCheck } from './types';

/** A protected backend path below a guarded route's own, as the guard's regex matches it. */
interface ProtectedArea {
  /** The segments of the protected path below the guarded route's backend path. */
  readonly segments: readonly string[];
  /** An exact route (or a prefix route of depth 0) protects its path alone, not the paths below. */
  readonly exact: boolean;
}

/** The path guard of one route: the regex its endpoints' parameters must not match. */
export interface PathGuard {
  /** An RE2 pattern (Go regexp), matched against `/` + the endpoint's parameters joined by `/`. */
  readonly pattern: string;
}

/** The path guards of a spec, by route index, and the bytes they add to krakend.json at least. */
export interface PathGuards {
  /** Undefined when the count stopped early: the guards alone pass `stopAboveBytes`. */
  readonly byRoute?: ReadonlyArray<PathGuard | undefined>;
  /** A lower bound of the bytes the checks add (each endpoint with parameters carries its route's pattern). */
  readonly minBytes: number;
}

// Pieces of the pattern, in Go regexp (RE2) syntax.
/** A piece that is only dots or whitespace, maybe empty, before an optional `;…`: `..;`, `.;`, `;x`, `..\`. */
const DOT_PIECE = String.raw`[/\\][.\s]*(?:;[^/\\]*)?(?:[/\\]|$)`;
/** The Unicode blocks some server maps onto ASCII punctuation, spaces or letters (see above); U+FFFD included. */
const ODD_CHAR = String.raw`[\x{80}-\x{bf}\x{2000}-\x{2bff}\x{3000}-\x{303f}\x{fe10}-\x{fe6f}\x{feff}\x{ff00}-\x{ff60}\x{ffe0}-\x{ffff}]`;
/** What may follow a segment before the next separator: nothing, or a non-name character and anything but a separator. */
const JUNK = String.raw`(?:[^a-zA-Z0-9_~/\\-][^/\\]*)?`;
const SEPARATOR = String.raw`[/\\]`;
/** After the last segment of a prefix area: a character that does not continue the name, or the end. */
const PREFIX_END = String.raw`(?:[^a-zA-Z0-9_~-]|$)`;
const HEAD = `${DOT_PIECE}|${ODD_CHAR}`;

/** One character of a protected segment: itself (a letter in either case), or any one character outside printable ASCII. */
function charPattern(ch: string): string {
  const code = ch.codePointAt(0)!;
  const literal = /^[a-z]$/.test(ch)
    ? `[${ch}${ch.toUpperCase()}]`
    : /^[0-9]$/.test(ch)
      ? ch
      : code < 0x100
        ? `\\x${code.toString(16).padStart(2, '0')}`
        : `\\x{${code.toString(16)}}`;
  return `(?:${literal}|[^ -~])`;
}

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The pattern of one protected area, below `/`. */
function areaPattern(area: ProtectedArea): string {
  const segments = area.segments.map((s) => [...decoded(s).toLowerCase()].map(charPattern).join(''));
  return segments.join(JUNK + SEPARATOR) + (area.exact ? `${JUNK}$` : PREFIX_END);
}

/** The pattern of a guard: the dot pieces and odd characters always, the protected areas when there are any. */
function guardPattern(areas: readonly ProtectedArea[]): string {
  return areas.length === 0 ? HEAD : `${HEAD}|^/(?:${areas.map(areaPattern).join('|')})`;
}

/**
 * The guard of every route that needs one (guardedRoutes in lib/grammar/backend-paths.ts: a route
 * with parameters beside a route of another auth policy on a backend server it may share), with the
 * protected paths below it. Stops counting once the bytes the guards add pass `stopAboveBytes`, so
 * that a table far over the ConfigMap limit is refused without building its patterns.
 */
export function pathGuards(spec: ResolvedGatewaySpec, stopAboveBytes = Infinity): PathGuards {
  // One entry per backend a route calls (a composed route's each: its own path, as with stripPrefix), with its route's index.
  const owners: number[] = [];
  const routes: PathRoute[] = spec.routes.flatMap((route, index) =>
    routeBackendUrls(route).map((url) => {
      owners.push(index);
      const path = backendPathOf(url.basePath, route.prefix, route.stripPrefix || route.composition !== undefined, route.prefix);
      return { server: backendServerName(url), path, authPolicy: route.authPolicy?.name, withParameters: route.depth > 0 };
    }),
  );
  const depths = owners.map((index) => spec.routes[index].depth);
  const guarded = guardedRoutes(routes);
  // Validation refuses a table whose relations pass the budget (lib/validation/protected-prefixes.ts).
  if (!guarded) throw new Error('internal: unvalidated route table: its protected paths pass PATH_RELATION_BUDGET');
  // Endpoints with parameters: one per method and per depth below the prefix.
  const paramEndpoints = (i: number) => spec.routes[owners[i]].methods.length * depths[i];
  let bytes = 0;
  const byRoute: Array<PathGuard | undefined> = spec.routes.map(() => undefined);
  for (const [i, below] of guarded) {
    const areas: ProtectedArea[] = [];
    bytes += paramEndpoints(i) * HEAD.length;
    for (const { route, from } of below) {
      const area = { segments: routes[route].path.slice(from), exact: depths[route] === 0 };
      if (area.segments.length === 0) continue;
      areas.push(area);
      bytes += paramEndpoints(i) * (areaPattern(area).length + 1);
      if (bytes > stopAboveBytes) return { minBytes: bytes };
    }
    byRoute[owners[i]] = { pattern: guardPattern(areas) };
  }
  return { byRoute, minBytes: bytes };
}

/**
 * The `validation/cel` list of one endpoint, or undefined for none. `rest` is the endpoint's part
 * below its route's prefix (`/{p2}/{p3}`, lib/krakend/paths.ts), `pathGuard` its route's guard,
 * `jwt` its route's claim checks (jwtCelChecks, built once per route).
 */
export function endpointCelChecks(rest: string, pathGuard: PathGuard | undefined, jwt: readonly CelCheck[] = []): CelCheck[] | undefined {
  const checks: CelCheck[] = [];
  if (pathGuard && rest !== '') checks.push({ check_expr: pathCheck(rest, pathGuard.pattern) });
  checks.push(...jwt);
  return checks.length > 0 ? checks : undefined;
}

/**
 * `!('/' + req_params.P2 + '/' + req_params.P3).matches(r'…')`: the endpoint's parameters joined as
 * the backend gets them (lura names `{p2}` `P2` in req_params: it capitalizes a parameter's first
 * letter, router/gin/endpoint.go, NewRequest). A raw string, so the pattern's backslashes reach RE2
 * as written; the pattern holds no `'`.
 */
function pathCheck(rest: string, pattern: string): string {
  const joined = rest
    .slice(1)
    .split('/')
    .map((p) => `'/' + req_params.P${p.slice(2, -1)}`)
    .join(' + ');
  const expr = `!(${joined}).matches(r'${pattern}')`;
  if (pattern.includes("'") || /resp|JWT/.test(expr)) throw new Error(`internal: path check ${expr} would not be evaluated as written`);
  return expr;
}

// The claim checks of a JWT policy. krakend-ce chains krakend-cel's rejecter into krakend-jose's
// validator (krakend-ce executor.go, BloomFilterJWT; krakend-cel rejecter.go): an expression holding
// `JWT` runs on the claims of a token whose signature, `exp`, `iss` and `aud` passed, before
// krakend-jose writes claims into headers and before the rate limiter (krakend-jose gin/jose.go,
// TokenSignatureValidator; krakend-ce handler_factory.go). `JWT` is the claims map as Go's JSON
// decoder read it: every number a float64 (a CEL double), `null` a CEL null. A false result, or an
// evaluation error (a missing key, a call on a null), answers 401 (rejecter.go, Reject). krakend-jose
// (jose.go, Claims.Get) writes a claim into its header as: a string as is; a number within 1e-6 of a
// whole one as `%d` of int(round(v)), so above 2^63 as -9223372036854775808 and above 2^53 already
// rounded by the decoder; any other number with six decimals (`%f`); null as `null`; a list joined by
// `,`; an object as JSON. The checks refuse what would make two different tokens share a header.

/** 2^53 - 1: every whole number up to it has a float64 of its own; 2^53 + 1 is read as 2^53. */
const SAFE_INTEGER = '9007199254740991.0';
/**
 * CEL words that cannot be a field name after a dot (the CEL spec's reserved words) and macro names,
 * so that a claim named like one is read with `['…']`.
 */
const CEL_WORDS = new Set([
  ...'as break const continue else false for function if import in let loop namespace null package return true var void while'.split(' '),
  ...'has all exists exists_one map filter'.split(' '),
]);

/**
 * The claim checks of a policy, as one expression (one rejecter, one compiled program per endpoint):
 * - `exp` present and a number, unless requireExpiry is false: go-jose checks `exp` only when there
 *   is one (jwt/validation.go, ValidateWithLeeway), so a token without it never expires;
 * - the user claim a non-empty string: missing it arrives as an empty X-User-Id (which a per-user
 *   limit answers with 429), `null` as the text `null`, a number maybe rounded;
 * - the org claim, when present, a string;
 * - each propagated claim, when present, not null and, when a number, one that `%d` or `%f` writes
 *   exactly (exactNumber).
 */
export function jwtCelChecks(policy: ResolvedAuthPolicy): CelCheck[] {
  const terms: string[] = [];
  if (policy.requireExpiry) terms.push('type(JWT.exp)==double');
  const user = claimAccess(policy.userIdClaim);
  // A user claim under a missing parent fails to evaluate: refused like a missing one.
  terms.push(`type(${user.value})==string&&${user.value}!=''`);
  const org = claimAccess(policy.orgIdClaim);
  terms.push(`(${absent(org)}||type(${org.value})==string)`);
  const claims = policy.propagateClaims.map((p) => claimAccess(p.claim));
  const topLevel = claims.filter((c) => c.topLevel !== undefined).map((c) => c.topLevel!);
  if (topLevel.length > 0) terms.push(`[${[...new Set(topLevel)].map(celString).join(',')}].all(c,!(c in JWT)||(${carried('JWT[c]')}))`);
  for (const c of claims) if (c.topLevel === undefined) terms.push(`(${absent(c)}||(${carried(c.value)}))`);
  const expr = terms.join('&&');
  // krakend-cel also evaluates an expression holding `req` or `resp` before or after the backend call,
  // where JWT is unbound: it would fail there and refuse every request (internal/cel.go, parseByKey).
  if (/req|resp/.test(expr)) throw new Error(`internal: claim check ${expr} would not be evaluated as written`);
  return [{ check_expr: expr }];
}

/** True when the claim is not there. `!` binds tighter than `in` and `&&`: only a lone has() goes without parentheses. */
function absent(claim: ClaimAccess): string {
  return /^has\([^()]*\)$/.test(claim.present) ? `!${claim.present}` : `!(${claim.present})`;
}

/** A claim that krakend-jose can write into a header exactly: not null, and an exact number when a number. */
function carried(x: string): string {
  return `type(${x})!=double?${x}!=null:${exactNumber(x)}`;
}

/**
 * A number `%d` or `%f` writes exactly: a whole number of at most 2^53 - 1 in magnitude (checked
 * before int(), which fails above 2^63), or a fraction whose shortest form (CEL's string() of a double
 * is Go's `%g`, cel-go common/types/double.go) has one to six decimals and no exponent (`%g` uses one
 * below 1e-4 and from 1e6 on), and does not end in .000001 or .999999, which may lie within krakend-jose's
 * 1e-6 of a whole number and be written as it.
 */
function exactNumber(x: string): string {
  return (
    `${x}>=-${SAFE_INTEGER}&&${x}<=${SAFE_INTEGER}&&double(int(${x}))==${x}` +
    `||string(${x}).matches('^-?[0-9]+[.][0-9]{1,6}$')&&!string(${x}).matches('[.](000001|999999)$')`
  );
}

/** How a claim is read in CEL, following krakend-jose's reading of a claim name. */
interface ClaimAccess {
  /** The claim's value; an evaluation error when a parent is missing. */
  readonly value: string;
  /** True when the claim is there: every parent an object holding the next name. */
  readonly present: string;
  /** The name of a claim at the top level, for a list of names; undefined for a nested claim. */
  readonly topLevel?: string;
}

/**
 * krakend-jose (jose.go, parsePropagationTuple and getNestedClaim) reads a name holding `.` as a path
 * into nested objects, unless it starts with `http` (URL-style names stay whole); a parent that is
 * missing or not an object makes the claim missing.
 */
function claimAccess(name: string): ClaimAccess {
  const path = name.includes('.') && !name.startsWith('http') ? name.split('.') : [name];
  let value = 'JWT';
  const present: string[] = [];
  path.forEach((key, i) => {
    if (i > 0) present.push(`type(${value})==map`);
    const dotted = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) && !CEL_WORDS.has(key) && !/req|resp/.test(key);
    present.push(dotted ? `has(${value}.${key})` : `${celString(key)} in ${value}`);
    value = dotted ? `${value}.${key}` : `${value}[${celString(key)}]`;
  });
  return { value, present: present.join('&&'), ...(path.length === 1 ? { topLevel: name } : {}) };
}

/**
 * A CEL string literal of `text`. Quotes, backslashes and control characters are escaped, and so is
 * the `e` of `req` and `resp` (`r\x65q`), so that no claim name puts those words into the expression.
 */
function celString(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    const code = ch.charCodeAt(0);
    if (ch === '\\' || ch === "'") out += `\\${ch}`;
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (ch === 'e' && text[i - 1] === 'r') out += '\\x65';
    else out += ch;
  }
  return `'${out}'`;
}

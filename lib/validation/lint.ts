// The last line of defence: the rendered krakend.json is checked against what KrakenD CE refuses at
// start, panics on, or silently drops (DESIGN §3). Validation makes every one of these impossible,
// so a finding here is a bug in this library, reported as one, never a config to ship. Also the
// size check: a ConfigMap cannot hold more than 1 MiB.
import { PROPAGATED_HEADERS } from '../krakend/jwt';
import { KrakendConfig } from '../krakend/types';
import { HTTP_METHODS } from '../spec';
import { GatewayValidationError, ValidationProblem } from './checker';

/** The most a ConfigMap can hold, in bytes (1 MiB). */
export const CONFIGMAP_LIMIT_BYTES = 1_048_576;

/**
 * Thrown when the rendered krakend.json would be refused by KrakenD CE although the spec passed
 * validation: a bug in this library, not in the spec.
 */
export class GatewayInternalError extends Error {
  constructor(public readonly findings: readonly string[]) {
    super(
      'the rendered krakend.json would fail in KrakenD CE although the spec is valid: a bug in hanzo-gateway-cdk8s, ' +
        `please report it with the Gateway spec. Findings:\n${findings.map((f) => `  ${f}`).join('\n')}`,
    );
    this.name = 'GatewayInternalError';
  }
}

// lura's patterns: a `{name}` endpoint parameter, and any `{...}` it substitutes in url_pattern.
const ENDPOINT_PARAM = /^\{([A-Za-z0-9_-]+)\}$/;
const URL_PATTERN_PARAM = /\{([\w\-.:/]+)\}/g;
/**
 * A character a literal endpoint segment may not hold: anything but RFC 3986 path characters, and
 * KrakenD's and gin's own syntax (* ? & % { } :).
 */
export const UNROUTABLE_CHAR = /[^A-Za-z0-9\-._~!$'()+,;=@]/;
/** Segments lura refuses anywhere in an endpoint, not only at its start. */
export const RESERVED_SEGMENT = /\/__(health|debug|echo)(\/|$)/;
// `backend[].host`: scheme://host[:port] only; lura needs 2 to 6 port digits.
const HOST = /^https?:\/\/[A-Za-z0-9._-]+(:[0-9]{2,6})?$/;
const STRATEGIES = ['ip', 'header', 'param'];

/** Problems KrakenD CE would have with a rendered config; empty when it is safe to ship. */
export function lintKrakendConfig(config: KrakendConfig): string[] {
  const findings: string[] = [];
  if (config.version !== 3) findings.push(`version must be 3 (got ${JSON.stringify(config.version)})`);
  const identity = identityHeaders(config);
  const trees = new Map<string, GinNode>(); // one per method, as in gin
  const parsed = new Map<string, ParsedPath>(); // endpoint path → its parse, when valid
  // Plain loops, a segment scan without split, and a finding's text built only when there is one:
  // this runs on every render, over thousands of endpoints for a large route table.
  const endpoints = config.endpoints;
  for (let i = 0; i < endpoints.length; i++) {
    const e = endpoints[i];
    const method = e.method ?? 'GET';
    const report = (what: string) => findings.push(`endpoints[${i}] (${method} ${e.endpoint}): ${what}`);
    if (!(HTTP_METHODS as readonly string[]).includes(method)) report(`method ${method} is not routable by KrakenD CE`);

    const path = parsed.get(e.endpoint) ?? parsePath(e.endpoint, report);
    if (path) {
      parsed.set(e.endpoint, path);
      let tree = trees.get(method);
      if (!tree) trees.set(method, (tree = { statics: new Map() }));
      register(tree, path, i, report);
    }

    const backends = e.backend ?? [];
    if (backends.length !== 1) report(`has ${backends.length} backends — no-op encoding proxies to exactly one`);
    for (let j = 0; j < backends.length; j++) {
      const b = backends[j];
      if (b.host.length === 0) report(`backend[${j}] has no host`);
      for (const h of b.host) if (!HOST.test(h)) report(`backend[${j}].host ${JSON.stringify(h)} is not scheme://host[:port] — lura refuses a path or doubled scheme`);
      // A valid endpoint's own path as url_pattern holds only its parameters: literal segments have no braces.
      if (!b.url_pattern.includes('{') || (path && b.url_pattern === e.endpoint)) continue;
      for (const match of b.url_pattern.matchAll(URL_PATTERN_PARAM)) {
        if (!path?.params.has(match[1])) report(`backend[${j}].url_pattern parameter {${match[1]}} is not in the endpoint — KrakenD refuses the config`);
      }
    }

    if (e.input_headers.includes('*')) report('input_headers "*" forwards every client header, forged identity headers included');
    const validated = e.extra_config?.['auth/validator'] !== undefined;
    if (!validated) {
      const forged = e.input_headers.filter((h) => identity.has(h.toLowerCase()));
      if (forged.length > 0) report(`forwards identity header ${forged.join(', ')} without auth/validator — a client could forge it`);
    }

    const limit = e.extra_config?.['qos/ratelimit/router'];
    if (limit?.client_max_rate !== undefined) {
      if (!STRATEGIES.includes(limit.strategy ?? '')) report('client_max_rate without strategy ip|header|param — KrakenD silently disables the limit');
      if (limit.strategy === 'header' && !limit.key) report('rate limit strategy header without key');
      if (limit.client_capacity === undefined) report('client_max_rate without client_capacity — KrakenD falls back to a capacity of 1');
      if (limit.strategy === 'header' && !validated && identity.has((limit.key ?? '').toLowerCase())) {
        report(`rate limit keyed on ${limit.key} without auth/validator — a client sets it`);
      }
    }
  }
  return findings;
}

/** Throws a GatewayInternalError when the rendered config would fail in KrakenD CE. */
export function assertKrakendConfigSafe(config: KrakendConfig): void {
  const findings = lintKrakendConfig(config);
  if (findings.length > 0) throw new GatewayInternalError(findings);
}

/**
 * Refuses a rendered config before anything is written: too large for its ConfigMap (a
 * GatewayValidationError the user can fix) or unsafe for KrakenD CE (a GatewayInternalError, a bug).
 */
export function checkRenderedConfig(config: KrakendConfig, krakendJson: string): void {
  const problems = checkConfigSize(krakendJson);
  if (problems.length > 0) throw new GatewayValidationError(problems);
  assertKrakendConfigSafe(config);
}

/**
 * A problem when krakend.json is too large for its ConfigMap, at `spec.routes` (what makes it
 * large): the size, the limit and what to change.
 */
export function checkConfigSize(krakendJson: string, path = 'spec.routes'): ValidationProblem[] {
  const bytes = Buffer.byteLength(krakendJson, 'utf8');
  if (bytes <= CONFIGMAP_LIMIT_BYTES) return [];
  return [
    {
      path,
      message:
        `the rendered krakend.json is ${bytes} bytes, over the ${CONFIGMAP_LIMIT_BYTES}-byte (1 MiB) limit of a ConfigMap — ` +
        'split the routes over several Gateways, or lower prefixDepth (each level is one endpoint per method of every route)',
    },
  ];
}

/** The headers that carry a validated identity: the default ones and every propagated claim header. */
function identityHeaders(config: KrakendConfig): Set<string> {
  const out = new Set(PROPAGATED_HEADERS.map((h) => h.toLowerCase()));
  for (const e of config.endpoints) {
    const claims = e.extra_config?.['auth/validator']?.propagate_claims;
    if (claims) for (const [, header] of claims) out.add(header.toLowerCase());
  }
  return out;
}

/** An endpoint path split into segments, each literal or a `{param}`, with its parameter names. */
interface ParsedPath {
  readonly segments: ReadonlyArray<{ readonly text: string; readonly param?: string }>;
  readonly params: ReadonlySet<string>;
}

/** The parsed path, or undefined (after reporting why) when lura or gin would refuse it. */
function parsePath(path: string, report: (what: string) => void): ParsedPath | undefined {
  if (!path.startsWith('/')) {
    report('path must start with /');
    return undefined;
  }
  if (RESERVED_SEGMENT.test(path)) {
    report('path is reserved by KrakenD (/__health, /__debug, /__echo)');
    return undefined;
  }
  const params = new Set<string>();
  const segments: Array<{ text: string; param?: string }> = [];
  let ok = true;
  for (let start = 1, end = 0; path !== '/' && end < path.length; start = end + 1) {
    end = path.indexOf('/', start);
    if (end < 0) end = path.length;
    const text = path.slice(start, end);
    const param = text.startsWith('{') ? ENDPOINT_PARAM.exec(text)?.[1] : undefined;
    if (param !== undefined) {
      if (params.has(param)) {
        report(`parameter {${param}} appears twice`);
        ok = false;
      }
      params.add(param);
    } else if (text === '' || UNROUTABLE_CHAR.test(text)) {
      report(`segment ${JSON.stringify(text)} is empty or holds a character KrakenD CE or gin cannot route (* ? & % { } : and the like)`);
      ok = false;
    }
    segments.push({ text, param });
  }
  return ok ? { segments, params } : undefined;
}

/** A node of a method's route tree: literal children, at most one parameter child, maybe an endpoint. */
interface GinNode {
  readonly statics: Map<string, GinNode>;
  param?: { readonly name: string; readonly index: number; readonly child: GinNode };
  endpoint?: number;
}

/**
 * Adds an endpoint to its method's tree the way gin does, reporting what makes gin panic at start:
 * the same path twice, or a second parameter name where the node already has one
 * (`':b' conflicts with existing wildcard ':a'`).
 */
function register(tree: GinNode, path: ParsedPath, index: number, report: (what: string) => void): void {
  let node = tree;
  for (const { text, param } of path.segments) {
    if (param === undefined) {
      let next = node.statics.get(text);
      if (!next) node.statics.set(text, (next = { statics: new Map() }));
      node = next;
    } else if (!node.param) {
      node.param = { name: param, index, child: { statics: new Map() } };
      node = node.param.child;
    } else if (node.param.name === param) {
      node = node.param.child;
    } else {
      report(`parameter {${param}} sits where endpoints[${node.param.index}] has {${node.param.name}} — gin panics at start`);
      return;
    }
  }
  if (node.endpoint !== undefined) report(`registered twice (also endpoints[${node.endpoint}]) — gin panics at start`);
  else node.endpoint = index;
}

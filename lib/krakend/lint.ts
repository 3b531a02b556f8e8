// What KrakenD CE refuses at start, panics on, or silently drops, checked on every rendered
// krakend.json. Validation makes every one of these impossible, so a finding here is a bug in this
// library, reported as one, never a config to ship.
import { RESERVED_SEGMENT, UNROUTABLE_CHAR } from '../grammar/endpoint-paths';
import { isKrakendHost } from '../grammar/urls';
import { HTTP_METHODS, MESSAGING_DRIVERS } from '../spec';
import { secretValueTemplate } from './headers';
import { PROPAGATED_HEADERS } from './jwt';
import { KrakendConfig, MartianConfig } from './types';

// lura's patterns: a `{name}` endpoint parameter, and any `{...}` it substitutes in url_pattern.
const ENDPOINT_PARAM = /^\{([A-Za-z0-9_-]+)\}$/;
const URL_PATTERN_PARAM = /\{([\w\-.:/]+)\}/g;
// A field of an earlier backend's answer in a sequential endpoint (lura proxy/merging.go).
const RESPONSE_PARAM = /^resp([0-9]+)_./;
const STRATEGIES = ['ip', 'header', 'param'];
const CEL_PHASES = ['req', 'resp', 'JWT'];
const MESSAGING_HOSTS = MESSAGING_DRIVERS.map((d) => `${d}://`);

/** Problems KrakenD CE would have with a rendered config; empty when it is safe to ship. */
export function lintKrakendConfig(config: KrakendConfig): string[] {
  const findings: string[] = [];
  if (config.version !== 3) findings.push(`version must be 3 (got ${JSON.stringify(config.version)})`);
  const identity = identityHeaders(config);
  const trees = new Map<string, GinNode>(); // one per method, as in gin
  const parsed = new Map<string, ParsedPath>(); // endpoint path → its parse, when valid
  const hosts = new Map<string, boolean>(); // backend host → accepted by lura, parsed once per host
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
    if (backends.length === 0) report('has no backend');
    // lura refuses no-op beside several backends (config/config.go, errInvalidNoOpEncoding); the service's output_encoding is no-op.
    if (backends.length > 1 && e.output_encoding === undefined) report(`has ${backends.length} backends — no-op encoding proxies to exactly one`);
    const sequential = e.extra_config?.proxy?.sequential === true;
    for (let j = 0; j < backends.length; j++) {
      const b = backends[j];
      if (b.host.length === 0) report(`backend[${j}] has no host`);
      const pubsub = (b.extra_config?.['backend/pubsub/publisher'] ? 1 : 0) + (b.extra_config?.['backend/pubsub/subscriber'] ? 1 : 0);
      if (b.disable_host_sanitize || pubsub > 0) {
        // A messaging backend: krakend-pubsub opens host[0] + the URL (client.go), a driver's scheme alone.
        if (!b.disable_host_sanitize || pubsub !== 1 || b.host.length !== 1 || !MESSAGING_HOSTS.includes(b.host[0]))
          report(
            `backend[${j}] is not one pubsub backend of host nats://, kafka:// or rabbit:// with disable_host_sanitize — KrakenD would call it over HTTP`,
          );
        if (b.encoding === undefined) report(`backend[${j}] is a pubsub backend without an encoding — no-op would answer no body`);
        continue;
      }
      for (const h of b.host) {
        let ok = hosts.get(h);
        if (ok === undefined) hosts.set(h, (ok = isKrakendHost(h)));
        if (!ok) report(`backend[${j}].host ${JSON.stringify(h)} is not scheme://host[:port] — lura refuses a path or doubled scheme`);
      }
      // A valid endpoint's own path as url_pattern holds only its parameters: literal segments have no braces.
      if (!b.url_pattern.includes('{') || (path && b.url_pattern === e.endpoint)) continue;
      for (const match of b.url_pattern.matchAll(URL_PATTERN_PARAM)) {
        const earlier = RESPONSE_PARAM.exec(match[1]);
        if (earlier) {
          // lura lets any `respN_…` through its check (config.go, sequentialParamsPattern); only a
          // sequential proxy fills it, from an earlier backend.
          if (!sequential || Number(earlier[1]) >= j)
            report(`backend[${j}].url_pattern {${match[1]}} is not filled: it needs proxy.sequential and an earlier backend — sent as written`);
        } else if (!path?.params.has(match[1]))
          report(`backend[${j}].url_pattern parameter {${match[1]}} is not in the endpoint — KrakenD refuses the config`);
      }
    }

    const decoded = backends[0]?.encoding;
    // lura's renders read fixed keys of the decoded answer (router/gin/render.go): without them, a 200 with an empty body.
    if (e.output_encoding === 'string' && decoded !== 'string') report('output_encoding string without a string backend — every answer is empty');
    if (e.output_encoding === 'json-collection' && !backends[0]?.is_collection && decoded !== 'safejson')
      report('output_encoding json-collection without a collection backend — every answer is []');
    if (e.output_encoding !== undefined && decoded === undefined)
      report('output_encoding without a backend encoding — lura then reads the body as json');

    if ((e.concurrent_calls ?? 1) > 1 && method !== 'GET') report(`concurrent_calls on ${method} — the backend would carry it out more than once`);
    if (backends[0]?.extra_config?.['qos/http-cache'] && e.extra_config?.['auth/validator'])
      report('qos/http-cache behind auth/validator — the cache is keyed by URL, so one user would get another’s answer');

    if (e.input_headers.includes('*')) report('input_headers "*" forwards every client header, forged identity headers included');
    const validated = e.extra_config?.['auth/validator'] !== undefined;
    if (!validated) {
      const forged = e.input_headers.filter((h) => identity.has(h.toLowerCase()));
      if (forged.length > 0) report(`forwards identity header ${forged.join(', ')} without auth/validator — a client could forge it`);
    }

    // krakend-cel evaluates a check in each phase whose variable prefix it holds anywhere in its text
    // (internal/cel.go, parseByKey): `req` before the backend call, `resp` after it, `JWT` on the token.
    // In a phase whose variables are unbound it fails and refuses every request; naming none, it never runs.
    for (const check of e.extra_config?.['validation/cel'] ?? []) {
      const phases = CEL_PHASES.filter((k) => check.check_expr.includes(k));
      if (phases.length !== 1) report(`validation/cel check names ${phases.join(' and ') || 'none'} of req, resp and JWT: ${check.check_expr}`);
    }

    const limit = e.extra_config?.['qos/ratelimit/router'];
    if (limit?.client_max_rate !== undefined) {
      if (!STRATEGIES.includes(limit.strategy ?? ''))
        report('client_max_rate without strategy ip|header|param — KrakenD silently disables the limit');
      if (limit.strategy === 'header' && !limit.key) report('rate limit strategy header without key');
      if (limit.client_capacity === undefined) report('client_max_rate without client_capacity — KrakenD falls back to a capacity of 1');
      if (limit.strategy === 'header' && !validated && identity.has((limit.key ?? '').toLowerCase())) {
        report(`rate limit keyed on ${limit.key} without auth/validator — a client sets it`);
      }
    }
  }
  findings.push(...templateFindings(config));
  return findings;
}

/**
 * With a Secret's template in it, KrakenD reads krakend.json as a Go template (lib/krakend/headers.ts):
 * every set header value that holds `{{` must be exactly such a template, and no other text may hold
 * `{{` (validation refuses it in the spec), or it would run as template code at start.
 */
function templateFindings(config: KrakendConfig): string[] {
  const findings: string[] = [];
  let templates = 0;
  const checked = new Set<MartianConfig>(); // the block is shared by a route's endpoints: checked once
  for (const e of config.endpoints) {
    for (const b of e.backend) {
      const martian = b.extra_config?.['modifier/martian'];
      if (martian === undefined) continue;
      const modifiers = 'fifo.Group' in martian ? martian['fifo.Group'].modifiers : [martian];
      for (const m of modifiers) {
        if (!('header.Modifier' in m) || !m['header.Modifier'].value.includes('{{')) continue;
        templates++;
        const { name, value } = m['header.Modifier'];
        const env = /env `([A-Z0-9_]+)`/.exec(value)?.[1];
        if (!checked.has(martian) && (env === undefined || value !== secretValueTemplate(env)))
          findings.push(`${e.endpoint}: header ${name} holds '{{' but is not a Secret's template — KrakenD would run it as template code`);
      }
      checked.add(martian);
    }
  }
  if (templates === 0) return findings;
  const opens = JSON.stringify(config).split('{{').length - 1;
  if (opens !== 2 * templates)
    findings.push(`krakend.json holds '{{' ${opens - 2 * templates} time(s) outside the Secrets' templates — KrakenD would run it as template code`);
  return findings;
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

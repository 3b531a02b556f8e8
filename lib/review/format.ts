// The outputs of `audit` and `diff`: compact text for a terminal, markdown for a pull-request comment,
// and JSON (the report objects as they are, their shapes documented in docs/cli-and-gitops.md).
import { AuditReport, AuditedPolicy, AuditedRoute, AuditedSecurityHeaders, GatewayAudit, secretSource } from './audit';
import {
  AuthValue,
  BackendValue,
  Change,
  DiffReport,
  HeadersValue,
  OtherChange,
  RequestHeadersValue,
  ResponseHeadersValue,
  StreamValue,
} from './diff';
import { compareText } from './routes';
import { BackendLocation, RateLimitView, SetHeader } from './served';

/** The line printed when nothing KrakenD serves changed. */
export const NO_CHANGE = 'no change in what is served';

/** A report as JSON, two-space indented, with a final newline. */
export function formatJson(report: AuditReport | DiffReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** How values taken from a Gateway (paths, URLs, names, headers) are written among the review's own words. */
interface Style {
  readonly value: (text: string) => string;
}

const PLAIN: Style = { value: (text) => text };

/**
 * Markdown: each value in a code span, where nothing in it formats the comment (no emphasis, link or
 * HTML) and GitHub does not turn a URL into a link. A `|` is escaped even there, or it would end the
 * table cell (GFM, "Tables"); a value holding a backtick, which no path, header or backend URL can
 * (lib/grammar/), is escaped as text instead.
 */
const MARKDOWN: Style = {
  value: (text) => (text.includes('`') ? text.replace(/[\\`*_[\]<>|~&]/g, (ch) => ENTITIES[ch] ?? `\\${ch}`) : `\`${text.replace(/\|/g, '\\|')}\``),
};
const ENTITIES: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;' };

// ---- audit ----

/**
 * The audit for a terminal: per Gateway, its security headers and auth policies once, its routes
 * grouped by backend, then the warnings.
 */
export function formatAuditText(report: AuditReport): string {
  return report.gateways.map(formatGatewayAudit).join('\n');
}

function formatGatewayAudit(g: GatewayAudit): string {
  const backends = new Map<string, AuditedRoute[]>();
  for (const r of g.routes) backends.set(r.origin, [...(backends.get(r.origin) ?? []), r]);
  const lines = [
    `${g.gateway} (${g.source}): ${count(g.endpoints.length, 'endpoint')}, ${count(g.routes.length, 'route')}, ${count(backends.size, 'backend')}`,
    `  security headers: ${securityText(g.securityHeaders, PLAIN)}`,
  ];
  const policies = new Set<string>();
  for (const r of g.routes) if (r.auth !== null) policies.add(`  auth ${r.auth}: ${describeJwt(r)}`);
  lines.push(...[...policies].sort(compareText));
  const left = (r: AuditedRoute) => {
    const backendPath = r.backend.slice(r.origin.length);
    // A composed route: the first backend's path here, each other backend it merges in after it.
    const merged = (r.mergedWith ?? []).map((m) => ` + ${m.url} (${locationText(m.location)})`).join('');
    const shown = (backendPath === r.path && merged === '') || r.backendLocation === 'broker';
    return `${r.path} ${r.methods.join(' ')}${shown ? '' : ` → ${backendPath}`}${merged}`;
  };
  const width = Math.max(...g.routes.map((r) => left(r).length));
  for (const origin of [...backends.keys()].sort(compareText)) {
    const routes = backends.get(origin)!;
    lines.push(`  ${origin} (${locationText(routes[0].backendLocation)})`);
    for (const r of routes) lines.push(`    ${left(r).padEnd(width)}  ${describePolicy(r, PLAIN)}`);
  }
  if (g.warnings.length === 0) lines.push('  warnings: none');
  else {
    lines.push(`  ${count(g.warnings.length, 'warning')}:`);
    for (const w of g.warnings) lines.push(`    ${w.path === null ? '(service)' : `${w.path} ${w.methods.join(' ')}`}: ${w.code}: ${w.message}`);
  }
  return `${lines.join('\n')}\n`;
}

function describeJwt(r: AuditedPolicy): string {
  const jwt = r.jwt;
  if (jwt === null) return 'no validator';
  const parts = [`issuer ${jwt.issuer}`];
  if (jwt.audience.length > 0) parts.push(`audience ${jwt.audience.join(', ')}`);
  if (jwt.roles) parts.push(`roles ${jwt.roles.join(', ')}`);
  parts.push(`keys ${jwt.jwksUrl}`);
  if (r.identityHeaders.length > 0) parts.push(`sets ${r.identityHeaders.map((i) => `${i.header} from ${i.claim}`).join(', ')}`);
  return parts.join(', ');
}

/**
 * One route's policy in a line: auth, limits, identity headers, forwarded headers, the headers it sets
 * (names, and the Secret a value comes from) and deletes from responses.
 */
function describePolicy(r: AuditedPolicy, s: Style): string {
  const parts = [r.auth === null ? 'public' : `auth ${s.value(r.auth)}`, describeLimits(r.rateLimits, s)];
  if (r.identityHeaders.length > 0) parts.push(`identity ${r.identityHeaders.map((i) => s.value(i.header)).join(', ')}`);
  parts.push(forwardedText(r.forwardedHeaders, s));
  if (r.setHeaders.length > 0) parts.push(`sets ${r.setHeaders.map((h) => ('secret' in h ? setHeaderText(h, s) : s.value(h.header))).join(', ')}`);
  if (r.overridesAuthorization) parts.push("overrides the token's Authorization");
  if (r.removedResponseHeaders.length > 0) parts.push(`deletes ${r.removedResponseHeaders.map(s.value).join(', ')} from responses`);
  const stream = streamText(r.stream);
  if (stream !== undefined) parts.push(stream);
  return parts.join(' · ');
}

/** `streamed by nginx, closed after 5m idle`, or undefined for a route KrakenD serves. */
function streamText(stream: StreamValue): string | undefined {
  return stream === null ? undefined : `streamed by nginx, closed after ${stream.idleTimeout} idle`;
}

/** A set header as a diff shows it: its name with its value, or with the Secret the value comes from. */
function setHeaderText(h: SetHeader, s: Style): string {
  // Never a Secret's value: krakend.json holds only the template that reads it.
  return 'secret' in h ? `${s.value(h.header)} from ${secretSource(h.secret, s.value)}` : `${s.value(h.header)}: ${s.value(h.value)}`;
}

/** `HSTS max-age 31536000, nosniff, X-Frame-Options DENY, Referrer-Policy no-referrer`, or `off`. */
function securityText(headers: AuditedSecurityHeaders | null, s: Style): string {
  if (headers === null) return 'off';
  const parts = [
    headers.hstsMaxAge > 0 ? `HSTS max-age ${headers.hstsMaxAge}${headers.hstsIncludeSubdomains ? ' includeSubDomains' : ''}` : 'no HSTS',
  ];
  if (headers.contentTypeNosniff) parts.push('nosniff');
  if (headers.frameDeny) parts.push('X-Frame-Options DENY');
  if (headers.referrerPolicy !== null) parts.push(`Referrer-Policy ${s.value(headers.referrerPolicy)}`);
  return parts.join(', ');
}

/** The client headers worth naming: those beyond Accept and Content-Type, which every route forwards (lib/spec.ts, DEFAULT_INPUT_HEADERS). */
function forwardedText(headers: readonly string[], s: Style): string {
  const named = headers.filter((h) => !['accept', 'content-type'].includes(h.toLowerCase()));
  const authorization = named.some((h) => h.toLowerCase() === 'authorization');
  if (named.length === 0) return 'no Authorization';
  return `forwards ${named.map(s.value).join(', ')}${authorization ? '' : ' (no Authorization)'}`;
}

function describeLimits(limits: readonly RateLimitView[], s: Style): string {
  if (limits.length === 0) return 'no limit';
  return `limit ${limits.map((l) => limitText(l, s)).join(' + ')}${named(limits[0], s)}`;
}

/** ` (per-user)`: the spec's name of a limit, after its numbers (the name may say something else than they do). */
function named(l: RateLimitView, s: Style): string {
  return l.name === null ? '' : ` (${s.value(l.name)})`;
}

/** `100/1m per user`, with the burst when it is not maxRate. */
function limitText(l: RateLimitView, s: Style): string {
  const per =
    l.key === 'user'
      ? 'per user'
      : l.key === 'ip'
        ? 'per IP'
        : l.key === 'global'
          ? 'for all clients'
          : l.key.startsWith('header:')
            ? `per ${s.value(l.key.slice('header:'.length))} header`
            : `per ${s.value(l.key.slice('param:'.length))} parameter`;
  return `${l.maxRate}/${l.every} ${per}${l.capacity === l.maxRate ? '' : `, burst ${l.capacity}`}`;
}

function locationText(location: BackendLocation): string {
  if (location === 'broker') return 'messaging broker, address from the environment';
  return location === 'in-cluster' ? 'in cluster' : location === 'external' ? 'outside the cluster' : 'location unknown';
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

// ---- diff ----

/** A change merged over the methods that share it, for the text and markdown outputs. */
interface ChangeLine {
  readonly gateway: string;
  readonly change: string;
  /** null for a change to the whole Gateway. */
  readonly path: string | null;
  readonly methods: readonly string[];
  readonly before: string;
  readonly after: string;
}

/** The diff for a terminal: per Gateway, one line per change of a route, then other settings, then the classes. */
export function formatDiffText(report: DiffReport): string {
  const lines: string[] = [];
  for (const id of report.gatewaysAdded) lines.push(`Gateway ${id} added`);
  for (const id of report.gatewaysRemoved) lines.push(`Gateway ${id} removed`);
  const changes = changeLines(report.changes, PLAIN);
  const route = (c: ChangeLine) => (c.path === null ? '(service)' : `${c.path} ${c.methods.join(' ')}`);
  const width = Math.max(0, ...changes.map((c) => c.change.length));
  const routeWidth = Math.max(0, ...changes.map((c) => route(c).length));
  let gateway: string | undefined;
  for (const c of changes) {
    if (c.gateway !== gateway) lines.push(`${(gateway = c.gateway)}:`);
    lines.push(`  ${c.change.padEnd(width)}  ${route(c).padEnd(routeWidth)}  ${c.before} → ${c.after}`);
  }
  const others = otherLines(report.otherChanges);
  if (others.length > 0) {
    lines.push('other settings changed (not classified):');
    for (const o of others)
      lines.push(`  ${o.gateway} ${o.path === null ? '(service)' : `${o.path} ${o.methods.join(' ')}`}: ${o.settings.join(', ')}`);
  }
  lines.push(...summary(report, PLAIN));
  return `${lines.join('\n')}\n`;
}

/** The diff as a pull-request comment: a table of the changes, then other settings, the classes and the gate's verdict. */
export function formatDiffMarkdown(report: DiffReport): string {
  const s = MARKDOWN;
  const blocks = ['### Gateway changes'];
  const gateways = [
    ...report.gatewaysAdded.map((id) => `- Gateway ${s.value(id)} added`),
    ...report.gatewaysRemoved.map((id) => `- Gateway ${s.value(id)} removed`),
  ];
  if (gateways.length > 0) blocks.push(gateways.join('\n'));
  const changes = changeLines(report.changes, s);
  if (changes.length > 0) {
    const route = (c: ChangeLine) => (c.path === null ? '(service)' : `${s.value(c.path)} ${c.methods.join(' ')}`);
    const rows = changes.map((c) => `| ${s.value(c.gateway)} | ${c.change} | ${route(c)} | ${c.before} | ${c.after} |`);
    blocks.push(['| Gateway | Change | Route | Before | After |', '| --- | --- | --- | --- | --- |', ...rows].join('\n'));
  }
  const others = otherLines(report.otherChanges);
  if (others.length > 0) {
    const route = (o: (typeof others)[number]) => (o.path === null ? '(service)' : `${s.value(o.path)} ${o.methods.join(' ')}`);
    const items = others.map((o) => `- ${s.value(o.gateway)} ${route(o)}: ${o.settings.map(s.value).join(', ')}`);
    blocks.push(['Other settings changed (not classified):', '', ...items].join('\n'));
  }
  // Separate paragraphs: markdown would join consecutive lines into one.
  blocks.push(...summary(report, s));
  return `${blocks.join('\n\n')}\n`;
}

/** The closing lines: NO_CHANGE, or the classes present and, with --fail-on, the verdict. */
function summary(report: DiffReport, s: Style): string[] {
  if (report.changes.length === 0 && report.otherChanges.length === 0) return [NO_CHANGE];
  const lines = [`classes: ${report.classes.length === 0 ? 'none' : report.classes.map(s.value).join(', ')}`];
  if (report.failOn.length > 0) {
    const hit = report.failOn.filter((c) => report.classes.includes(c));
    lines.push(
      hit.length === 0 ? `--fail-on: none of ${report.failOn.map(s.value).join(', ')} present` : `--fail-on: ${hit.map(s.value).join(', ')} present`,
    );
  }
  return lines;
}

/** Changes of one route that differ only in the method, as one line, in the report's order. */
function changeLines(changes: readonly Change[], s: Style): ChangeLine[] {
  const merged = new Map<string, { line: Omit<ChangeLine, 'methods'>; methods: string[] }>();
  for (const c of changes) {
    const line = { gateway: c.gateway, change: c.change, path: c.path, before: describe(c, c.before, s), after: describe(c, c.after, s) };
    const id = JSON.stringify(line);
    const found = merged.get(id);
    if (found && c.method !== null) found.methods.push(c.method);
    else if (!found) merged.set(id, { line, methods: c.method === null ? [] : [c.method] });
  }
  return [...merged.values()].map(({ line, methods }) => ({ ...line, methods }));
}

function otherLines(others: readonly OtherChange[]): Array<{ gateway: string; path: string | null; methods: string[]; settings: readonly string[] }> {
  const merged = new Map<string, { gateway: string; path: string | null; methods: string[]; settings: readonly string[] }>();
  for (const o of others) {
    const id = JSON.stringify([o.gateway, o.path, o.settings]);
    const found = merged.get(id);
    if (found && o.method !== null) found.methods.push(o.method);
    else if (!found) merged.set(id, { gateway: o.gateway, path: o.path, methods: o.method === null ? [] : [o.method], settings: o.settings });
  }
  return [...merged.values()];
}

/** One side of a change, in words. */
function describe(c: Change, value: Change['before'], s: Style): string {
  switch (c.change) {
    case 'added':
    case 'removed': {
      if (value === null) return 'not served';
      const p = value as AuditedPolicy;
      return `${describePolicy(p, s)} · to ${s.value(p.backend)} (${locationText(p.backendLocation)})`;
    }
    case 'auth-added':
    case 'auth-removed':
    case 'auth-changed':
      return value === null ? 'public' : describeAuth(value as AuthValue, c.fields ?? [], value === c.after, s);
    case 'limit-added':
    case 'limit-removed':
    case 'limit-loosened':
    case 'limit-tightened': {
      if (value === null) return 'no limit';
      const l = value as RateLimitView;
      return `${limitText(l, s)}${named(l, s)}`;
    }
    case 'backend-changed': {
      const b = value as BackendValue;
      const merged = (b.mergedWith ?? []).map((m) => ` + ${s.value(m.url)} (${locationText(m.location)})`).join('');
      return `${s.value(b.url)} (${locationText(b.location)})${merged}`;
    }
    case 'stream-changed':
      return streamText(value as StreamValue) ?? 'buffered by KrakenD';
    case 'headers-changed':
      return forwardedText((value as HeadersValue).forwarded, s);
    case 'secret-header-added':
    case 'secret-header-removed':
      return value === null ? 'not set' : setHeaderText(value as SetHeader, s);
    case 'request-headers-changed': {
      const v = value as RequestHeadersValue;
      const parts = [v.set.length === 0 ? 'sets none' : `sets ${v.set.map((h) => setHeaderText(h, s)).join(', ')}`];
      if (v.removed.length > 0) parts.push(`deletes ${v.removed.map(s.value).join(', ')}`);
      return parts.join('; ');
    }
    case 'response-headers-changed': {
      const removed = (value as ResponseHeadersValue).removed;
      return removed.length === 0 ? 'deletes none' : `deletes ${removed.map(s.value).join(', ')}`;
    }
    case 'security-headers-added':
    case 'security-headers-removed':
    case 'security-headers-changed':
      return securityText(value as AuditedSecurityHeaders | null, s);
  }
}

/** The validator keys a description names; any other changed key is listed after them. */
const DESCRIBED_AUTH_FIELDS = new Set(['issuer', 'audience', 'roles', 'jwk_url', 'propagate_claims']);

/** A policy, with the changed fields it names; `after` also lists the changed fields it cannot show. */
function describeAuth(a: AuthValue, fields: readonly string[], after: boolean, s: Style): string {
  const list = (values: readonly string[] | undefined) => (values === undefined || values.length === 0 ? 'none' : values.map(s.value).join(', '));
  const parts = [`issuer ${s.value(a.issuer)}`];
  if (a.audience.length > 0 || fields.includes('audience')) parts.push(`audience ${list(a.audience)}`);
  if (a.roles || fields.includes('roles')) parts.push(`roles ${list(a.roles)}`);
  if (fields.includes('jwk_url')) parts.push(`keys ${s.value(a.jwksUrl)}`);
  if (fields.includes('propagate_claims')) parts.push(`claims ${list(a.claims.map((c) => `${c.claim}→${c.header}`))}`);
  const rest = after ? fields.filter((f) => !DESCRIBED_AUTH_FIELDS.has(f)) : [];
  return `auth ${s.value(a.policy ?? 'jwt')} (${parts.join(', ')})${rest.length > 0 ? `; ${rest.join(', ')} changed` : ''}`;
}

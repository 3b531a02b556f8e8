// Checks of the service options: the logger, CORS, traces, the backends' CA bundle, and the pod
// shares of `cluster` rate limits.
import { linkLocalReason } from '../grammar/destinations';
import { isHeaderToken } from '../grammar/headers';
import { isDataKey, isDns1123Subdomain } from '../grammar/names';
import { parseCollectorUrl, parseOrigin } from '../grammar/urls';
import { isObject, show } from '../grammar/values';
import { MAX_HEADER_NAME_LENGTH } from '../limits';
import { podShare, resolveMinReplicas, resolveSharePods } from '../resolve';
import { HTTP_METHODS, LOG_FORMATS, LOG_LEVELS, isEnabled } from '../spec';
import { Checker } from './checker';
import { CA_BUNDLE_FIELDS, CORS_FIELDS, LOGGING_FIELDS, TRACING_FIELDS } from './fields';

/** `logging`: a level (not beside `logLevel`, which says the same) and a format. */
export function checkLogging(c: Checker, path: string, value: unknown, logLevel: unknown): void {
  if (!c.object(path, value, LOGGING_FIELDS)) return;
  if (value.level !== undefined) {
    c.enumValue(`${path}.level`, value.level, LOG_LEVELS);
    if (logLevel !== undefined)
      c.add(`${path}.level`, `says what logLevel says (got ${show(value.level)} beside logLevel ${show(logLevel)}) — keep one of them`);
  }
  if (value.format !== undefined) c.enumValue(`${path}.format`, value.format, LOG_FORMATS);
}

/** A list of distinct header names. */
function checkHeaderList(c: Checker, path: string, value: unknown, example: string): void {
  if (!c.list(path, value)) return;
  const seen = new Map<string, number>();
  c.each(value, (h, i) => {
    const p = `${path}[${i}]`;
    if (!c.string(p, h, `a header name, e.g. ${example}`, MAX_HEADER_NAME_LENGTH)) return;
    if (!isHeaderToken(h)) return c.add(p, `must be a header name, an RFC 9110 token (got ${show(h)}) — e.g. ${example}`);
    const first = seen.get(h.toLowerCase());
    if (first !== undefined) c.add(p, `repeats ${path}[${first}] (got ${show(h)}) — header names are case-insensitive; remove one`);
    else seen.set(h.toLowerCase(), i);
  });
}

/**
 * `cors`: origins as browsers send them, or `*` alone and never with credentials (browsers refuse a
 * credentialed response that allows every origin, Fetch standard 3.2.5, and rs/cors would then echo
 * any origin back), methods the gateway routes, header names, and a max age in whole seconds.
 */
export function checkCors(c: Checker, path: string, value: unknown): void {
  if (!c.object(path, value, CORS_FIELDS)) return;
  const origins = value.allowOrigins;
  let wildcard = false;
  if (c.list(`${path}.allowOrigins`, origins)) {
    if (origins.length === 0) c.add(`${path}.allowOrigins`, 'must list at least one origin — e.g. https://app.hanzo.ai, or "*" for any origin');
    const seen = new Map<string, number>();
    c.each(origins, (o, i) => {
      const p = `${path}.allowOrigins[${i}]`;
      if (!c.string(p, o, 'an origin, e.g. https://app.hanzo.ai')) return;
      if (o === '*') {
        wildcard = true;
        if (origins.length > 1)
          c.add(p, `must be alone: "*" allows every origin, so the others say nothing (got ${origins.length} origins) — keep "*" or the list`);
        return;
      }
      if (o.includes('*')) return c.add(p, `must be an exact origin or "*" alone (got ${show(o)}) — list each origin, e.g. https://app.hanzo.ai`);
      if (c.parsed(p, parseOrigin(o)) === undefined) return;
      const first = seen.get(o);
      if (first !== undefined) c.add(p, `repeats ${path}.allowOrigins[${first}] (got ${show(o)}) — remove one`);
      else seen.set(o, i);
    });
  }
  if (value.allowCredentials !== undefined) {
    c.boolean(`${path}.allowCredentials`, value.allowCredentials);
    if (value.allowCredentials === true && wildcard)
      c.add(
        `${path}.allowCredentials`,
        'must not be true with the origin "*": any site could then make browsers send their users\' cookies and tokens, and read the answers ' +
          '(got allowCredentials: true) — list the origins allowed, or drop credentials',
      );
  }
  if (value.allowMethods !== undefined && c.list(`${path}.allowMethods`, value.allowMethods)) {
    const methods = value.allowMethods;
    if (methods.length === 0) c.add(`${path}.allowMethods`, 'must list at least one method — remove it for every method the routes serve');
    c.each(methods, (m, i) => {
      c.enumValue(`${path}.allowMethods[${i}]`, m, HTTP_METHODS, ' — the methods KrakenD CE routes');
      if (methods.indexOf(m) < i)
        c.add(`${path}.allowMethods[${i}]`, `repeats ${path}.allowMethods[${methods.indexOf(m)}] (got ${show(m)}) — remove one`);
    });
  }
  if (value.allowHeaders !== undefined) {
    checkHeaderList(c, `${path}.allowHeaders`, value.allowHeaders, 'Authorization');
    if (Array.isArray(value.allowHeaders) && value.allowHeaders.length === 0)
      c.add(`${path}.allowHeaders`, 'must list at least one header — krakend-cors allows every header for an empty list; remove it for the defaults');
  }
  if (value.exposeHeaders !== undefined) checkHeaderList(c, `${path}.exposeHeaders`, value.exposeHeaders, 'X-Request-Id');
  if (value.maxAge !== undefined) {
    c.duration(`${path}.maxAge`, value.maxAge, { minMs: 1000, maxMs: 86_400_000, why: ' — from 1s to 24h, the longest a browser keeps it' });
    const ms = typeof value.maxAge === 'string' ? /^([0-9]+)(ms)$/.exec(value.maxAge) : null;
    if (ms && Number(ms[1]) % 1000 !== 0)
      c.add(`${path}.maxAge`, `must be whole seconds: Access-Control-Max-Age counts seconds (got ${show(value.maxAge)}) — e.g. 10m`);
  }
}

/** The smallest sample rate; krakend-otel (state/state.go) reads 0 as "trace every request". */
const MIN_SAMPLE_RATE = 0.000001;

/** `tracing`: the collector, the protocol, and a sample rate from MIN_SAMPLE_RATE to 1. */
export function checkTracing(c: Checker, path: string, value: unknown, networkPolicy: unknown): void {
  if (!c.object(path, value, TRACING_FIELDS)) return;
  const url = c.string(`${path}.endpoint`, value.endpoint, 'the OTLP collector, e.g. http://otel-collector.monitoring.svc:4317')
    ? c.parsed(`${path}.endpoint`, parseCollectorUrl(value.endpoint))
    : undefined;
  const reason = url && linkLocalReason(url);
  if (reason !== undefined && isEnabled(networkPolicy as { enabled?: unknown } | undefined))
    c.add(
      `${path}.endpoint`,
      `is ${reason} (got ${show(value.endpoint)}) — the NetworkPolicy never opens egress to the cloud metadata range; use another host`,
    );
  if (value.protocol !== undefined) c.enumValue(`${path}.protocol`, value.protocol, ['grpc', 'http']);
  const rate = value.sampleRate;
  if (rate !== undefined && !(typeof rate === 'number' && rate >= MIN_SAMPLE_RATE && rate <= 1)) {
    c.add(
      `${path}.sampleRate`,
      `must be a number from ${MIN_SAMPLE_RATE} (one request in a million) to 1 (got ${show(rate)}) — krakend-otel traces every request ` +
        'for a rate of 0; remove tracing to trace none',
    );
  }
}

/** `backendCaBundle`: a ConfigMap or a Secret, and a key. */
export function checkCaBundle(c: Checker, path: string, value: unknown): void {
  if (!c.object(path, value, CA_BUNDLE_FIELDS)) return;
  const given = (['configMap', 'secret'] as const).filter((f) => value[f] !== undefined);
  if (given.length !== 1) {
    c.add(path, `must name a configMap or a secret, one of them (got ${given.length === 0 ? 'neither' : 'both'}) — e.g. configMap: kube-root-ca.crt`);
  }
  for (const f of given) {
    if (!isDns1123Subdomain(value[f]))
      c.add(`${path}.${f}`, `must be a DNS-1123 subdomain, the name of a ${f === 'secret' ? 'Secret' : 'ConfigMap'} (got ${show(value[f])})`);
  }
  if (value.key !== undefined && !isDataKey(value.key))
    c.add(`${path}.key`, `must be a data key: letters, digits, '-', '_' and '.', not '.' or '..'-prefixed (got ${show(value.key)}) — e.g. ca.crt`);
}

/**
 * The `cluster` rate limits: each amount divided by the pod count must leave every pod at least 1,
 * read leniently from a spec of any shape (the fields' own problems are reported elsewhere).
 */
export function checkRateLimitShares(c: Checker, path: string, spec: Record<string, unknown>): void {
  const limits = spec.rateLimits;
  if (!Array.isArray(limits)) return;
  const autoscaling = isObject(spec.autoscaling) ? spec.autoscaling : undefined;
  const min = autoscaling?.minReplicas;
  const replicas = spec.replicas;
  if (autoscaling && min !== undefined && !(Number.isInteger(min) && (min as number) >= 1)) return;
  if (!autoscaling && replicas !== undefined && !(Number.isInteger(replicas) && (replicas as number) >= 1)) return;
  const pods = resolveSharePods(replicas as number | undefined, autoscaling && { minReplicas: min as number | undefined });
  const counted = autoscaling ? `the autoscaler's minReplicas ${resolveMinReplicas(min as number | undefined)}` : `${pods} replicas`;
  limits.forEach((limit, i) => {
    if (!isObject(limit)) return;
    if (limit.scope !== undefined)
      c.enumValue(`${path}[${i}].scope`, limit.scope, ['pod', 'cluster'], ' — pod counts in each pod, cluster shares the limit out over them');
    if (limit.scope !== 'cluster') return;
    const amounts: Array<[string, unknown]> = [
      ['maxRate', limit.maxRate],
      ['capacity', limit.capacity],
      ['totalMaxRate', limit.totalMaxRate],
      ['totalCapacity', limit.totalCapacity],
    ];
    for (const [field, amount] of amounts) {
      if (!Number.isInteger(amount) || (amount as number) < 1 || podShare(amount as number, pods) >= 1) continue;
      c.add(
        `${path}[${i}].${field}`,
        `leaves each pod less than 1 when shared over ${counted} (got ${show(amount)}) — raise it to ${pods} or more, or use scope: pod`,
      );
    }
  });
}

// Checks of the streaming fields: `routes[].streaming` and `streamTimeout`, what a streaming route may
// sit beside, and `streamProxy`. A streaming route is served by the nginx sidecar for its prefix and
// every path below it (lib/nginx/conf.ts), so no other route may serve there: nginx would take
// its requests.
import { isObject, show } from '../grammar/values';
import { STREAM_TIMEOUT_MS } from '../limits';
import { STREAM_AUTH_PREFIX, STREAM_IDENTITY_PORT, STREAM_KRAKEND_PORT } from '../spec';
import { Checker } from './checker';
import { STREAM_PROXY_FIELDS } from './fields';
import { checkImage, checkResources } from './kubernetes-fields';

const STREAM_TIMEOUT_BOUNDS = { minMs: STREAM_TIMEOUT_MS.min, maxMs: STREAM_TIMEOUT_MS.max, why: ' — from 1s to 1h' };

/** `true` when `prefix` is `outer` or a path below it. */
function within(prefix: string, outer: string): boolean {
  return prefix === outer || prefix.startsWith(outer === '/' ? '/' : `${outer}/`);
}

/**
 * What nginx.conf cannot hold for a streaming route: a Secret's value, which KrakenD reads from the
 * environment at start and plain nginx cannot, and a `$`, which nginx reads as a variable in a
 * header value or a proxied path.
 */
function checkNginxText(c: Checker, p: string, r: Record<string, unknown>): void {
  if (Array.isArray(r.secretHeaders) && r.secretHeaders.length > 0)
    c.add(
      `${p}.secretHeaders`,
      "is not supported on a streaming route: its nginx proxy cannot read a Secret from the pod's environment — " +
        'use a backend that holds the credential, or stream without it',
    );
  if (typeof r.prefix === 'string' && r.prefix.includes('$'))
    c.add(`${p}.prefix`, `must not contain '$' on a streaming route: nginx reads it as a variable (got ${show(r.prefix)}) — choose another prefix`);
  if (typeof r.backend === 'string' && r.backend.includes('$'))
    c.add(`${p}.backend`, `must not contain '$' on a streaming route: nginx reads it as a variable (got ${show(r.backend)})`);
  if (isObject(r.requestHeaders))
    for (const [name, value] of Object.entries(r.requestHeaders))
      if (typeof value === 'string' && value.includes('$'))
        c.add(`${p}.requestHeaders.${name}`, `must not contain '$' on a streaming route: nginx reads it as a variable (got ${show(value)})`);
}

/**
 * What only KrakenD does with an answer, which a stream bypasses: the stream proxy passes the
 * backend's bytes through as they come, so it cannot translate them, cache them, race concurrent calls
 * or count failures.
 */
function checkKrakendOnly(c: Checker, p: string, r: Record<string, unknown>): void {
  const fields: Array<[string, boolean]> = [
    ['encoding', r.encoding !== undefined && r.encoding !== 'no-op'],
    ['outputEncoding', r.outputEncoding !== undefined],
    ['isCollection', r.isCollection === true],
    ['concurrentCalls', typeof r.concurrentCalls === 'number' && r.concurrentCalls > 1],
    ['cache', r.cache === true],
    ['circuitBreaker', r.circuitBreaker !== undefined],
  ];
  for (const [field, set] of fields)
    if (set)
      c.add(`${p}.${field}`, 'is not applied on a streaming route: its stream proxy passes the answer through as it comes — remove it, or streaming');
}

/** The streaming fields of the routes of a spec of any shape, and `streamProxy`. */
export function checkStreaming(c: Checker, path: string, spec: Record<string, unknown>): void {
  const routes = Array.isArray(spec.routes) ? spec.routes : [];
  const streaming: { index: number; prefix: string }[] = [];
  routes.forEach((r: unknown, i) => {
    if (!isObject(r)) return;
    const p = `${path}.routes[${i}]`;
    const prefix = typeof r.prefix === 'string' ? r.prefix : undefined;
    if (prefix !== undefined && within(prefix, STREAM_AUTH_PREFIX))
      c.add(
        `${p}.prefix`,
        `is reserved for the gateway's stream checks: nothing may be routed under ${STREAM_AUTH_PREFIX} (got ${show(prefix)}) — ` +
          'choose another prefix',
      );
    // A messaging route's streaming fields are refused as such (lib/validation/messaging.ts).
    if (r.pubsub !== undefined) return;
    if (r.streaming !== undefined) c.boolean(`${p}.streaming`, r.streaming);
    const streams = r.streaming === true;
    if (r.streamTimeout !== undefined) {
      if (streams) c.duration(`${p}.streamTimeout`, r.streamTimeout, STREAM_TIMEOUT_BOUNDS);
      else
        c.add(
          `${p}.streamTimeout`,
          `applies only to a streaming route (got ${show(r.streamTimeout)}) — ` + 'set streaming: true, or remove streamTimeout',
        );
    }
    if (!streams) return;
    if (r.exact === true)
      c.add(
        `${p}.streaming`,
        'must not be set on an exact route: a stream is served for its prefix and the paths below (got true) — ' + 'remove exact, or streaming',
      );
    if (prefix !== undefined) streaming.push({ index: i, prefix });
    checkNginxText(c, p, r);
    checkKrakendOnly(c, p, r);
  });
  // The prefix of a streaming route and every path below it are the sidecar's.
  for (const s of streaming) {
    routes.forEach((r: unknown, i) => {
      if (i === s.index || !isObject(r) || typeof r.prefix !== 'string' || !within(r.prefix, s.prefix)) return;
      c.add(
        `${path}.routes[${i}].prefix`,
        `is ${r.prefix === s.prefix ? 'the prefix' : 'below the prefix'} of the streaming route ${path}.routes[${s.index}] (${s.prefix}), ` +
          `whose stream proxy serves every path there (got ${show(r.prefix)}) — merge the routes, or move this one out of ${s.prefix}`,
      );
    });
  }
  if (spec.streamProxy !== undefined && c.object(`${path}.streamProxy`, spec.streamProxy, STREAM_PROXY_FIELDS)) {
    const proxy = spec.streamProxy;
    if (proxy.image !== undefined) checkImage(c, `${path}.streamProxy.image`, proxy.image);
    if (proxy.resources !== undefined) checkResources(c, `${path}.streamProxy.resources`, proxy.resources);
  }
  if (streaming.length > 0 && spec.cors !== undefined)
    c.add(
      `${path}.cors`,
      `is not applied on streaming routes (${path}.routes[${streaming[0].index}]): the stream proxy answers them without KrakenD's CORS layer — ` +
        'leave cors out while a route streams, or stream without it',
    );
  const monitor = spec.serviceMonitor;
  const port = isObject(monitor) ? monitor.metricsPort : undefined;
  if (streaming.length > 0 && (port === STREAM_KRAKEND_PORT || port === STREAM_IDENTITY_PORT))
    c.add(
      `${path}.serviceMonitor.metricsPort`,
      `is a port of the stream proxy's pod: KrakenD listens on ${STREAM_KRAKEND_PORT} behind it, ` +
        `and it answers on ${STREAM_IDENTITY_PORT} (got ${port}) — ` +
        'choose another port, e.g. 9090',
    );
}

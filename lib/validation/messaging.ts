// Checks of the messaging routes (`routes[].pubsub`) and their brokers (`spec.messaging`). A messaging
// route is a KrakenD endpoint whose backend is krakend-pubsub's publisher or subscriber (krakend-pubsub
// client.go): no HTTP request is made, so what only an HTTP backend does (martian headers, the HTTP
// cache, stripPrefix, concurrent calls) is refused, and so is what the publisher or subscriber cannot
// do (a publish answering a GET, a subscription reading a body, a message passed on undecoded).
import { LINK_LOCAL_CIDRS, cidrWithin, knownCidr, parseCidr } from '../grammar/cidrs';
import { isDns1035Label, serviceHostNamespace } from '../grammar/names';
import { MAX_TOPIC_URL_LENGTH, PubSubRole, TopicUrl, parseTopicUrl } from '../grammar/topics';
import { isObject, show } from '../grammar/values';
import { MESSAGING_DRIVERS, MessagingDriver, isEnabled } from '../spec';
import { Checker } from './checker';
import { checkRouteEncoding } from './encoding';
import { BROKER_EGRESS_FIELDS, BROKER_FIELDS, MESSAGING_FIELDS, PUBSUB_FIELDS, SERVER_URL_FIELDS } from './fields';
import { checkSecretKey } from './headers';

const LINK_LOCAL = LINK_LOCAL_CIDRS.map(knownCidr);

// The route fields that act on an HTTP backend request or response, which a messaging route has not.
const HTTP_ONLY_FIELDS: { readonly [field: string]: string } = {
  stripPrefix: 'there is no backend path to strip it from',
  exact: 'a messaging route always serves its prefix alone',
  prefixDepth: 'a messaging route always serves its prefix alone',
  allowLinkLocal: 'it has no backend URL',
  requestHeaders: 'they are set on an HTTP backend request (martian); the headers the route forwards are the message metadata',
  secretHeaders: 'they are set on an HTTP backend request (martian); the broker credentials belong in spec.messaging',
  overrideAuthorization: 'it has no requestHeaders or secretHeaders',
  removeResponseHeaders: 'KrakenD answers it with no backend headers',
  concurrentCalls: 'a second receive would take a second message, a second publish send the message twice',
  cache: 'the HTTP cache wraps the HTTP client, which a messaging route does not use',
  circuitBreaker: 'it is not proven on a messaging backend here',
  streaming: 'the stream proxy passes an HTTP backend through; a message is not a stream',
  sequential: 'it orders the calls of composed backends, which a messaging route has not',
  streamTimeout: 'it applies to streaming routes only',
};

/** What a route's `pubsub` says, when valid: its role and URL. */
export interface CheckedPubSub {
  readonly role: PubSubRole;
  readonly url: TopicUrl;
}

/**
 * A messaging route's own fields: `pubsub` (one of publish and subscribe, the URL's grammar, a driver
 * with a broker in `spec.messaging`), no `backend`, the methods of its role, no HTTP-only field, and
 * an encoding that decodes messages. `brokers` is undefined when `spec.messaging` is itself invalid.
 */
export function checkMessagingRoute(
  c: Checker,
  p: string,
  r: Record<string, unknown>,
  brokers: ReadonlySet<MessagingDriver> | undefined,
): CheckedPubSub | undefined {
  const at = `${p}.pubsub`;
  if (r.backend !== undefined) c.add(`${p}.backend`, 'must not be set beside pubsub: a route has one backend — remove backend, or pubsub');
  if (r.backends !== undefined)
    c.add(
      `${p}.backends`,
      'must not be set beside pubsub: a messaging route has one backend, its topic — compose the HTTP backends on a route of their own',
    );
  for (const [field, why] of Object.entries(HTTP_ONLY_FIELDS))
    if (r[field] !== undefined) c.add(`${p}.${field}`, `has no effect on a messaging route (pubsub): ${why} — remove it`);
  const checked = checkPubSub(c, at, r.pubsub, brokers);
  if (!checked) return undefined;
  checkMethods(c, p, r.methods, checked.role);
  if (checked.role === 'publish') {
    for (const field of ['encoding', 'outputEncoding', 'isCollection'])
      if (r[field] !== undefined)
        c.add(`${p}.${field}`, 'has no effect on a publishing route: the body is published as sent, and the answer is always null — remove it');
  } else if (r.encoding === 'no-op') {
    c.add(
      `${p}.encoding`,
      'must decode the message on a subscribing route (got "no-op"): krakend-pubsub\'s subscriber decodes each message with the ' +
        'backend encoding, and no-op would answer an empty body — use json (the default), safejson, xml or string',
    );
  } else {
    // The default decoding of a message is json (lib/resolve.ts), so the pairings are checked as with it.
    checkRouteEncoding(c, p, r.encoding === undefined ? { ...r, encoding: 'json' } : r);
  }
  return checked;
}

function checkPubSub(c: Checker, at: string, value: unknown, brokers: ReadonlySet<MessagingDriver> | undefined): CheckedPubSub | undefined {
  if (!c.object(at, value, PUBSUB_FIELDS)) return undefined;
  const given = (['publish', 'subscribe'] as const).filter((role) => value[role] !== undefined);
  if (given.length !== 1) {
    c.add(
      at,
      given.length === 0
        ? "must give publish or subscribe — e.g. { publish: 'nats://orders.created' }"
        : 'must give publish or subscribe, not both — a route publishes (POST, PUT) or reads (GET); make two routes',
    );
    return undefined;
  }
  const role = given[0];
  const text = value[role];
  if (!c.string(`${at}.${role}`, text, 'e.g. nats://orders.created', MAX_TOPIC_URL_LENGTH)) return undefined;
  const url = c.parsed(`${at}.${role}`, parseTopicUrl(text, role));
  if (!url) return undefined;
  if (brokers && !brokers.has(url.driver)) {
    c.add(
      `${at}.${role}`,
      `uses the ${url.driver} driver, which has no broker (got ${show(text)}) — set spec.messaging.${url.driver}.serverUrl to the Secret ` +
        'key that holds its address',
    );
  }
  return { role, url };
}

function checkMethods(c: Checker, p: string, methods: unknown, role: PubSubRole): void {
  const list = Array.isArray(methods) ? methods.filter((m): m is string => typeof m === 'string') : ['GET'];
  if (role === 'subscribe') {
    const other = list.filter((m) => m !== 'GET');
    if (other.length > 0)
      c.add(
        `${p}.methods`,
        `must be [GET] on a subscribing route (got ${show(methods)}) — a subscription answers one message and reads no body; ` +
          'publish with another route',
      );
    return;
  }
  const other = list.filter((m) => m !== 'POST' && m !== 'PUT');
  if (methods === undefined || other.length > 0)
    c.add(
      `${p}.methods`,
      `must be POST or PUT on a publishing route (got ${methods === undefined ? 'the default [GET]' : show(methods)}) — ` +
        'the request body is the message; set methods: [POST]',
    );
}

/**
 * `spec.messaging`: each broker's Secret key and egress. With the NetworkPolicy on, a broker must say
 * where it is: the address is in a Secret, which the policy cannot read. Returns the drivers with a
 * broker, or undefined when the block is not an object (every messaging route's driver is then unknown).
 */
export function checkMessaging(c: Checker, path: string, spec: Record<string, unknown>): ReadonlySet<MessagingDriver> | undefined {
  const value = spec.messaging;
  const brokers = new Set<MessagingDriver>();
  if (value === undefined) return brokers;
  const p = `${path}.messaging`;
  if (!c.object(p, value, MESSAGING_FIELDS)) return undefined;
  const policyOn = isObject(spec.networkPolicy) && isEnabled(spec.networkPolicy, true);
  for (const driver of MESSAGING_DRIVERS) {
    const broker = value[driver];
    if (broker === undefined) continue;
    brokers.add(driver);
    const b = `${p}.${driver}`;
    if (!c.object(b, broker, BROKER_FIELDS)) continue;
    if (broker.serverUrl === undefined)
      c.add(`${b}.serverUrl`, "is required — { secret: { name, key } }, the Secret key holding the broker's address");
    else if (c.object(`${b}.serverUrl`, broker.serverUrl, SERVER_URL_FIELDS)) {
      if (broker.serverUrl.secret === undefined) c.add(`${b}.serverUrl.secret`, 'is required — { name, key } of a Secret in the gateway namespace');
      else checkSecretKey(c, `${b}.serverUrl.secret`, broker.serverUrl.secret);
    }
    const egress = broker.egress;
    if (egress !== undefined && c.list(`${b}.egress`, egress, 32)) c.each(egress, (e, i) => checkEgress(c, `${b}.egress[${i}]`, e));
    if (policyOn && (!Array.isArray(egress) || egress.length === 0)) {
      c.add(
        `${b}.egress`,
        `must say where the ${driver} broker is with ${path}.networkPolicy on: its address is in a Secret, which the NetworkPolicy cannot ` +
          "read — e.g. egress: [{ service: 'nats.messaging.svc', port: 4222 }], or [{ cidrs: ['10.20.0.0/16'], port: 4222 }]",
      );
    }
  }
  return brokers;
}

function checkEgress(c: Checker, p: string, e: unknown): void {
  if (!c.object(p, e, BROKER_EGRESS_FIELDS)) return;
  if ((e.service === undefined) === (e.cidrs === undefined))
    c.add(p, 'must give service or cidrs, one of them — a cluster Service, or the address blocks of a broker outside the cluster');
  if (e.service !== undefined && c.string(`${p}.service`, e.service, 'e.g. nats.messaging.svc', 253)) {
    const host = e.service.toLowerCase();
    if (serviceHostNamespace(host) === undefined && !isDns1035Label(host))
      c.add(
        `${p}.service`,
        `must be a cluster Service, <svc>.<namespace>.svc or a bare name (got ${show(e.service)}) — a NetworkPolicy cannot name a DNS host; ` +
          'give the cidrs of a broker outside the cluster',
      );
  }
  if (e.cidrs !== undefined && c.list(`${p}.cidrs`, e.cidrs, 32)) {
    if (e.cidrs.length === 0) c.add(`${p}.cidrs`, 'must list at least one block');
    c.each(e.cidrs, (text, i) => {
      const cidr = c.parsed(`${p}.cidrs[${i}]`, parseCidr(text));
      // Never egress to the link-local range, where the cloud metadata endpoints are (as for every other destination).
      if (cidr && LINK_LOCAL.some((l) => cidrWithin(cidr, l) || cidrWithin(l, cidr)))
        c.add(
          `${p}.cidrs[${i}]`,
          `must not reach the link-local range, where the cloud metadata endpoints are (got ${show(text)}) — give the broker's own block`,
        );
    });
  }
  if (e.port === undefined) c.add(`${p}.port`, 'is required — the port the pods connect to, e.g. 4222');
  else c.integer(`${p}.port`, e.port, 1, 65535);
}

// The one grammar of a messaging route's topic and subscription URLs (`routes[].pubsub`): the
// driver's scheme, the name, and the few query parameters each gocloud.dev driver reads. The broker's
// address never appears: each driver reads it from its environment variable (gocloud.dev
// pubsub/natspubsub nats.go, kafkapubsub kafka.go, rabbitpubsub rabbit.go, their URLOpeners).
import { Parsed, show } from './values';

/** The drivers the gateway configures: spec.ts's MESSAGING_DRIVERS (lib/resolve.ts holds the two types to the same). */
export type TopicDriver = 'nats' | 'kafka' | 'rabbit';
const MESSAGING_DRIVERS: readonly TopicDriver[] = ['nats', 'kafka', 'rabbit'];
type MessagingDriver = TopicDriver;

/** What a messaging route does with its topic. */
export type PubSubRole = 'publish' | 'subscribe';

/** A topic or subscription URL, in parts. */
export interface TopicUrl {
  readonly driver: MessagingDriver;
  /** The NATS subject, the Kafka topic (publish) or consumer group (subscribe), the RabbitMQ exchange or queue. */
  readonly name: string;
  /** The query parameters given, in the order the grammar lists them: NATS `queue`; Kafka `topic`, `offset`. */
  readonly params: readonly (readonly [string, string])[];
}

/** The longest URL accepted, as the CRD says. */
export const MAX_TOPIC_URL_LENGTH = 512;

// NATS subjects: tokens of letters, digits, '-' and '_' separated by '.'; no wildcard ('*', '>'),
// since a publish needs one subject and a wildcard subscription would mix subjects in one route
// (https://docs.nats.io/nats-concepts/subjects). The URL's host holds the subject, and Go's url.Parse
// takes it as it is: case kept, natspubsub joins host and path (path.Join(u.Host, u.Path)).
const NATS_SUBJECT = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
// Kafka topic names: letters, digits, '.', '_' and '-', at most 249 (Kafka's Topic.validate); the
// same for a consumer group here, which Kafka itself leaves free.
const KAFKA_NAME = /^[A-Za-z0-9._-]{1,249}$/;
// RabbitMQ exchange and queue names are up to 255 bytes; the URL's host holds them, so no ':' (a
// port), '/', '@' or '%' here, and no 'amq.' prefix, which the broker reserves.
const RABBIT_NAME = /^[A-Za-z0-9._-]{1,255}$/;
const GROUP = /^[A-Za-z0-9._-]{1,128}$/;

const EXAMPLES: { readonly [R in PubSubRole]: string } = {
  publish: 'nats://orders.created, kafka://orders or rabbit://orders',
  subscribe: 'nats://orders.created, kafka://billing?topic=orders or rabbit://orders',
};

/** Parses a topic (publish) or subscription (subscribe) URL; one problem, with its fix, when it is not one. */
export function parseTopicUrl(text: string, role: PubSubRole): Parsed<TopicUrl> {
  const got = `(got ${show(text)})`;
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^?#]*)(\?[^#]*)?$/.exec(text);
  if (!m) return { problem: `must be <driver>://<name> ${got} — e.g. ${EXAMPLES[role]}` };
  const [, scheme, name, query] = m;
  if (!(MESSAGING_DRIVERS as readonly string[]).includes(scheme)) {
    return {
      problem:
        `names the driver ${show(scheme)}, which the gateway does not configure ${got} — use ${MESSAGING_DRIVERS.map((d) => `${d}://`).join(', ')}; ` +
        "the cloud drivers (awssns, awssqs, gcppubsub, azuresb) read their credentials from the pod's cloud identity, which the spec does not set",
    };
  }
  const driver = scheme as MessagingDriver;
  const nameProblem = checkName(driver, role, name);
  if (nameProblem) return { problem: `${nameProblem} ${got}` };
  const params = parseQuery(driver, role, query);
  if (typeof params === 'string') return { problem: `${params} ${got}` };
  return { value: { driver, name, params } };
}

function checkName(driver: MessagingDriver, role: PubSubRole, name: string): string | undefined {
  const what = nameWord(driver, role);
  if (name === '') return `must name the ${what} after ${driver}://`;
  if (driver === 'nats') {
    if (name.includes('*') || name.includes('>'))
      return `must name one NATS subject, without the wildcards * and > — a route ${role === 'publish' ? 'publishes to' : 'reads'} one subject`;
    if (name.length > 255 || !NATS_SUBJECT.test(name))
      return "must be a NATS subject of at most 255 characters: tokens of letters, digits, '-' and '_' separated by single dots";
    return undefined;
  }
  if (driver === 'kafka') {
    return KAFKA_NAME.test(name) ? undefined : `must be a Kafka ${what}: 1 to 249 letters, digits, '.', '_' and '-'`;
  }
  if (!RABBIT_NAME.test(name)) return `must be a RabbitMQ ${what}: 1 to 255 letters, digits, '.', '_' and '-'`;
  if (name.startsWith('amq.')) return `must not start with amq., which RabbitMQ reserves for its own ${what}s`;
  return undefined;
}

/** The word for what a URL's name is. */
export function nameWord(driver: MessagingDriver, role: PubSubRole): string {
  if (driver === 'nats') return 'subject';
  if (driver === 'kafka') return role === 'publish' ? 'topic' : 'consumer group';
  return role === 'publish' ? 'exchange' : 'queue';
}

/** The query parameters a driver reads for a role, in order; a problem when one is unknown, repeated, missing or bad. */
function parseQuery(driver: MessagingDriver, role: PubSubRole, query: string | undefined): Array<[string, string]> | string {
  const allowed = role === 'subscribe' ? (driver === 'nats' ? ['queue'] : driver === 'kafka' ? ['topic', 'offset'] : []) : [];
  const given = new Map<string, string>();
  for (const pair of query === undefined || query === '?' ? [] : query.slice(1).split('&')) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    const value = eq < 0 ? '' : pair.slice(eq + 1);
    if (key === 'natsv2' && driver === 'nats') return 'must not set natsv2: the gateway always sends native NATS headers (natsv2=true)';
    if (!allowed.includes(key)) {
      return allowed.length === 0
        ? `takes no query parameter on a ${driver} ${role} URL (got ${show(key)}) — remove it`
        : `takes only ${allowed.join(' and ')} as query parameters on a ${driver} ${role} URL (got ${show(key)})`;
    }
    if (given.has(key)) return `must give ${key} once`;
    given.set(key, value);
  }
  if (driver === 'nats' && given.has('queue') && !GROUP.test(given.get('queue')!))
    return "must give queue a NATS queue group: 1 to 128 letters, digits, '.', '_' and '-'";
  if (driver === 'kafka' && role === 'subscribe') {
    const topic = given.get('topic');
    if (topic === undefined) return 'must name the Kafka topic the group reads: kafka://<group>?topic=<topic>';
    if (!KAFKA_NAME.test(topic)) return "must give topic a Kafka topic: 1 to 249 letters, digits, '.', '_' and '-'";
    const offset = given.get('offset');
    if (offset !== undefined && offset !== 'oldest' && offset !== 'newest') return 'must give offset as oldest or newest';
  }
  return allowed.filter((k) => given.has(k)).map((k) => [k, given.get(k)!]);
}

/**
 * The URL KrakenD is given after the driver's host (`nats://`): the name and the parameters. NATS
 * always gets `natsv2=true`: without it natspubsub gob-encodes body and metadata into one payload
 * that only a Go program using gocloud.dev can read; with it the metadata are native NATS headers
 * (NATS server 2.2 or later) and the body is the payload as sent.
 */
export function krakendTopicUrl(url: TopicUrl): string {
  const params = [...url.params, ...(url.driver === 'nats' ? [['natsv2', 'true'] as const] : [])];
  return `${url.name}${params.length === 0 ? '' : `?${params.map(([k, v]) => `${k}=${v}`).join('&')}`}`;
}

/**
 * The messaging fields (routes[].pubsub, spec.messaging): each refusal at its path with its message
 * and fix, and the good forms of every driver passing.
 */
import { validateSpec } from '../../lib';

const NATS = { serverUrl: { secret: { name: 'nats', key: 'url' } } };
const PUBLISH = { prefix: '/orders', methods: ['POST'], pubsub: { publish: 'nats://orders.created' } };
const SUBSCRIBE = { prefix: '/orders/next', pubsub: { subscribe: 'nats://orders.created' } };
const problems = (spec: Record<string, unknown>) => validateSpec({ messaging: { nats: NATS }, ...spec }).map((p) => `${p.path}: ${p.message}`);
const routeProblems = (...routes: Record<string, unknown>[]) => problems({ routes });

test('messaging routes of every driver pass beside HTTP routes, with a NetworkPolicy and the egress of each broker', () => {
  expect(
    problems({
      authPolicies: [{ name: 'iam', type: 'jwt', iamEndpoint: 'https://hanzo.id', jwksUrl: 'https://hanzo.id/.well-known/jwks' }],
      messaging: {
        nats: { ...NATS, egress: [{ service: 'nats.messaging.svc', port: 4222 }] },
        kafka: { serverUrl: { secret: { name: 'kafka', key: 'brokers' } }, egress: [{ cidrs: ['10.20.0.0/16', 'fd00:20::/64'], port: 9092 }] },
        rabbit: { serverUrl: { secret: { name: 'rabbit', key: 'url' } }, egress: [{ service: 'rabbitmq', port: 5672 }] },
      },
      networkPolicy: {},
      routes: [
        { prefix: '/v1', backend: 'http://api.hanzo.svc:80', methods: ['GET', 'POST'] },
        { ...PUBLISH, methods: ['POST', 'PUT'], authPolicy: 'iam', inputHeaders: ['X-Request-Id'] },
        { ...SUBSCRIBE, timeout: '5s', encoding: 'safejson' },
        { prefix: '/v1/queue', pubsub: { subscribe: 'nats://orders.created?queue=gateways' } },
        { prefix: '/kafka', methods: ['POST'], pubsub: { publish: 'kafka://orders' } },
        { prefix: '/kafka/next', methods: ['GET'], pubsub: { subscribe: 'kafka://billing?topic=orders&offset=oldest' } },
        { prefix: '/rabbit', methods: ['PUT'], pubsub: { publish: 'rabbit://orders' } },
        { prefix: '/rabbit/next', encoding: 'string', outputEncoding: 'string', pubsub: { subscribe: 'rabbit://orders-queue' } },
      ],
    }),
  ).toEqual([]);
});

test.each<[string, Record<string, unknown>[], string[]]>([
  [
    'a route with neither backend nor pubsub',
    [{ prefix: '/orders' }],
    [
      'spec.routes[0].backend: must be a non-empty string (got nothing) — e.g. http://chat.hanzo.svc:80, list backends to compose several, or pubsub for a messaging route',
    ],
  ],
  [
    'a backend beside pubsub',
    [{ ...PUBLISH, backend: 'http://orders.hanzo.svc:80' }],
    ['spec.routes[0].backend: must not be set beside pubsub: a route has one backend — remove backend, or pubsub'],
  ],
  [
    'pubsub without publish or subscribe',
    [{ ...PUBLISH, pubsub: {} }],
    ["spec.routes[0].pubsub: must give publish or subscribe — e.g. { publish: 'nats://orders.created' }"],
  ],
  [
    'pubsub with both',
    [{ ...PUBLISH, pubsub: { publish: 'nats://a', subscribe: 'nats://a' } }],
    ['spec.routes[0].pubsub: must give publish or subscribe, not both — a route publishes (POST, PUT) or reads (GET); make two routes'],
  ],
  [
    'a publish on the default GET',
    [{ prefix: '/orders', pubsub: { publish: 'nats://orders.created' } }],
    [
      'spec.routes[0].methods: must be POST or PUT on a publishing route (got the default [GET]) — ' +
        'the request body is the message; set methods: [POST]',
    ],
  ],
  [
    'a publish with GET among its methods',
    [{ ...PUBLISH, methods: ['POST', 'GET'] }],
    ['spec.routes[0].methods: must be POST or PUT on a publishing route (got ["POST","GET"]) — the request body is the message; set methods: [POST]'],
  ],
  [
    'a subscription with POST',
    [{ ...SUBSCRIBE, methods: ['POST'] }],
    [
      'spec.routes[0].methods: must be [GET] on a subscribing route (got ["POST"]) — a subscription answers one message and reads no body; ' +
        'publish with another route',
    ],
  ],
  [
    'a subscription with no-op encoding',
    [{ ...SUBSCRIBE, encoding: 'no-op' }],
    [
      'spec.routes[0].encoding: must decode the message on a subscribing route (got "no-op"): krakend-pubsub\'s subscriber decodes each message ' +
        'with the backend encoding, and no-op would answer an empty body — use json (the default), safejson, xml or string',
    ],
  ],
  [
    'an encoding on a publish',
    [{ ...PUBLISH, encoding: 'json' }],
    ['spec.routes[0].encoding: has no effect on a publishing route: the body is published as sent, and the answer is always null — remove it'],
  ],
  [
    'a string answer of a json subscription',
    [{ ...SUBSCRIBE, outputEncoding: 'string' }],
    [
      'spec.routes[0].outputEncoding: string answers the text a string backend reads, so with encoding json every answer would be empty — ' +
        'use encoding string, or another outputEncoding',
    ],
  ],
  [
    'the fields of an HTTP backend',
    [{ ...SUBSCRIBE, stripPrefix: true, exact: true, prefixDepth: 2, requestHeaders: { 'X-A': 'b' }, cache: true, streaming: true }],
    [
      'spec.routes[0].stripPrefix: has no effect on a messaging route (pubsub): there is no backend path to strip it from — remove it',
      'spec.routes[0].exact: has no effect on a messaging route (pubsub): a messaging route always serves its prefix alone — remove it',
      'spec.routes[0].prefixDepth: has no effect on a messaging route (pubsub): a messaging route always serves its prefix alone — remove it',
      'spec.routes[0].requestHeaders: has no effect on a messaging route (pubsub): they are set on an HTTP backend request (martian); ' +
        'the headers the route forwards are the message metadata — remove it',
      'spec.routes[0].cache: has no effect on a messaging route (pubsub): the HTTP cache wraps the HTTP client, which a messaging route ' +
        'does not use — remove it',
      'spec.routes[0].streaming: has no effect on a messaging route (pubsub): the stream proxy passes an HTTP backend through; a message ' +
        'is not a stream — remove it',
    ],
  ],
  [
    'a cloud driver',
    [{ ...PUBLISH, pubsub: { publish: 'awssns://arn:aws:sns:us-east-2:123:orders' } }],
    [
      'spec.routes[0].pubsub.publish: names the driver "awssns", which the gateway does not configure (got "awssns://arn:aws:sns:us-east-2:123:orders") — ' +
        "use nats://, kafka://, rabbit://; the cloud drivers (awssns, awssqs, gcppubsub, azuresb) read their credentials from the pod's cloud " +
        'identity, which the spec does not set',
    ],
  ],
  [
    'a URL that is no URL',
    [{ ...PUBLISH, pubsub: { publish: 'orders.created' } }],
    [
      'spec.routes[0].pubsub.publish: must be <driver>://<name> (got "orders.created") — e.g. nats://orders.created, kafka://orders or rabbit://orders',
    ],
  ],
  [
    'a NATS wildcard',
    [{ ...SUBSCRIBE, pubsub: { subscribe: 'nats://orders.*' } }],
    [
      'spec.routes[0].pubsub.subscribe: must name one NATS subject, without the wildcards * and > — a route reads one subject (got "nats://orders.*")',
    ],
  ],
  [
    'an empty NATS token',
    [{ ...PUBLISH, pubsub: { publish: 'nats://orders..created' } }],
    [
      "spec.routes[0].pubsub.publish: must be a NATS subject of at most 255 characters: tokens of letters, digits, '-' and '_' separated by single " +
        'dots (got "nats://orders..created")',
    ],
  ],
  [
    'natsv2 given',
    [{ ...PUBLISH, pubsub: { publish: 'nats://orders?natsv2=false' } }],
    [
      'spec.routes[0].pubsub.publish: must not set natsv2: the gateway always sends native NATS headers (natsv2=true) (got "nats://orders?natsv2=false")',
    ],
  ],
  [
    'a queue group on a publish',
    [{ ...PUBLISH, pubsub: { publish: 'nats://orders?queue=g' } }],
    ['spec.routes[0].pubsub.publish: takes no query parameter on a nats publish URL (got "queue") — remove it (got "nats://orders?queue=g")'],
  ],
  [
    'a Kafka subscription without its topic',
    [{ ...SUBSCRIBE, pubsub: { subscribe: 'kafka://billing' } }],
    ['spec.routes[0].pubsub.subscribe: must name the Kafka topic the group reads: kafka://<group>?topic=<topic> (got "kafka://billing")'],
  ],
  [
    'a Kafka offset that is neither oldest nor newest',
    [{ ...SUBSCRIBE, pubsub: { subscribe: 'kafka://billing?topic=orders&offset=42' } }],
    ['spec.routes[0].pubsub.subscribe: must give offset as oldest or newest (got "kafka://billing?topic=orders&offset=42")'],
  ],
  [
    "a RabbitMQ exchange of the broker's own",
    [{ ...PUBLISH, pubsub: { publish: 'rabbit://amq.topic' } }],
    ['spec.routes[0].pubsub.publish: must not start with amq., which RabbitMQ reserves for its own exchanges (got "rabbit://amq.topic")'],
  ],
  [
    'a driver without a broker',
    [{ ...PUBLISH, pubsub: { publish: 'kafka://orders' } }],
    [
      'spec.routes[0].pubsub.publish: uses the kafka driver, which has no broker (got "kafka://orders") — set spec.messaging.kafka.serverUrl to ' +
        'the Secret key that holds its address',
    ],
  ],
  [
    'a messaging route on the path and method of an exact HTTP route',
    [{ prefix: '/orders', backend: 'http://orders.hanzo.svc:80', methods: ['POST'], exact: true }, PUBLISH],
    ['spec.routes[1].methods: POST /orders is already routed by spec.routes[0] (two exact routes) — remove the method from one of them'],
  ],
])('refused: %s', (_name, routes, expected) => {
  expect(routeProblems(...routes)).toEqual(expected);
});

test('composed backends beside pubsub are refused at backends, and sequential with them', () => {
  const backends = [{ url: 'http://a.hanzo.svc:80/x', method: 'GET' }, { url: 'http://b.hanzo.svc:80/y' }];
  expect(routeProblems({ ...PUBLISH, backends, sequential: true })).toEqual(
    expect.arrayContaining([
      'spec.routes[0].backends: must not be set beside pubsub: a messaging route has one backend, its topic — ' +
        'compose the HTTP backends on a route of their own',
      expect.stringMatching(
        /^spec\.routes\[0\]\.sequential: has no effect on a messaging route \(pubsub\): it orders the calls of composed backends/,
      ),
    ]),
  );
});

test.each<[string, Record<string, unknown>, string[]]>([
  [
    'a broker without serverUrl',
    { messaging: { nats: {} } },
    ["spec.messaging.nats.serverUrl: is required — { secret: { name, key } }, the Secret key holding the broker's address"],
  ],
  [
    'a serverUrl given as text',
    { messaging: { nats: { serverUrl: 'nats://user:pass@nats:4222' } } },
    [expect.stringMatching(/^spec\.messaging\.nats\.serverUrl: must be an object/) as unknown as string],
  ],
  [
    'a bad Secret name',
    { messaging: { nats: { serverUrl: { secret: { name: 'Nats', key: 'url' } } } } },
    [
      'spec.messaging.nats.serverUrl.secret.name: must be a Secret name: a DNS-1123 subdomain of at most 253 lower-case letters, ' +
        "digits, '-' and '.' (got \"Nats\")",
    ],
  ],
  [
    'an unknown driver',
    { messaging: { nats: NATS, sqs: NATS } },
    [expect.stringMatching(/^spec\.messaging\.sqs: unknown field/) as unknown as string],
  ],
  [
    'a broker without egress under a NetworkPolicy',
    { networkPolicy: { ingressNamespace: 'ingress-nginx' } },
    [
      'spec.messaging.nats.egress: must say where the nats broker is with spec.networkPolicy on: its address is in a Secret, which the ' +
        "NetworkPolicy cannot read — e.g. egress: [{ service: 'nats.messaging.svc', port: 4222 }], or [{ cidrs: ['10.20.0.0/16'], port: 4222 }]",
    ],
  ],
  [
    'egress with a service and cidrs, a DNS host outside the cluster, a link-local block and no port',
    {
      messaging: {
        nats: {
          ...NATS,
          egress: [
            { service: 'nats.messaging.svc', cidrs: ['10.0.0.0/8'], port: 4222 },
            { service: 'nats.example.com', port: 4222 },
            { cidrs: ['169.254.0.0/16'] },
          ],
        },
      },
    },
    [
      'spec.messaging.nats.egress[0]: must give service or cidrs, one of them — a cluster Service, ' +
        'or the address blocks of a broker outside the cluster',
      'spec.messaging.nats.egress[1].service: must be a cluster Service, <svc>.<namespace>.svc or a bare name (got "nats.example.com") — ' +
        'a NetworkPolicy cannot name a DNS host; give the cidrs of a broker outside the cluster',
      'spec.messaging.nats.egress[2].cidrs[0]: must not reach the link-local range, where the cloud metadata endpoints are ' +
        '(got "169.254.0.0/16") — give the broker\'s own block',
      'spec.messaging.nats.egress[2].port: is required — the port the pods connect to, e.g. 4222',
    ],
  ],
  [
    'a pod variable the broker sets',
    { pod: { env: [{ name: 'NATS_SERVER_URL', value: 'nats://x:4222' }] } },
    [
      expect.stringMatching(
        /^spec\.pod\.env\[0\]\.name: is a name the gateway keeps for itself \(got "NATS_SERVER_URL"\) — the gateway sets .*NATS_SERVER_URL/,
      ) as unknown as string,
    ],
  ],
])('refused: %s', (_name, spec, expected) => {
  expect(problems({ routes: [PUBLISH], ...spec })).toEqual(expected);
});

test('with messaging invalid, a messaging route reports only its own problems, not a missing broker', () => {
  expect(problems({ messaging: 'nats', routes: [PUBLISH] })).toEqual([expect.stringMatching(/^spec\.messaging: must be an object/)]);
});

/**
 * The streaming fields (routes[].streaming, streamTimeout, streamProxy): each rule refuses its
 * variant at its path with its message, and the good forms pass.
 */
import { validateSpec } from '../../lib';

const IAM = { name: 'iam', type: 'jwt', iamEndpoint: 'https://hanzo.id', jwksUrl: 'https://hanzo.id/.well-known/jwks' };
const CHAT = { prefix: '/v1/chat', backend: 'http://chat.hanzo.svc:80', methods: ['POST'], authPolicy: 'iam', streaming: true };
const problems = (spec: Record<string, unknown>) => validateSpec({ authPolicies: [IAM], ...spec }).map((p) => `${p.path}: ${p.message}`);

test('a streaming route beside others passes, with a stream timeout and a stream proxy of its own', () => {
  expect(
    problems({
      routes: [
        { ...CHAT, streamTimeout: '10m' },
        { prefix: '/v1/models', backend: 'http://models.hanzo.svc:80' },
      ],
      streamProxy: { image: { repository: 'nginxinc/nginx-unprivileged', tag: '1.27.4-alpine' }, resources: { limits: { memory: '64Mi' } } },
    }),
  ).toEqual([]);
});

test.each<[string, Record<string, unknown>, string[]]>([
  [
    'a stream timeout on a route that does not stream',
    { routes: [{ prefix: '/v1/models', backend: 'http://models.hanzo.svc:80', streamTimeout: '1m' }] },
    ['spec.routes[0].streamTimeout: applies only to a streaming route (got "1m") — set streaming: true, or remove streamTimeout'],
  ],
  [
    'a stream timeout past an hour',
    { routes: [{ ...CHAT, streamTimeout: '2h' }] },
    ['spec.routes[0].streamTimeout: must be at most 1h (got "2h") — from 1s to 1h'],
  ],
  [
    'an exact streaming route',
    { routes: [{ ...CHAT, exact: true }] },
    [
      'spec.routes[0].streaming: must not be set on an exact route: a stream is served for its prefix and the paths below (got true) — ' +
        'remove exact, or streaming',
    ],
  ],
  [
    'a route under the reserved prefix',
    { routes: [CHAT, { prefix: '/__stream-auth/x', backend: 'http://a.hanzo.svc:80' }] },
    [
      "spec.routes[1].prefix: is reserved for the gateway's stream checks: nothing may be routed under /__stream-auth " +
        '(got "/__stream-auth/x") — choose another prefix',
    ],
  ],
  [
    'a route below a streaming prefix',
    { routes: [CHAT, { prefix: '/v1/chat/models', backend: 'http://a.hanzo.svc:80' }] },
    [
      'spec.routes[1].prefix: is below the prefix of the streaming route spec.routes[0] (/v1/chat), whose stream proxy serves every path there ' +
        '(got "/v1/chat/models") — merge the routes, or move this one out of /v1/chat',
    ],
  ],
  [
    'a translating, cached, circuit-broken streaming route',
    {
      routes: [{ ...CHAT, methods: ['GET'], authPolicy: undefined, encoding: 'json', cache: true, circuitBreaker: { maxErrors: 3, timeout: '10s' } }],
    },
    [
      'spec.routes[0].encoding: is not applied on a streaming route: its stream proxy passes the answer through as it comes — ' +
        'remove it, or streaming',
      'spec.routes[0].cache: is not applied on a streaming route: its stream proxy passes the answer through as it comes — remove it, or streaming',
      'spec.routes[0].circuitBreaker: is not applied on a streaming route: its stream proxy passes the answer through as it comes — ' +
        'remove it, or streaming',
    ],
  ],
  [
    'CORS beside a streaming route',
    { routes: [CHAT], cors: { allowOrigins: ['https://app.hanzo.ai'] } },
    [
      "spec.cors: is not applied on streaming routes (spec.routes[0]): the stream proxy answers them without KrakenD's CORS layer — " +
        'leave cors out while a route streams, or stream without it',
    ],
  ],
  [
    'a Secret header on a streaming route',
    { routes: [{ ...CHAT, secretHeaders: [{ header: 'X-Api-Key', secret: { name: 'llm', key: 'key' } }] }] },
    [
      "spec.routes[0].secretHeaders: is not supported on a streaming route: its nginx proxy cannot read a Secret from the pod's environment — " +
        'use a backend that holds the credential, or stream without it',
    ],
  ],
])('%s', (_what, spec, expected) => {
  expect(problems(spec)).toEqual(expected);
});

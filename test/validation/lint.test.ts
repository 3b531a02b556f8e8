/**
 * The last line of defence: lintKrakendConfig on hand-written krakend.json objects, one good and one
 * bad per finding. Where ../shared's tools model the same KrakenD CE fact, the bad config is also
 * shown to fail there (and the good one to pass), so the lint encodes real CE behaviour.
 */
import { App, Chart } from 'cdk8s';
import fc from 'fast-check';
import { Gateway, GatewayInternalError, GatewayValidationError, KrakendConfig, renderKrakendConfig } from '../../lib';
import { lintKrakendConfig } from '../../lib/krakend/lint';
import { buildKrakendConfig } from '../../lib/krakend/render';
import * as paths from '../../lib/krakend/paths';
import { gatewaySpecArb } from '../support/arbitraries';
import { ginReplay, krakendCheck, skipNotice } from '../support/conformance';
import { seedSpec } from '../support/fixtures';
import { resolveSpec } from '../../lib/resolve';

const ROUTER = { disable_redirect_fixed_path: true, disable_handle_method_not_allowed: true };
const JWT = {
  alg: 'RS256',
  jwk_url: 'https://hanzo.id/jwks',
  issuer: 'https://hanzo.id',
  cache: true,
  propagate_claims: [
    ['sub', 'X-User-Id'],
    ['owner', 'X-Org-Id'],
  ],
};

function endpoint(path: string, extra: object = {}): any {
  return {
    endpoint: path,
    input_headers: ['Content-Type'],
    input_query_strings: ['*'],
    backend: [{ host: ['http://svc.ns.svc:80'], url_pattern: path }],
    ...extra,
  };
}

function config(...endpoints: any[]): KrakendConfig {
  return {
    version: 3,
    name: 'gateway',
    port: 8080,
    timeout: '120s',
    output_encoding: 'no-op',
    extra_config: { router: ROUTER },
    endpoints,
  } as unknown as KrakendConfig;
}

/** Which conformance tool also refuses the bad config, if one models the fact. */
type Tool = 'ginroute' | 'krakend-check' | undefined;

interface Case {
  readonly finding: string;
  readonly good: KrakendConfig;
  readonly bad: KrakendConfig;
  readonly message: RegExp;
  readonly tool: Tool;
}

const CASES: Case[] = [
  {
    finding: 'an endpoint registered twice',
    good: config(endpoint('/v1/x'), endpoint('/v1/x', { method: 'POST' })),
    bad: config(endpoint('/v1/x'), endpoint('/v1/x')),
    message: /^endpoints\[1\] \(GET \/v1\/x\): registered twice \(also endpoints\[0\]\)/,
    tool: 'ginroute',
  },
  {
    finding: 'two parameter names at one position of one method tree',
    good: config(
      endpoint('/v1/{a}'),
      endpoint('/v1/{b}/c', { method: 'POST', backend: [{ host: ['http://svc.ns.svc:80'], url_pattern: '/c' }] }),
      endpoint('/v1/static'),
    ),
    bad: config(
      endpoint('/v1/{a}', { backend: [{ host: ['http://svc.ns.svc:80'], url_pattern: '/x' }] }),
      endpoint('/v1/{b}/c', { backend: [{ host: ['http://svc.ns.svc:80'], url_pattern: '/c' }] }),
    ),
    message: /^endpoints\[1\] \(GET \/v1\/\{b\}\/c\): parameter \{b\} sits where endpoints\[0\] has \{a\}/,
    tool: 'ginroute',
  },
  {
    finding: 'a url_pattern parameter missing from its endpoint',
    good: config(endpoint('/v1/{p1}', { backend: [{ host: ['http://svc.ns.svc:80'], url_pattern: '/api/{p1}' }] })),
    bad: config(endpoint('/v1/{p1}', { backend: [{ host: ['http://svc.ns.svc:80'], url_pattern: '/api/{p2}' }] })),
    message: /url_pattern parameter \{p2\} is not in the endpoint/,
    tool: 'ginroute',
  },
  {
    finding: 'a wildcard endpoint',
    good: config(endpoint('/v1/{p1}')),
    bad: config(endpoint('/v1/*rest', { backend: [{ host: ['http://svc.ns.svc:80'], url_pattern: '/v1' }] })),
    message: /segment "\*rest" .*cannot route/,
    tool: 'ginroute',
  },
  {
    finding: 'a reserved path anywhere in the endpoint',
    good: config(endpoint('/v1/__healthy')),
    bad: config(endpoint('/v1/__health')),
    message: /reserved by KrakenD/,
    tool: 'ginroute',
  },
  {
    // lura would add the slash itself; the renderer always writes one, so a missing one is a bug.
    finding: 'an endpoint not starting with /',
    good: config(endpoint('/v1')),
    bad: config(endpoint('v1')),
    message: /must start with \//,
    tool: undefined,
  },
  {
    finding: 'a : in a literal segment (gin reads a parameter, which clashes with {p1})',
    good: config(endpoint('/v1/a-b'), endpoint('/v1/{p1}')),
    bad: config(endpoint('/v1/:b'), endpoint('/v1/{p1}')),
    message: /segment ":b"/,
    tool: 'ginroute',
  },
  {
    finding: 'a host with a path',
    good: config(endpoint('/v1', { backend: [{ host: ['https://svc.ns.svc:8443'], url_pattern: '/api/v1' }] })),
    bad: config(endpoint('/v1', { backend: [{ host: ['http://svc.ns.svc:80/api'], url_pattern: '/v1' }] })),
    message: /host "http:\/\/svc\.ns\.svc:80\/api" is not scheme:\/\/host\[:port\]/,
    tool: 'ginroute',
  },
  {
    finding: 'a host with a doubled scheme',
    good: config(endpoint('/v1', { backend: [{ host: ['http://http.ns.svc'], url_pattern: '/v1' }] })),
    bad: config(endpoint('/v1', { backend: [{ host: ['http://http://svc.ns.svc'], url_pattern: '/v1' }] })),
    message: /is not scheme:\/\/host\[:port\]/,
    tool: 'ginroute',
  },
  {
    finding: 'no-op with more than one backend',
    good: config(endpoint('/v1')),
    bad: config(
      endpoint('/v1', {
        backend: [
          { host: ['http://a.ns.svc:80'], url_pattern: '/v1' },
          { host: ['http://b.ns.svc:80'], url_pattern: '/v1' },
        ],
      }),
    ),
    message: /has 2 backends — no-op encoding proxies to exactly one/,
    tool: 'ginroute',
  },
  {
    finding: 'a method KrakenD CE cannot route',
    good: config(endpoint('/v1', { method: 'DELETE' })),
    bad: config(endpoint('/v1', { method: 'HEAD' })),
    message: /method HEAD is not routable/,
    tool: 'ginroute',
  },
  {
    finding: 'a version other than 3',
    good: config(endpoint('/v1')),
    bad: { ...config(endpoint('/v1')), version: 2 } as unknown as KrakendConfig,
    message: /^version must be 3 \(got 2\)$/,
    tool: 'ginroute',
  },
  {
    finding: 'client_max_rate without a strategy',
    good: config(
      endpoint('/v1', { extra_config: { 'qos/ratelimit/router': { client_max_rate: 5, client_capacity: 5, strategy: 'ip', every: '1s' } } }),
    ),
    bad: config(endpoint('/v1', { extra_config: { 'qos/ratelimit/router': { client_max_rate: 5, client_capacity: 5, every: '1s' } } })),
    message: /client_max_rate without strategy ip\|header\|param/,
    tool: 'krakend-check',
  },
  {
    finding: 'client_max_rate without client_capacity',
    good: config(endpoint('/v1', { extra_config: { 'qos/ratelimit/router': { max_rate: 5, every: '1s' } } })),
    bad: config(endpoint('/v1', { extra_config: { 'qos/ratelimit/router': { client_max_rate: 5, strategy: 'ip', every: '1s' } } })),
    message: /without client_capacity/,
    tool: undefined,
  },
  {
    finding: '* in input_headers',
    good: config(endpoint('/v1', { input_headers: ['Content-Type', 'User-Agent'] })),
    bad: config(endpoint('/v1', { input_headers: ['*'] })),
    message: /input_headers "\*" forwards every client header/,
    tool: 'krakend-check',
  },
  {
    finding: 'an identity header forwarded without auth/validator',
    good: config(endpoint('/v1', { input_headers: ['Content-Type', 'X-User-Id'], extra_config: { 'auth/validator': JWT } })),
    bad: config(endpoint('/v1', { input_headers: ['Content-Type', 'x-org-id'] })),
    message: /forwards identity header x-org-id without auth\/validator/,
    tool: undefined,
  },
  {
    finding: 'a propagated claim header (any name) forwarded on an endpoint without auth/validator',
    good: config(
      endpoint('/v1', { input_headers: ['X-Tenant'], extra_config: { 'auth/validator': { ...JWT, propagate_claims: [['tid', 'X-Tenant']] } } }),
      endpoint('/v2'),
    ),
    bad: config(
      endpoint('/v1', { input_headers: ['X-Tenant'], extra_config: { 'auth/validator': { ...JWT, propagate_claims: [['tid', 'X-Tenant']] } } }),
      endpoint('/v2', { input_headers: ['X-Tenant'] }),
    ),
    message: /^endpoints\[1\] \(GET \/v2\): forwards identity header X-Tenant/,
    tool: undefined,
  },
  {
    finding: 'a rate limit keyed on an identity header without auth/validator',
    good: config(
      endpoint('/v1', {
        extra_config: {
          'auth/validator': JWT,
          'qos/ratelimit/router': { client_max_rate: 5, client_capacity: 5, strategy: 'header', key: 'X-User-Id', every: '1s' },
        },
      }),
    ),
    bad: config(
      endpoint('/v1', {
        extra_config: { 'qos/ratelimit/router': { client_max_rate: 5, client_capacity: 5, strategy: 'header', key: 'X-User-Id', every: '1s' } },
      }),
    ),
    message: /rate limit keyed on X-User-Id without auth\/validator/,
    tool: undefined,
  },
];

/** The conformance tool's problems with a config; undefined (and a SKIP line) when it is absent. */
function toolProblems(tool: Exclude<Tool, undefined>, cfg: KrakendConfig): string[] | undefined {
  if (tool === 'krakend-check') {
    const problems = krakendCheck(cfg);
    if (!problems) skipNotice('krakend-check', '../shared or ajv is absent');
    return problems;
  }
  const replay = ginReplay(cfg, []);
  if (!replay) skipNotice('ginroute', '../shared, go or Debian gin sources are absent');
  return replay?.loadProblems;
}

describe.each(CASES)('$finding', ({ good, bad, message, tool }) => {
  test('the good config lints clean', () => {
    expect(lintKrakendConfig(good)).toEqual([]);
  });
  test('the bad config is found', () => {
    expect(lintKrakendConfig(bad)).toEqual([expect.stringMatching(message)]);
  });
  if (tool) {
    test(`${tool} agrees: it passes the good config and refuses the bad one`, () => {
      const goodProblems = toolProblems(tool, good);
      if (!goodProblems) return;
      expect(goodProblems).toEqual([]);
      expect(toolProblems(tool, bad)?.length).toBeGreaterThan(0);
    });
  }
});

test('a finding is thrown as a GatewayInternalError that asks for a bug report, not as a validation error', () => {
  // GIVEN a renderer bug
  // A prefix expansion that yields one path twice: the renderer then registers an endpoint twice.
  const spy = jest.spyOn(paths, 'expandPrefix').mockImplementation((prefix) => [
    { endpoint: prefix, rest: '' },
    { endpoint: prefix, rest: '' },
  ]);
  // WHEN the seed is rendered
  let error: unknown;
  try {
    renderKrakendConfig(seedSpec());
  } catch (e) {
    error = e;
  } finally {
    spy.mockRestore();
  }
  // THEN a GatewayInternalError lists the findings and asks for a bug report; without the bug, rendering works
  expect(error).toBeInstanceOf(GatewayInternalError);
  expect(error).not.toBeInstanceOf(GatewayValidationError);
  expect((error as GatewayInternalError).findings).toEqual([expect.stringMatching(/registered twice/), expect.stringMatching(/registered twice/)]);
  expect((error as Error).message).toMatch(
    /^the rendered krakend\.json would fail in KrakenD CE although the spec is valid: a bug in hanzo-gateway-cdk8s, please report it/,
  );
  expect((error as Error).name).toBe('GatewayInternalError');
  expect(() => renderKrakendConfig(seedSpec())).not.toThrow();
});

test('the construct lints what it renders: a renderer bug surfaces as a GatewayInternalError and adds nothing', () => {
  // A prefix expansion that yields one path twice: the renderer then registers an endpoint twice.
  const spy = jest.spyOn(paths, 'expandPrefix').mockImplementation((prefix) => [
    { endpoint: prefix, rest: '' },
    { endpoint: prefix, rest: '' },
  ]);
  const chart = new Chart(new App(), 'test');
  try {
    expect(() => new Gateway(chart, 'Gateway', { ...seedSpec(), name: 'gateway' })).toThrow(GatewayInternalError);
  } finally {
    spy.mockRestore();
  }
  expect(chart.node.children).toHaveLength(0);
  expect(() => new Gateway(chart, 'Gateway', { ...seedSpec(), name: 'gateway' })).not.toThrow();
});

test('the rendered seed config lints clean', () => {
  expect(lintKrakendConfig(buildKrakendConfig(resolveSpec(seedSpec())))).toEqual([]);
});

test('every config rendered from a random valid spec lints clean', () => {
  fc.assert(
    fc.property(gatewaySpecArb(), (spec) => {
      expect(lintKrakendConfig(buildKrakendConfig(resolveSpec(spec)))).toEqual([]);
    }),
    { numRuns: 300 },
  );
});

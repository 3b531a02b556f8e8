/**
 * A real production route table: the hand-written KrakenD config of hanzoai/gateway
 * (test/fixtures/cr/hanzo-krakend-routes.txt, its routing facts) against the Gateway written from it
 * (hanzo-production.yaml), rendered with `hanzo-gateway krakend`. Both are replayed in a real gin
 * router: every request the predecessor routed must reach the same backend URL, and paths deeper
 * than its endpoints must reach the backend too.
 */
import * as fs from 'fs';
import { GinReplay, ginReplay, krakendCheck, skipNotice } from '../support/conformance';
import { cli, fixture, removeTempDirs } from './run-cli';

afterAll(removeTempDirs);

const TOOL_ABSENT = 'needs ../shared/tools (and ajv / go + gin); see docs/development.md, "Conformance tools"';
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
// A value for each {param} of the predecessor's endpoints.
const SAMPLE = 'orders';
// Segments added below an endpoint: with `/x/{path}` that makes 4 below the prefix `/x`, the default depth.
const DEEPER = ['a1', 'b2', 'c3'];

interface Fact {
  method: string;
  endpoint: string;
  host: string;
  urlPattern: string;
}

const FACTS: Fact[] = fs
  .readFileSync(fixture('hanzo-krakend-routes.txt'), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '' && !line.startsWith('#'))
  .map((line) => {
    const [method, endpoint, host, urlPattern] = line.split(' ');
    return { method, endpoint, host, urlPattern };
  });

const concrete = (template: string) => template.replace(/\{[^}]+\}/g, SAMPLE);

/** The predecessor's routing as a krakend.json: its endpoints, methods, hosts and url_patterns. */
const predecessor = {
  version: 3,
  endpoints: FACTS.map((f) => ({
    endpoint: f.endpoint,
    method: f.method,
    output_encoding: 'no-op',
    backend: [{ host: [f.host], url_pattern: f.urlPattern, encoding: 'no-op' }],
  })),
};

/** Each endpoint of the table with a sample value per parameter, and the URL it reached. */
const routedCases = FACTS.map((f) => `${f.method} ${concrete(f.endpoint)} ${f.host}${concrete(f.urlPattern)}`);

/** Requests one to three segments below each endpoint, and the URL they reach in the new gateway. */
const deeperCases = FACTS.flatMap((f) =>
  DEEPER.map((_, k) => {
    const below = `/${DEEPER.slice(0, k + 1).join('/')}`;
    return { method: f.method, path: concrete(f.endpoint) + below, url: f.host + concrete(f.urlPattern) + below };
  }),
);

/** Methods the predecessor did not route on a path that it routes with some other method. */
const unroutedMethods = [...new Set(FACTS.map((f) => f.endpoint))].flatMap((endpoint) => {
  const routed = FACTS.filter((f) => f.endpoint === endpoint).map((f) => f.method);
  return METHODS.filter((m) => !routed.includes(m)).map((m) => ({ method: m, path: concrete(endpoint) }));
});

function replay(config: unknown, cases: string[]): GinReplay | undefined {
  const result = ginReplay(config, cases);
  if (result) expect(result.loadProblems).toEqual([]);
  return result;
}

let rendered: unknown;
beforeAll(() => {
  const r = cli(['krakend', fixture('hanzo-production.yaml')]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  rendered = JSON.parse(r.stdout);
});

test('the fixture holds the whole table: 13 endpoints on 10 paths', () => {
  expect(FACTS).toHaveLength(13);
  expect(new Set(FACTS.map((f) => f.endpoint)).size).toBe(10);
  expect(deeperCases).toHaveLength(39);
});

test('the rendered config passes the KrakenD schema and CE checks', () => {
  const problems = krakendCheck(rendered);
  if (!problems) return skipNotice('krakend-check', TOOL_ABSENT);
  expect(problems).toEqual([]);
});

test('the predecessor, replayed in gin, routes its table as written, and nothing deeper', () => {
  const result = replay(predecessor, [...routedCases, ...deeperCases.map((c) => `${c.method} ${c.path} 404`)]);
  if (!result) return skipNotice('ginroute', TOOL_ABSENT);
  expect(result.failures).toEqual([]);
  expect(result.ok).toBe(true);
});

test('the rendered Gateway routes every request of the predecessor to the same backend URL', () => {
  const result = replay(rendered, routedCases);
  if (!result) return skipNotice('ginroute', TOOL_ABSENT);
  expect(result.failures).toEqual([]);
  expect(result.output).toContain(`${routedCases.length} passed, 0 failed`);
});

test('the rendered Gateway also routes paths up to 3 segments deeper, to the same backend', () => {
  const result = replay(
    rendered,
    deeperCases.map((c) => `${c.method} ${c.path} ${c.url}`),
  );
  if (!result) return skipNotice('ginroute', TOOL_ABSENT);
  expect(result.failures).toEqual([]);
  expect(result.output).toContain(`${deeperCases.length} passed, 0 failed`);
});

test('a method the predecessor did not route is not routed either (404)', () => {
  expect(unroutedMethods.length).toBeGreaterThan(30);
  const result = replay(
    rendered,
    unroutedMethods.map((c) => `${c.method} ${c.path} 404`),
  );
  if (!result) return skipNotice('ginroute', TOOL_ABSENT);
  expect(result.failures).toEqual([]);
  const before = replay(
    predecessor,
    unroutedMethods.map((c) => `${c.method} ${c.path} 4xx`),
  );
  expect(before?.failures).toEqual([]);
});

test('the completion routes stream: the stream proxy serves them, after the check of their per-IP limit, to the same backend', () => {
  const out = cli(['synth', fixture('hanzo-production.yaml'), '--stdout']);
  expect(out.status).toBe(0);
  const nginxConf = /nginx\.conf: \|-?\n((?: {4}.*\n|\n)+)/.exec(out.stdout)![1].replace(/^ {4}/gm, '');
  for (const [index, prefix] of [
    [0, '/v1/chat/completions'],
    [1, '/v1/completions'],
  ] as const) {
    const below = nginxConf.split(`    location ^~ "${prefix}/" {`)[1].split('\n    }')[0];
    expect(below).toContain(`auth_request /__stream-auth/${index};`);
    expect(below).toContain('set $stream_backend "gateway.hanzo.svc.cluster.local:4000";');
    expect(below).toContain('if ($request_method !~ ^(?:POST)$) {');
    expect(below).toContain('proxy_buffering off;');
  }
  // Only those two: the other routes are KrakenD's, through the proxy's catch-all location.
  expect([...new Set(nginxConf.match(/auth_request \S+;/g))].sort()).toEqual(['auth_request /__stream-auth/0;', 'auth_request /__stream-auth/1;']);
  const check = (rendered as { endpoints: Array<{ endpoint: string; extra_config: Record<string, unknown> }> }).endpoints.find(
    (e) => e.endpoint === '/__stream-auth/0',
  )!;
  expect(check.extra_config['qos/ratelimit/router']).toMatchObject({ client_max_rate: 500, strategy: 'ip', every: '1s' });
});

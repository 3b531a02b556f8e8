/**
 * Invalid props at construction never yield a manifest: one GatewayValidationError listing every
 * problem at once with its `spec.`/`props.` path, and nothing added to the chart.
 */
import { App, Chart } from 'cdk8s';
import { Gateway, GatewayProps, GatewayValidationError } from '../../lib';
import { seedSpec } from '../support/fixtures';
import { synthManifests } from '../support/k8s';

/** Constructs a Gateway from `props` in a fresh chart; returns the error and the chart. */
function construct(props: unknown): { error: unknown; chart: Chart } {
  let error: unknown;
  let chart: Chart | undefined;
  synthManifests((c) => {
    chart = c;
    try {
      new Gateway(c, 'Gateway', props as GatewayProps);
    } catch (e) {
      error = e;
    }
  });
  return { error, chart: chart! };
}

/** The problem lines of a GatewayValidationError, failing the test on anything else. */
function problemLines(error: unknown): string[] {
  expect(error).toBeInstanceOf(GatewayValidationError);
  const lines = (error as GatewayValidationError).message
    .split('\n')
    .slice(1)
    .map((l) => l.trim());
  expect(lines).toHaveLength((error as GatewayValidationError).problems.length);
  return lines;
}

function seedProps(): any {
  return { ...seedSpec(), name: 'gateway', namespace: 'hanzo' };
}

test('an unknown rate-limit name is reported at its path with the names defined', () => {
  const props = seedProps();
  props.routes[0].rateLimit = 'per-usr';
  const { error } = construct(props);
  expect(problemLines(error)).toEqual(['spec.routes[0].rateLimit: unknown rate limit "per-usr" (defined: "per-user")']);
  expect((error as GatewayValidationError).problems).toEqual([
    { path: 'spec.routes[0].rateLimit', message: 'unknown rate limit "per-usr" (defined: "per-user")' },
  ]);
});

test('every problem is reported at once, in one error, and the chart stays empty', () => {
  // GIVEN the seed with nine problems of different kinds
  const props = seedProps();
  props.name = 'Bad_Name';
  props.routes[0].rateLimit = 'per-usr';
  props.routes[1].authPolicy = 'iam';
  props.rateLimits[0].every = '1 minute';
  props.routes.push({ prefix: '/v1/chat', backend: 'http://other.hanzo.svc:80', methods: ['POST'] });
  props.routes.push({ prefix: '/v2', backend: 'ftp://files.hanzo.svc', methods: ['HEAD'] });
  props.routes.push({ prefix: '/v3', backend: 'http://http://x.hanzo.svc:80', timeout: 'soon' });

  // WHEN it is constructed
  const { error, chart } = construct(props);
  const lines = problemLines(error);
  // THEN one error lists every problem, and the chart stays empty
  // Each problem at its path, quoting the bad value; the wording is the validation tests' business.
  const expected: [string, RegExp][] = [
    ['props.name', /"Bad_Name"/],
    ['spec.routes[0].rateLimit', /unknown rate limit "per-usr" \(defined: "per-user"\)/],
    ['spec.routes[1].authPolicy', /unknown auth policy "iam" \(defined: "iam-jwt"\)/],
    ['spec.rateLimits[0].every', /"1 minute"/],
    ['spec.routes[2].methods', /POST \/v1\/chat .*spec\.routes\[0\]/],
    ['spec.routes[3].backend', /"ftp:\/\/files\.hanzo\.svc"/],
    ['spec.routes[3].methods[0]', /"HEAD"/],
    ['spec.routes[4].backend', /"http:\/\/http:\/\/x\.hanzo\.svc:80"/],
    ['spec.routes[4].timeout', /"soon"/],
  ];
  for (const [path, message] of expected) {
    expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^${path.replace(/[.[\]]/g, '\\$&')}: .*${message.source}`))]));
  }
  expect(lines).toHaveLength(expected.length);
  for (const line of lines) expect(line).toMatch(/^(spec|props)\./);

  expect(chart.node.children).toHaveLength(0);
  expect(chart.toJson()).toEqual([]);
});

test('a bad namespace is reported at props.namespace', () => {
  const { error, chart } = construct({ ...seedProps(), namespace: 'Hanzo Prod' });
  expect(problemLines(error)).toEqual([expect.stringMatching(/^props\.namespace: .*"Hanzo Prod"/)]);
  expect(chart.toJson()).toEqual([]);
});

test('a bad prefix, a reserved prefix and a malformed resource quantity', () => {
  const props = seedProps();
  props.routes[0].prefix = '/v1/chat/*';
  props.routes[1].prefix = '/__health';
  props.resources = { limits: { memory: '512 MB' } };
  const lines = problemLines(construct(props).error);
  expect(lines).toEqual([
    expect.stringMatching(/^spec\.routes\[0\]\.prefix: .*"\/v1\/chat\/\*"/),
    expect.stringMatching(/^spec\.routes\[1\]\.prefix: .*reserved.*"\/__health"/),
    expect.stringMatching(/^spec\.resources\.limits\.memory: .*"512 MB"/),
  ]);
});

test('input of the wrong shape (as from plain JavaScript) gives a GatewayValidationError, not a TypeError', () => {
  // GIVEN props of shapes no typed caller could write
  const shapes: unknown[] = [
    { name: 'gateway', routes: 'not-a-list' },
    { name: 'gateway', routes: [null, 42, { prefix: 7 }] },
    { name: 'gateway', routes: [{ prefix: '/a', backend: 'http://a.b:80' }], rateLimits: {}, authPolicies: [null], ingress: 'yes', resources: [] },
    { name: 'gateway' },
  ];
  // WHEN each is constructed, THEN it is refused at spec. paths and the chart stays empty
  for (const props of shapes) {
    const { error, chart } = construct(props);
    const lines = problemLines(error);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/^spec\./);
    expect(chart.toJson()).toEqual([]);
  }
});

describe('props that are not an object', () => {
  test.each([undefined, null, 'gateway', 42, []])('%p gives a GatewayValidationError at props, never a TypeError', (props) => {
    const chart = new Chart(new App(), 'test');
    let error: unknown;
    try {
      new Gateway(chart, 'gateway', props as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GatewayValidationError);
    expect((error as GatewayValidationError).problems.map((p) => p.path)).toEqual(['props']);
    expect(chart.node.children).toHaveLength(0);
  });
});

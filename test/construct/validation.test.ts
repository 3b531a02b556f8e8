/**
 * Invalid props at construction never yield a manifest: one GatewayValidationError listing every
 * problem at once with its `spec.`/`props.` path, and nothing added to the chart.
 */
import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { Gateway, GatewayProps, GatewayValidationError, renderKrakendConfig } from '../../lib';
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

/**
 * In an app with several Gateways, the error says which one it is about: its first line names the
 * namespace, the name and the construct path, and the problem lines stay path-qualified as ever.
 */
describe('the error names the Gateway it is about', () => {
  const valid = () => ({ routes: [{ prefix: '/v1/x', backend: 'http://x.hanzo.svc:80' }] });
  const badRoute = () => ({ routes: [{ prefix: 'v1/x', backend: 'http://x.hanzo.svc:80' }] });
  const tooSmall = () => ({ ...valid(), resources: { limits: { memory: '8Mi' } } });

  /** A chart (namespace `team` or none) with a valid Gateway `First` and then `build`'s; its error. */
  function secondOfTwo(chartNamespace: string | undefined, build: (chart: Chart) => void): GatewayValidationError {
    const chart = new Chart(new App(), 'app', chartNamespace === undefined ? {} : { namespace: chartNamespace });
    new Gateway(chart, 'First', { ...valid(), name: 'first' });
    let error: unknown;
    try {
      build(chart);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GatewayValidationError);
    return error as GatewayValidationError;
  }

  test.each([
    [
      'an explicit name and namespace',
      undefined,
      (c: Chart) => new Gateway(c, 'Second', { ...badRoute(), name: 'api', namespace: 'hanzo' }),
      'invalid Gateway (namespace "hanzo", name "api", construct path "app/Second"; 1 problem):',
      { name: 'api', namespace: 'hanzo', constructPath: 'app/Second' },
    ],
    [
      "the name from the id, the chart's namespace",
      'team',
      (c: Chart) => new Gateway(c, 'ApiGateway', badRoute()),
      'invalid Gateway (namespace "team", name "api-gateway", construct path "app/ApiGateway"; 1 problem):',
      { name: 'api-gateway', namespace: 'team', constructPath: 'app/ApiGateway' },
    ],
    [
      'no namespace anywhere',
      undefined,
      (c: Chart) => new Gateway(c, 'Second', { ...badRoute(), name: 'api' }),
      'invalid Gateway (name "api", construct path "app/Second"; 1 problem):',
      { name: 'api', constructPath: 'app/Second' },
    ],
    [
      'a construct one level down, an id with a slash',
      undefined,
      (c: Chart) => new Gateway(new Construct(c, 'Team'), 'a/b', { ...badRoute(), name: 'api' }),
      'invalid Gateway (name "api", construct path "app/Team/a--b"; 1 problem):',
      { name: 'api', constructPath: 'app/Team/a--b' },
    ],
    [
      'a problem found after rendering (the memory limit)',
      undefined,
      (c: Chart) => new Gateway(c, 'Second', { ...tooSmall(), name: 'api', namespace: 'hanzo' }),
      'invalid Gateway (namespace "hanzo", name "api", construct path "app/Second"; 1 problem):',
      { name: 'api', namespace: 'hanzo', constructPath: 'app/Second' },
    ],
    [
      'an invalid name, quoted as every value',
      undefined,
      (c: Chart) => new Gateway(c, 'Second', { ...valid(), name: 'Api\n' }),
      'invalid Gateway (name "Api\\n", construct path "app/Second"; 1 problem):',
      { name: 'Api\n', constructPath: 'app/Second' },
    ],
    [
      'props that are not an object',
      'team',
      (c: Chart) => new Gateway(c, 'Second', null as unknown as GatewayProps),
      'invalid Gateway (namespace "team", name "second", construct path "app/Second"; 1 problem):',
      { name: 'second', namespace: 'team', constructPath: 'app/Second' },
    ],
    [
      'a custom resource',
      'team',
      (c: Chart) =>
        Gateway.fromCustomResource(c, 'FromCr', { apiVersion: 'hanzo.ai/v1', kind: 'Gateway', metadata: { name: 'cr' }, spec: badRoute() }),
      'invalid Gateway (namespace "team", name "cr", construct path "app/FromCr"; 1 problem):',
      { name: 'cr', namespace: 'team', constructPath: 'app/FromCr' },
    ],
  ])('%s', (_case, chartNamespace, build, firstLine, gateway) => {
    const error = secondOfTwo(chartNamespace, build);
    expect(error.message.split('\n')[0]).toBe(firstLine);
    expect(error.gateway).toEqual(gateway);
    expect(problemLines(error)).toEqual(error.problems.map((p) => `${p.path}: ${p.message}`));
  });

  test('the problem lines stay as they are: path-qualified, after the first line', () => {
    const error = secondOfTwo(undefined, (c) => new Gateway(c, 'Second', { ...badRoute(), name: 'api' }));
    expect(error.message).toBe(
      'invalid Gateway (name "api", construct path "app/Second"; 1 problem):\n' +
        '  spec.routes[0].prefix: must start with \'/\' (got "v1/x") — e.g. /v1/x',
    );
  });

  test('a spec checked on its own (renderKrakendConfig) names no gateway', () => {
    let error: unknown;
    try {
      renderKrakendConfig(badRoute());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GatewayValidationError);
    expect((error as GatewayValidationError).gateway).toBeUndefined();
    expect((error as GatewayValidationError).message.split('\n')[0]).toBe('invalid Gateway (1 problem):');
  });
});

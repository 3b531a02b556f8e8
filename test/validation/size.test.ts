/**
 * A krakend.json larger than a ConfigMap can hold (1 MiB = 1048576 bytes) is refused with its size,
 * the limit and the fix, at spec.routes, and nothing is added to the chart.
 */
import { App, Chart } from 'cdk8s';
import { Gateway, GatewayProps, GatewayValidationError, renderKrakendConfig } from '../../lib';
import { CONFIGMAP_LIMIT_BYTES } from '../../lib/limits';
import { minConfigBytes } from '../../lib/krakend/size';
import { checkConfigSize } from '../../lib/checked-render';
import { resolveSpec } from '../../lib/resolve';

test('the limit is 1 MiB', () => {
  expect(CONFIGMAP_LIMIT_BYTES).toBe(1048576);
});

test('exactly 1 MiB fits; one byte more is refused with the size, the limit and the fix', () => {
  expect(checkConfigSize('a'.repeat(1048576))).toEqual([]);
  expect(checkConfigSize('a'.repeat(1048577))).toEqual([
    {
      path: 'spec.routes',
      message: expect.stringMatching(
        /^the rendered krakend\.json is 1048577 bytes, over the 1048576-byte \(1 MiB\) limit of a ConfigMap — split the routes over several Gateways, or lower prefixDepth/,
      ),
    },
  ]);
});

test('the size is counted in UTF-8 bytes, not characters', () => {
  expect(checkConfigSize('é'.repeat(524288))).toEqual([]);
  expect(checkConfigSize(`${'é'.repeat(524288)}a`)).toEqual([expect.objectContaining({ message: expect.stringContaining('is 1048577 bytes') })]);
});

/** The problems of the GatewayValidationError that `build` throws; fails the test when it throws none or another. */
function refusal(build: () => unknown): GatewayValidationError['problems'] {
  let error: unknown;
  try {
    build();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(GatewayValidationError);
  return (error as GatewayValidationError).problems;
}

/** `routes` routes, each with every method, `depth` levels deep: big enough to pass 1 MiB. */
function bigProps(routes: number, depth: number): GatewayProps {
  return {
    name: 'gateway',
    prefixDepth: depth,
    routes: Array.from({ length: routes }, (_, i) => ({
      prefix: `/service-${i}/api`,
      backend: `http://service-${i}.hanzo.svc.cluster.local:8080/base`,
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    })),
  };
}

test('a Gateway whose krakend.json passes 1 MiB throws at spec.routes and adds nothing to the chart', () => {
  const chart = new Chart(new App(), 'test');
  const problems = refusal(() => new Gateway(chart, 'Gateway', bigProps(100, 16)));
  // Refused by the lower bound, before the endpoints are built.
  expect(problems).toEqual([
    { path: 'spec.routes', message: expect.stringMatching(/^the rendered krakend\.json is at least \d{7,} bytes, over the 1048576-byte/) },
  ]);
  const bytes = Number(/is at least (\d+) bytes/.exec(problems[0].message)![1]);
  expect(bytes).toBeGreaterThan(1048576);
  expect(chart.node.children).toHaveLength(0);
});

test('the same routes at a lower depth fit, as the message says', () => {
  const chart = new Chart(new App(), 'test');
  const gateway = new Gateway(chart, 'Gateway', bigProps(100, 2));
  const data = (chart.toJson().find((o) => o.kind === 'ConfigMap') as { data: Record<string, string> }).data['krakend.json'];
  expect(Buffer.byteLength(data)).toBeLessThanOrEqual(1048576);
  expect(gateway.krakendConfig.endpoints).toHaveLength(100 * 5 * 3);
});

test('renderKrakendConfig, the pure renderer, refuses an oversized config the way the construct does', () => {
  const routes = Array.from({ length: 300 }, (_, i) => ({
    prefix: `/v1/service-${i}`,
    backend: `http://service-${i}.hanzo.svc:8080`,
    methods: ['GET', 'POST'] as const,
  }));
  const problems = refusal(() => renderKrakendConfig({ routes: routes.map((r) => ({ ...r, methods: [...r.methods] })), prefixDepth: 8 }));
  expect(problems.map((p) => p.path)).toEqual(['spec.routes']);
});

test('a table the lower bound lets through is still measured exactly after rendering', () => {
  // GIVEN JWT and rate-limited routes: their blocks are not in the lower bound, so it stays under 1 MiB
  const spec = {
    ...bigProps(100, 4),
    authPolicies: [{ name: 'iam', type: 'jwt' as const, iamEndpoint: 'https://hanzo.id', jwksUrl: 'https://hanzo.id/jwks' }],
  };
  const props = { ...spec, routes: spec.routes.map((r) => ({ ...r, authPolicy: 'iam', inputHeaders: ['User-Agent', 'X-Request-Id', 'X-Trace'] })) };
  expect(minConfigBytes(resolveSpec(props))).toBeLessThan(CONFIGMAP_LIMIT_BYTES);
  // WHEN the construct renders it, THEN the exact size refuses it
  expect(refusal(() => new Gateway(new Chart(new App(), 'test'), 'Gateway', props))).toEqual([
    { path: 'spec.routes', message: expect.stringMatching(/^the rendered krakend\.json is \d{7,} bytes, over/) },
  ]);
});

test('with streaming routes, krakend.json and nginx.conf share the ConfigMap: their sum is what is refused', () => {
  // GIVEN 300 streaming routes: about 1.2 KB of krakend.json each and 2.3 KB of nginx.conf
  const spec = {
    prefixDepth: 0,
    routes: Array.from({ length: 300 }, (_, i) => ({
      prefix: `/v1/stream-${i}`,
      backend: `http://chat-${i}.hanzo.svc:80`,
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      streaming: true,
    })),
  } satisfies GatewayProps;
  const props: GatewayProps = { name: 'gateway', ...spec };
  const krakendJson = JSON.stringify(renderKrakendConfig(spec));
  expect(Buffer.byteLength(krakendJson)).toBeLessThan(CONFIGMAP_LIMIT_BYTES / 2);
  // WHEN the construct renders it, THEN the two files together are over the limit
  expect(refusal(() => new Gateway(new Chart(new App(), 'test'), 'Gateway', props))).toEqual([
    { path: 'spec.routes', message: expect.stringMatching(/^krakend\.json and nginx\.conf together are \d{7} bytes, over the 1048576-byte/) },
  ]);
  // and with a third fewer routes both fit in one ConfigMap
  const fits = new Gateway(new Chart(new App(), 'test'), 'Gateway', { ...props, routes: spec.routes.slice(0, 200) });
  const data = fits.configMap.toJson().data as Record<string, string>;
  expect(Object.keys(data).sort()).toEqual(['krakend.json', 'nginx.conf']);
  expect(Buffer.byteLength(data['krakend.json']) + Buffer.byteLength(data['nginx.conf'])).toBeLessThanOrEqual(1048576);
});

/**
 * Gateway.fromCustomResource, toCustomResource and addCustomResource on hand-written CRs: what is
 * kept, what is never written back, the errors at manifest paths, and the CR emitted into the chart.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import { Gateway, GatewayManifest, GatewayValidationError } from '../../lib';
import { CRD_CLASS_RENAMES } from '../../lib/custom-resource';
import { SEED_CR, SEED_SPEC } from '../support/fixtures';

const newChart = () => new Chart(new App(), 'test');
const seedCr = () => structuredClone(SEED_CR) as GatewayManifest;

/** The problems a GatewayValidationError carries; fails the test when nothing or something else is thrown. */
function problemsOf(build: () => unknown): Array<{ path: string; message: string }> {
  try {
    build();
  } catch (e) {
    if (e instanceof GatewayValidationError) return [...e.problems];
    throw e;
  }
  throw new Error('expected a GatewayValidationError');
}

describe('Gateway.fromCustomResource', () => {
  test('takes name and namespace from metadata and renders what the same props render', () => {
    const chart = newChart();
    const gateway = Gateway.fromCustomResource(chart, 'Gateway', seedCr());
    expect([gateway.name, gateway.namespace]).toEqual(['gateway', 'hanzo']);
    const deployment = chart.toJson().find((o) => o.kind === 'Deployment');
    expect(deployment.metadata).toMatchObject({ name: 'gateway', namespace: 'hanzo' });

    const fromProps = newChart();
    new Gateway(fromProps, 'Gateway', { ...SEED_SPEC, name: 'gateway', namespace: 'hanzo' });
    expect(chart.toJson()).toEqual(fromProps.toJson());
  });

  test('a CR without namespace leaves the namespace to the chart', () => {
    const cr = { ...seedCr(), metadata: { name: 'edge' } };
    const chart = new Chart(new App(), 'test', { namespace: 'platform' });
    const gateway = Gateway.fromCustomResource(chart, 'Gateway', cr);
    expect(gateway.namespace).toBeUndefined();
    expect(chart.toJson().map((o) => o.metadata.namespace)).toEqual(chart.toJson().map(() => 'platform'));
    expect(gateway.toCustomResource().metadata).toEqual({ name: 'edge' });
  });

  test('refuses a bad document with every problem at its manifest path, and adds nothing', () => {
    const chart = newChart();
    const bad = {
      apiVersion: 'hanzo.ai/v2',
      kind: 'Gatway',
      metadata: { name: 'Edge_1', labels: { tier: 1 } },
      spec: { routes: [{ prefix: 'v1', backend: 'chat' }] },
      status: {},
    };
    expect(problemsOf(() => Gateway.fromCustomResource(chart, 'Gateway', bad as unknown as GatewayManifest)).map((p) => p.path)).toEqual([
      'status',
      'apiVersion',
      'kind',
      'metadata.name',
      'metadata.labels.tier',
      'spec.routes[0].prefix',
      'spec.routes[0].backend',
    ]);
    expect(chart.node.children).toHaveLength(0);
  });

  test.each([
    [
      'metadata and spec missing',
      { apiVersion: 'hanzo.ai/v1', kind: 'Gateway' },
      ['metadata: is required — give at least metadata.name', "spec: is required — the gateway's routes and policies"],
    ],
    ['a list', [], ['manifest: must be an object (got list [])']],
    ['null', null, ['manifest: must be an object (got null)']],
    [
      'a string spec',
      { apiVersion: 'hanzo.ai/v1', kind: 'Gateway', metadata: { name: 'a' }, spec: 'routes' },
      ['spec: must be an object (got string "routes")'],
    ],
  ])('%s gives path-qualified problems, never a TypeError', (_, manifest, expected) => {
    const problems = problemsOf(() => Gateway.fromCustomResource(newChart(), 'Gateway', manifest as unknown as GatewayManifest));
    expect(problems.map((p) => `${p.path}: ${p.message}`)).toEqual(expected);
  });
});

describe('toCustomResource', () => {
  test('gives back the CR as given: metadata untouched, and no default written into the spec', () => {
    const cr: GatewayManifest = {
      apiVersion: 'hanzo.ai/v1',
      kind: 'Gateway',
      metadata: {
        name: 'edge',
        namespace: 'hanzo',
        labels: { team: 'platform' },
        annotations: { 'example.com/note': 'x' },
        uid: '1234',
        finalizers: ['example.com/f'],
      },
      spec: { routes: [{ prefix: '/v1/models', backend: 'http://cloud-api.hanzo.svc:80' }], resources: { limits: { memory: '1Gi', cpu: 2 } } },
    };
    const gateway = Gateway.fromCustomResource(newChart(), 'Gateway', structuredClone(cr));
    const back = gateway.toCustomResource();
    expect(back).toEqual(cr);
    // Rendering used the defaults (2 replicas, GET) without writing them back.
    expect(gateway.deployment.toJson().spec.replicas).toBe(2);
    expect(Object.keys(back.spec)).toEqual(['routes', 'resources']);
    expect(Object.keys(back.spec.routes[0])).toEqual(['prefix', 'backend']);
  });

  test('is a copy: changing the CR given, or the one returned, changes nothing inside the gateway', () => {
    const cr = seedCr();
    const gateway = Gateway.fromCustomResource(newChart(), 'Gateway', cr);
    (cr.metadata as { name: string }).name = 'other';
    (gateway.toCustomResource().spec.routes as unknown as unknown[]).pop();
    expect(gateway.toCustomResource()).toEqual(SEED_CR);
  });

  test('of a Gateway built from props: name, namespace (when given) and the spec as given', () => {
    const withNamespace = new Gateway(newChart(), 'Gateway', { ...SEED_SPEC, name: 'gateway', namespace: 'hanzo' });
    expect(withNamespace.toCustomResource()).toEqual(SEED_CR);
    const withoutNamespace = new Gateway(newChart(), 'edge', { routes: [{ prefix: '/', backend: 'http://web.default.svc' }], timeout: undefined });
    expect(withoutNamespace.toCustomResource()).toEqual({
      apiVersion: 'hanzo.ai/v1',
      kind: 'Gateway',
      metadata: { name: 'edge' },
      spec: { routes: [{ prefix: '/', backend: 'http://web.default.svc' }] },
    });
    expect(Object.keys(withoutNamespace.toCustomResource().spec)).toEqual(['routes']);
  });
});

describe('the CR in the chart', () => {
  test('emitCustomResource adds it as a hanzo.ai/v1 Gateway object equal to the CR, quantities included', () => {
    const cr = seedCr();
    const withResources = {
      ...cr,
      metadata: { ...cr.metadata, labels: { team: 'platform' } },
      spec: { ...cr.spec, resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: 1073741824 } } },
    };
    const chart = newChart();
    const gateway = Gateway.fromCustomResource(chart, 'Gateway', withResources, { emitCustomResource: true });
    const emitted = chart.toJson().filter((o) => o.kind === 'Gateway');
    expect(emitted).toEqual([withResources]);
    expect(gateway.node.findChild('CustomResource')).toBeDefined();
  });

  test('is not added unless asked for', () => {
    const chart = newChart();
    Gateway.fromCustomResource(chart, 'Gateway', seedCr());
    expect(chart.toJson().map((o) => o.kind)).not.toContain('Gateway');
  });

  test('addCustomResource on a Gateway built from props emits its name, namespace and spec', () => {
    const chart = new Chart(new App(), 'test', { namespace: 'platform' });
    const gateway = new Gateway(chart, 'edge', { routes: [{ prefix: '/', backend: 'http://web.default.svc' }] });
    const cr = gateway.addCustomResource();
    expect(cr.toJson()).toEqual({
      apiVersion: 'hanzo.ai/v1',
      kind: 'Gateway',
      // The chart's namespace, like every other object of the gateway.
      metadata: { name: 'edge', namespace: 'platform' },
      spec: { routes: [{ prefix: '/', backend: 'http://web.default.svc' }] },
    });
  });
});

describe('fields cdk8s import renames', () => {
  // The generated toJson maps each TypeScript property to the CRD's field: `'crdName': obj.tsName`.
  const generated = fs.readFileSync(path.join(__dirname, '..', '..', 'imports', 'hanzo.ai.ts'), 'utf8');
  const renamed = [...generated.matchAll(/'(\w+)': obj\.(\w+)/g)]
    .filter(([, crdName, tsName]) => crdName !== tsName)
    .map(([, crdName, tsName]) => `${crdName}→${tsName}`);

  test('the rename table lists exactly the renamed fields of imports/', () => {
    const table = Object.values(CRD_CLASS_RENAMES).flatMap((r) => Object.entries(r).map(([crdName, tsName]) => `${crdName}→${tsName}`));
    expect(table.sort()).toEqual(renamed.sort());
    expect(renamed.length).toBeGreaterThan(0);
  });

  test('the emitted CR keeps renamed fields under the CRD names', () => {
    const chart = newChart();
    const { replicas: _replicas, ...spec } = structuredClone(SEED_SPEC);
    const autoscaling = { minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 70 };
    const networkPolicy = { enabled: false, allowedEgressCIDRs: ['203.0.113.0/24'] };
    const cr = { ...seedCr(), spec: { ...spec, autoscaling, networkPolicy } };
    Gateway.fromCustomResource(chart, 'gw', cr, { emitCustomResource: true });
    const emitted = Testing.synth(chart).find((o) => o.kind === 'Gateway');
    expect(emitted.spec.autoscaling).toEqual(autoscaling);
    expect(emitted.spec.networkPolicy).toEqual(networkPolicy);
  });
});

test('the CR emitted into the chart leaves out what the API server sets; toCustomResource keeps it', () => {
  // GIVEN a CR as read back from a cluster: metadata the API server sets, beside labels and annotations
  const chart = newChart();
  const lastApplied = 'kubectl.kubernetes.io/last-applied-configuration';
  const cr = {
    ...seedCr(),
    metadata: {
      name: 'gateway',
      namespace: 'hanzo',
      uid: 'abc',
      resourceVersion: '12345',
      generation: 3,
      creationTimestamp: '2026-01-01T00:00:00Z',
      managedFields: [{ manager: 'kubectl' }],
      labels: { team: 'edge' },
      annotations: { [lastApplied]: '{}', owner: 'platform' },
    },
  };
  // WHEN it is rendered with the CR emitted into the chart
  const gateway = Gateway.fromCustomResource(chart, 'gw', cr, { emitCustomResource: true });
  const emitted = Testing.synth(chart).find((o) => o.kind === 'Gateway');
  // THEN the emitted CR keeps only name, namespace, labels and the user's annotations; toCustomResource keeps all
  expect(emitted.metadata).toEqual({ name: 'gateway', namespace: 'hanzo', labels: { team: 'edge' }, annotations: { owner: 'platform' } });
  expect(gateway.toCustomResource().metadata).toEqual(cr.metadata);
});

test.each([
  ['a function', { finalizers: [() => 1] }, 'metadata.finalizers[0]'],
  ['a BigInt', { generation: BigInt(3) }, 'metadata.generation'],
  ['NaN', { generation: Number.NaN }, 'metadata.generation'],
])('metadata holding %s is refused at its path, never a non-validation error', (_what, extra, path) => {
  const chart = newChart();
  const cr = { ...seedCr(), metadata: { name: 'gateway', ...extra } } as unknown as GatewayManifest;
  expect(problemsOf(() => Gateway.fromCustomResource(chart, 'gw', cr)).map((p) => p.path)).toEqual([path]);
  expect(chart.node.children).toHaveLength(0);
});

test('metadata with a cycle is refused', () => {
  const owner: Record<string, unknown> = { kind: 'Thing' };
  owner.self = owner;
  const cr = { ...seedCr(), metadata: { name: 'gateway', ownerReferences: [owner] } } as unknown as GatewayManifest;
  expect(problemsOf(() => Gateway.fromCustomResource(newChart(), 'gw', cr)).map((p) => p.path)).toEqual(['metadata.ownerReferences[0].self']);
});

test('metadata holding a sparse list (possible from JavaScript, not from YAML) is no TypeError', () => {
  // eslint-disable-next-line no-sparse-arrays
  const cr = { ...seedCr(), metadata: { name: 'gateway', finalizers: [, 'x'] } } as unknown as GatewayManifest;
  expect(() => Gateway.fromCustomResource(newChart(), 'gw', cr)).not.toThrow();
});

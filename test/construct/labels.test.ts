/**
 * Which labels reach which rendered objects: a CR's metadata.labels (the construct's `labels`) and
 * the chart's reach every object and the pod template, beside the gateway's own labels, which keep
 * their values; selectors and the config hash do not change; a CR's annotations reach nothing.
 */
import { App, Chart, ChartProps } from 'cdk8s';
import { Gateway, GatewayManifest } from '../../lib';
import { SEED_CR, seedSpec } from '../support/fixtures';
import { k8sSchemaProblems, only, synthGateway } from '../support/k8s';
import { problemsOf } from '../support/validation';

const SELECTOR = { 'app.kubernetes.io/name': 'hanzo-gateway', 'app.kubernetes.io/instance': 'gateway' };
const EXTRAS = { ingress: {}, autoscaling: { maxReplicas: 4 }, replicas: undefined, networkPolicy: {}, serviceMonitor: {} };
const RENDERED_KINDS = [
  'ConfigMap',
  'Deployment',
  'Service',
  'Ingress',
  'PodDisruptionBudget',
  'HorizontalPodAutoscaler',
  'NetworkPolicy',
  'ServiceMonitor',
];

/** The objects a CR renders, every production extra on, in a chart with `chartProps`. */
function fromCr(metadata: GatewayManifest['metadata'], chartProps?: ChartProps): any[] {
  const { replicas: _replicas, ...spec } = { ...SEED_CR.spec, ...EXTRAS };
  const chart = new Chart(new App(), 'test', chartProps);
  Gateway.fromCustomResource(chart, 'Gateway', { apiVersion: 'hanzo.ai/v1', kind: 'Gateway', metadata, spec } as GatewayManifest);
  return chart.toJson();
}

describe("a CR's labels", () => {
  const labels = { team: 'platform', 'example.com/cost-center': 'c42' };
  const manifests = fromCr({ name: 'gateway', namespace: 'hanzo', labels, annotations: { 'example.com/owner': 'ops' } });
  const plain = fromCr({ name: 'gateway', namespace: 'hanzo' });

  test('reach every rendered object, beside its own labels', () => {
    expect(manifests.map((m) => m.kind).sort()).toEqual([...RENDERED_KINDS].sort());
    for (const m of manifests) {
      expect({ kind: m.kind, labels: m.metadata.labels }).toEqual({
        kind: m.kind,
        labels: { ...only(plain, m.kind).metadata.labels, team: 'platform', 'example.com/cost-center': 'c42' },
      });
    }
  });

  test('reach the pod template, whose config hash stays the same', () => {
    const template = only(manifests, 'Deployment').spec.template;
    expect(template.metadata.labels).toMatchObject({ ...SELECTOR, team: 'platform', 'example.com/cost-center': 'c42' });
    expect(template.metadata.annotations).toEqual(only(plain, 'Deployment').spec.template.metadata.annotations);
    expect(Object.keys(template.metadata.annotations)).toEqual(['hanzo.ai/config-sha256']);
  });

  test('change no selector', () => {
    expect(only(manifests, 'Deployment').spec.selector).toEqual({ matchLabels: SELECTOR });
    expect(only(manifests, 'Service').spec.selector).toEqual(SELECTOR);
    expect(only(manifests, 'PodDisruptionBudget').spec.selector).toEqual({ matchLabels: SELECTOR });
    expect(only(manifests, 'NetworkPolicy').spec.podSelector).toEqual({ matchLabels: SELECTOR });
    expect(only(manifests, 'ServiceMonitor').spec.selector).toEqual({ matchLabels: SELECTOR });
  });

  test("and the CR's annotations reach no rendered object", () => {
    for (const m of manifests) expect(m.metadata.annotations?.['example.com/owner']).toBeUndefined();
  });

  test('every object still passes its schema', () => {
    expect(k8sSchemaProblems(manifests)).toEqual([]);
  });
});

test("under a key of the gateway's own labels, the gateway's value stays", () => {
  const manifests = fromCr({
    name: 'gateway',
    namespace: 'hanzo',
    labels: { 'app.kubernetes.io/instance': 'other', 'app.kubernetes.io/part-of': 'hanzo' },
  });
  for (const m of manifests) {
    expect(m.metadata.labels['app.kubernetes.io/instance']).toBe('gateway');
    expect(m.metadata.labels['app.kubernetes.io/part-of']).toBe('hanzo');
  }
  expect(only(manifests, 'Deployment').spec.template.metadata.labels).toMatchObject({ ...SELECTOR, 'app.kubernetes.io/part-of': 'hanzo' });
});

test("the chart's labels reach the pod template too (cdk8s puts them on every object's metadata)", () => {
  const manifests = fromCr({ name: 'gateway', namespace: 'hanzo', labels: { team: 'platform' } }, { labels: { env: 'prod', team: 'chart' } });
  // The CR's own label wins over the chart's under the same key, on the metadata as on the template.
  expect(only(manifests, 'Deployment').spec.template.metadata.labels).toMatchObject({ env: 'prod', team: 'platform' });
  for (const m of manifests) expect(m.metadata.labels).toMatchObject({ env: 'prod', team: 'platform' });
});

test("the construct's labels round-trip through its custom resource", () => {
  const { gateway, manifests } = synthGateway({ labels: { team: 'platform' } });
  const cr = gateway.toCustomResource();
  expect(cr.metadata).toEqual({ name: 'gateway', namespace: 'hanzo', labels: { team: 'platform' } });
  expect(only(manifests, 'Deployment').spec.template.metadata.labels).toMatchObject({ team: 'platform' });
  const again = new Chart(new App(), 'test');
  Gateway.fromCustomResource(again, 'Gateway', cr);
  expect(again.toJson()).toEqual(manifests);
});

describe('labels given to the construct are checked with Kubernetes label rules', () => {
  const construct = (labels: unknown) => {
    try {
      synthGateway({ labels: labels as Record<string, string> });
    } catch (e) {
      return (e as { problems: { path: string; message: string }[] }).problems.map((p) => `${p.path}: ${p.message}`);
    }
    return [];
  };
  test.each<[string, unknown, string[]]>([
    ['not a map', 'team', ['props.labels: must be an object (got string "team")']],
    ['a value that is no string', { team: 1 }, ['props.labels.team: must be a string (got number 1) — quote it in YAML']],
    [
      'a value Kubernetes refuses',
      { team: 'a b' },
      [
        'props.labels.team: is not a label value (got "a b") — ' +
          "at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
      ],
    ],
    [
      'a key Kubernetes refuses',
      { 'a b': 'x' },
      ['props.labels["a b"]: is not a label key (got "a b") — ' + "an optional DNS prefix and '/', then up to 63 letters, digits, '-', '_' or '.'"],
    ],
  ])('%s', (_case, labels, expected) => {
    expect(construct(labels)).toEqual(expected);
  });

  test('labels are no spec field', () => {
    expect(problemsOf({ ...seedSpec(), labels: { team: 'platform' } })).toEqual([expect.stringMatching(/^spec\.labels: unknown field/)]);
  });
});

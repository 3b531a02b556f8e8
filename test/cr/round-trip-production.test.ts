/**
 * The production fields round-trip losslessly through Gateway.fromCustomResource/toCustomResource
 * (defaults are never written back), survive YAML, reach the emitted custom resource, and the CRD's
 * schema accepts them.
 */
import Ajv from 'ajv';
import { readFileSync } from 'fs';
import { join } from 'path';
import { App, Chart } from 'cdk8s';
import { parse, stringify } from 'yaml';
import { Gateway, GatewayManifest } from '../../lib';
import { SEED_CR } from '../support/fixtures';

const { replicas: _replicas, ...seedWithoutReplicas } = SEED_CR.spec;
const gatewayCr = (spec: GatewayManifest['spec']): GatewayManifest => ({
  apiVersion: 'hanzo.ai/v1',
  kind: 'Gateway',
  metadata: SEED_CR.metadata,
  spec,
});

/** Every production field set, to values other than the defaults. */
const FULL = gatewayCr({
  ...seedWithoutReplicas,
  autoscaling: { minReplicas: 3, maxReplicas: 12, targetCPUUtilizationPercentage: 65 },
  topologySpread: false,
  networkPolicy: { enabled: true, ingressNamespace: 'ingress-nginx', backendTargetPorts: { 'chat.hanzo.svc:80': 8000 } },
  serviceMonitor: { enabled: true, metricsPort: 9100, metricsPath: '/metrics', interval: '15s', labels: { release: 'kube-prometheus-stack' } },
});

/** The same fields mostly left to their defaults. */
const MINIMAL = gatewayCr({ ...seedWithoutReplicas, autoscaling: { maxReplicas: 4 }, networkPolicy: {}, serviceMonitor: {} });

/** As a team holds it: with an outside backend and its CIDR allowance, and the features switched off. */
const SWITCHED_OFF = gatewayCr({
  ...SEED_CR.spec,
  routes: [...SEED_CR.spec.routes, { prefix: '/v1/openai', backend: 'https://api.openai.com/v1' }],
  networkPolicy: { enabled: false, allowedEgressCIDRs: ['0.0.0.0/0'] },
  serviceMonitor: { enabled: false },
  topologySpread: true,
});

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

/** The image pinned by digest alone, and an Ingress that allows snippet annotations. */
const PINNED = gatewayCr({
  ...SEED_CR.spec,
  image: { repository: 'ghcr.io/hanzoai/gateway', digest: DIGEST },
  ingress: {
    className: 'nginx',
    allowSnippetAnnotations: true,
    annotations: { 'nginx.ingress.kubernetes.io/configuration-snippet': 'more_set_headers "X-A: b";' },
  },
});

/** Tag and digest together, and snippets explicitly refused. */
const TAGGED_AND_PINNED = gatewayCr({
  ...SEED_CR.spec,
  image: { repository: 'ghcr.io/hanzoai/gateway', tag: '2.14.1', digest: DIGEST, pullPolicy: 'Always' },
  ingress: { allowSnippetAnnotations: false },
});

const CASES: [string, GatewayManifest][] = [
  ['every field set', FULL],
  ['defaults left out', MINIMAL],
  ['features switched off', SWITCHED_OFF],
  ['image by digest, snippets allowed', PINNED],
  ['image by tag and digest, snippets refused', TAGGED_AND_PINNED],
];

function fromCr(cr: unknown, emitCustomResource = false) {
  const chart = new Chart(new App(), 'test');
  const gateway = Gateway.fromCustomResource(chart, 'Gateway', structuredClone(cr) as GatewayManifest, { emitCustomResource });
  return { gateway, manifests: chart.toJson() };
}

describe.each(CASES)('%s', (_, manifest) => {
  test('toCustomResource(fromCustomResource(cr)) deep-equals cr', () => {
    expect(fromCr(manifest).gateway.toCustomResource()).toEqual(manifest);
  });

  test('through YAML text and back, as from Git', () => {
    const text = stringify(fromCr(parse(stringify(manifest))).gateway.toCustomResource());
    expect(parse(text)).toEqual(manifest);
  });

  test('the emitted custom resource carries the spec unchanged', () => {
    const emitted = fromCr(manifest, true).manifests.find((m) => m.kind === 'Gateway');
    expect(emitted.spec).toEqual(manifest.spec);
  });

  test('the CRD schema accepts it', () => {
    expect(crdProblems(manifest)).toEqual([]);
  });
});

test('the CRD schema refuses what validation refuses on the same fields', () => {
  const bad = (spec: object) => crdProblems(gatewayCr({ ...seedWithoutReplicas, ...spec }));
  expect(bad({ autoscaling: { minReplicas: 2 } })).toEqual(["/spec/autoscaling must have required property 'maxReplicas'"]);
  expect(bad({ autoscaling: { maxReplicas: 3, targetCPUUtilizationPercentage: 101 } })).toEqual([
    '/spec/autoscaling/targetCPUUtilizationPercentage must be <= 100',
  ]);
  expect(bad({ serviceMonitor: { metricsPort: 80 } })).toEqual(['/spec/serviceMonitor/metricsPort must be >= 1024']);
  expect(bad({ serviceMonitor: { metricsPath: '/stats' } })).toEqual(['/spec/serviceMonitor/metricsPath must be equal to one of the allowed values']);
  expect(bad({ serviceMonitor: { labels: { release: 1 } } })).toEqual(['/spec/serviceMonitor/labels/release must be string']);
  expect(bad({ networkPolicy: { backendTargetPorts: { 'chat.hanzo.svc:80': 0 } } })).toEqual([
    '/spec/networkPolicy/backendTargetPorts/chat.hanzo.svc:80 must be >= 1',
  ]);
  expect(bad({ image: { repository: 'ghcr.io/hanzoai/gateway', digest: 'sha256:ABC' } })).toEqual([
    '/spec/image/digest must match pattern "^sha256:[a-f0-9]{64}$"',
  ]);
  expect(bad({ image: { repository: 'ghcr.io/hanzoai/gateway' } })).toEqual([
    "/spec/image must have required property 'tag'",
    "/spec/image must have required property 'digest'",
    '/spec/image must match a schema in anyOf',
  ]);
  expect(bad({ ingress: { allowSnippetAnnotations: 'yes' } })).toEqual(['/spec/ingress/allowSnippetAnnotations must be boolean']);
});

let validateCr: ((cr: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null };

/** Problems the CRD's openAPIV3Schema finds, as `path message`. */
function crdProblems(cr: unknown): string[] {
  if (!validateCr) {
    const crd = parse(readFileSync(join(__dirname, '../../crd/gateway.yaml'), 'utf8'));
    // strict: false lets ajv pass over the x-kubernetes-* extensions it does not know.
    validateCr = new Ajv({ strict: false, allErrors: true }).compile(crd.spec.versions[0].schema.openAPIV3Schema);
  }
  return validateCr(cr) ? [] : (validateCr.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

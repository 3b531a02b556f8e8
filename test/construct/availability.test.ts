/**
 * Disruption budget, spreading and autoscaling: what a Gateway gets for each
 * replica setting, checked field by field and against the Kubernetes schemas.
 */
import { GatewayProps, GatewayValidationError } from '../../lib';
import { seedSpec } from '../support/fixtures';
import { k8sSchemaProblems, only, synthGateway } from '../support/k8s';
import { buildInvalid, problemsOf } from '../support/validation';

const SELECTOR = { 'app.kubernetes.io/name': 'hanzo-gateway', 'app.kubernetes.io/instance': 'gateway' };
const kinds = (manifests: any[]) => manifests.map((m) => m.kind);

describe('a 3-replica Gateway', () => {
  const { gateway, manifests } = synthGateway({ replicas: 3 });
  const deployment = only(manifests, 'Deployment');

  test('gets the PodDisruptionBudget <name>: one pod down at a time, selecting the gateway pods', () => {
    const pdb = only(manifests, 'PodDisruptionBudget');
    expect(pdb.apiVersion).toBe('policy/v1');
    expect(pdb.metadata).toMatchObject({ name: 'gateway', namespace: 'hanzo' });
    expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: SELECTOR }, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
    // The selector must match the pods the Deployment creates.
    expect(deployment.spec.template.metadata.labels).toMatchObject(pdb.spec.selector.matchLabels);
    expect(gateway.disruptionBudget?.node.id).toBe('DisruptionBudget');
  });

  test('spreads its pods over nodes and zones, as a preference', () => {
    const spread = deployment.spec.template.spec.topologySpreadConstraints;
    expect(spread).toEqual(
      ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'].map((topologyKey) => ({
        topologyKey,
        maxSkew: 1,
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: SELECTOR },
        matchLabelKeys: ['pod-template-hash'],
      })),
    );
    expect(deployment.spec.replicas).toBe(3);
  });

  test('has no autoscaler, and every object passes the Kubernetes schema', () => {
    expect(kinds(manifests)).not.toContain('HorizontalPodAutoscaler');
    expect(gateway.autoscaler).toBeUndefined();
    expect(k8sSchemaProblems(manifests)).toEqual([]);
  });
});

describe('autoscaling {minReplicas: 2, maxReplicas: 10, targetCPUUtilizationPercentage: 70}', () => {
  const { gateway, manifests } = synthGateway({
    replicas: undefined,
    autoscaling: { minReplicas: 2, maxReplicas: 10, targetCPUUtilizationPercentage: 70 },
  });
  const deployment = only(manifests, 'Deployment');

  test('gets an autoscaling/v2 HorizontalPodAutoscaler targeting its Deployment on CPU use', () => {
    const hpa = only(manifests, 'HorizontalPodAutoscaler');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.metadata).toMatchObject({ name: 'gateway', namespace: 'hanzo' });
    expect(hpa.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'gateway' },
      minReplicas: 2,
      maxReplicas: 10,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
    });
    expect([deployment.apiVersion, deployment.kind, deployment.metadata.name]).toEqual(['apps/v1', 'Deployment', 'gateway']);
    expect(gateway.autoscaler?.node.id).toBe('Autoscaler');
  });

  test('the Deployment has no replicas field, so the autoscaler and GitOps do not fight', () => {
    expect(Object.keys(deployment.spec)).not.toContain('replicas');
  });

  test('the pods request CPU, which utilization is measured against', () => {
    expect(deployment.spec.template.spec.containers[0].resources.requests.cpu).toBe('250m');
  });

  test('two pods at least: a disruption budget and spreading', () => {
    expect(only(manifests, 'PodDisruptionBudget').spec.maxUnavailable).toBe(1);
    expect(deployment.spec.template.spec.topologySpreadConstraints).toHaveLength(2);
  });

  test('every object passes the Kubernetes schema', () => {
    expect(k8sSchemaProblems(manifests)).toEqual([]);
  });
});

describe('how many pods may run decides the extras', () => {
  const variants: [string, Partial<GatewayProps>, { pdb: boolean; spread: boolean }][] = [
    ['the seed (2 replicas by default)', { replicas: undefined }, { pdb: true, spread: true }],
    ['1 replica', { replicas: 1 }, { pdb: false, spread: false }],
    ['autoscaling from 1 to 5', { replicas: undefined, autoscaling: { minReplicas: 1, maxReplicas: 5 } }, { pdb: false, spread: true }],
    ['autoscaling from 1 to 1', { replicas: undefined, autoscaling: { minReplicas: 1, maxReplicas: 1 } }, { pdb: false, spread: false }],
    ['autoscaling with the default minimum (2)', { replicas: undefined, autoscaling: { maxReplicas: 4 } }, { pdb: true, spread: true }],
    ['3 replicas, topologySpread: false', { replicas: 3, topologySpread: false }, { pdb: true, spread: false }],
  ];
  test.each(variants)('%s', (_, overrides, expected) => {
    const { manifests } = synthGateway(overrides);
    expect(kinds(manifests).includes('PodDisruptionBudget')).toBe(expected.pdb);
    expect(only(manifests, 'Deployment').spec.template.spec.topologySpreadConstraints !== undefined).toBe(expected.spread);
    expect(k8sSchemaProblems(manifests)).toEqual([]);
  });

  test('autoscaling defaults: at least 2 pods, at 80% of the CPU request', () => {
    const { manifests } = synthGateway({ replicas: undefined, autoscaling: { maxReplicas: 4 } });
    const hpa = only(manifests, 'HorizontalPodAutoscaler');
    expect(hpa.spec.minReplicas).toBe(2);
    expect(hpa.spec.metrics[0].resource.target.averageUtilization).toBe(80);
  });
});

describe('autoscaling is validated', () => {
  const noReplicas = (autoscaling: unknown, more: object = {}) => ({ ...seedSpec(), replicas: undefined, autoscaling, ...more });

  test.each<[string, unknown, object, string[]]>([
    ['min above max', { minReplicas: 5, maxReplicas: 3 }, {}, ['spec.autoscaling.minReplicas: must not exceed maxReplicas (got 5 > 3)']],
    [
      'max below the default min',
      { maxReplicas: 1 },
      {},
      ['spec.autoscaling.maxReplicas: must be at least minReplicas, 2 by default (got 1) — raise it, or set minReplicas'],
    ],
    ['no max', { minReplicas: 2 }, {}, ['spec.autoscaling.maxReplicas: is required — the most pods the autoscaler may run']],
    ['min 0', { minReplicas: 0, maxReplicas: 3 }, {}, ['spec.autoscaling.minReplicas: must be an integer from 1 to 2147483647 (got 0)']],
    [
      'target 0',
      { maxReplicas: 3, targetCPUUtilizationPercentage: 0 },
      {},
      ['spec.autoscaling.targetCPUUtilizationPercentage: must be an integer from 1 to 100 (got 0)'],
    ],
    [
      'target 101',
      { maxReplicas: 3, targetCPUUtilizationPercentage: 101 },
      {},
      ['spec.autoscaling.targetCPUUtilizationPercentage: must be an integer from 1 to 100 (got 101)'],
    ],
    [
      'target as text',
      { maxReplicas: 3, targetCPUUtilizationPercentage: '70%' },
      {},
      ['spec.autoscaling.targetCPUUtilizationPercentage: must be an integer from 1 to 100 (got "70%")'],
    ],
    [
      'together with replicas',
      { maxReplicas: 3 },
      { replicas: 2 },
      [
        'spec.replicas: must not be set together with spec.autoscaling (got 2) — ' +
          'the autoscaler owns the pod count; remove replicas and set autoscaling.minReplicas',
      ],
    ],
    [
      'resources without a CPU request',
      { maxReplicas: 3 },
      { resources: { requests: { memory: '256Mi' } } },
      [
        'spec.resources.requests.cpu: is required with spec.autoscaling — ' +
          'CPU utilization is measured against the CPU request; add one (e.g. 250m, the default)',
      ],
    ],
    [
      'a misspelt field',
      { maxReplicas: 3, targetCPU: 70 },
      {},
      ['spec.autoscaling.targetCPU: unknown field — did you mean targetCPUUtilizationPercentage?'],
    ],
    ['not an object', 3, {}, ['spec.autoscaling: must be an object (got number 3)']],
  ])('%s', (_, autoscaling, more, expected) => {
    expect(problemsOf(noReplicas(autoscaling, more))).toEqual(expected);
  });

  test('an invalid spec adds nothing to the chart', () => {
    const { chart, error } = buildInvalid({ ...seedSpec(), autoscaling: { minReplicas: 5, maxReplicas: 3 } });
    expect(error).toBeInstanceOf(GatewayValidationError);
    expect(chart.node.children).toHaveLength(0);
  });

  test('topologySpread must be true or false', () => {
    expect(problemsOf({ ...seedSpec(), topologySpread: 'no' })).toEqual(['spec.topologySpread: must be true or false (got string "no")']);
  });
});

/** Any value in the production fields ends in path-qualified problems or a valid gateway, never a crash. */
import fc from 'fast-check';
import { GatewayValidationError } from '../../lib';
import { seedSpec } from '../support/fixtures';
import { synthGateway } from '../support/k8s';
import { problemsOf } from '../support/validation';

const FIELDS = ['autoscaling', 'topologySpread', 'networkPolicy', 'serviceMonitor'] as const;

// Values near the valid shapes, so that the checks past the first type test are reached too.
const near = fc.oneof(
  fc.anything(),
  fc.record({ minReplicas: fc.anything(), maxReplicas: fc.anything(), targetCPUUtilizationPercentage: fc.anything() }, { requiredKeys: [] }),
  fc.record(
    { enabled: fc.anything(), ingressNamespace: fc.anything(), allowedEgressCIDRs: fc.anything(), backendTargetPorts: fc.anything() },
    { requiredKeys: [] },
  ),
  fc.record({ enabled: fc.anything(), metricsPort: fc.anything(), metricsPath: fc.anything(), interval: fc.anything() }, { requiredKeys: [] }),
  fc.record({ allowedEgressCIDRs: fc.array(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string()).map((a) => `${a}/${a.length % 40}`)) }),
  // Valid for some field, so that the second property always sees gateways that build.
  fc.constantFrom({}, false, { maxReplicas: 4 }, { enabled: false }, { metricsPort: 9100, interval: '10s' }),
);

test('validation never throws, and every problem names a spec. path', () => {
  fc.assert(
    fc.property(fc.constantFrom(...FIELDS), near, (field, value) => {
      for (const line of problemsOf({ ...seedSpec(), [field]: value })) expect(line).toMatch(/^spec\.[A-Za-z]/);
    }),
    { numRuns: 400 },
  );
});

test('a spec that passes validation always builds a gateway', () => {
  let built = 0;
  fc.assert(
    fc.property(fc.constantFrom(...FIELDS), near, (field, value) => {
      const spec = { ...seedSpec(), replicas: undefined, [field]: value };
      if (problemsOf(spec).length > 0) return;
      // The seed with one production field stays far below the size limit: nothing may throw.
      expect(() => synthGateway(spec)).not.toThrow();
      built++;
    }),
    { numRuns: 200 },
  );
  expect(built).toBeGreaterThan(0); // the property saw valid specs, not only refusals
});

// Pod and Service settings and patches, near their valid shapes: every Kubernetes shape the spec takes as given.
const POD_FIELDS = ['pod', 'service', 'disruptionBudget', 'patches'] as const;
const nearPod = fc.oneof(
  fc.anything(),
  fc.record(
    {
      env: fc.array(fc.record({ name: fc.anything(), value: fc.anything(), valueFrom: fc.anything() }, { requiredKeys: [] })),
      envFrom: fc.array(fc.record({ prefix: fc.anything(), configMapRef: fc.anything() }, { requiredKeys: [] })),
      tolerations: fc.array(fc.anything()),
      affinity: fc.anything(),
      volumes: fc.array(fc.record({ name: fc.anything(), emptyDir: fc.anything(), hostPath: fc.anything() }, { requiredKeys: [] })),
      volumeMounts: fc.array(fc.record({ name: fc.anything(), mountPath: fc.anything() }, { requiredKeys: [] })),
      securityContext: fc.record({ ids: fc.anything(), runAsUser: fc.anything(), seccompProfile: fc.anything() }, { requiredKeys: [] }),
      labels: fc.anything(),
      livenessProbe: fc.anything(),
    },
    { requiredKeys: [] },
  ),
  fc.record(
    { type: fc.anything(), externalTrafficPolicy: fc.anything(), minAvailable: fc.anything(), maxUnavailable: fc.anything() },
    { requiredKeys: [] },
  ),
  fc.array(
    fc.record(
      {
        target: fc.record(
          { kind: fc.constantFrom('Deployment', 'Service', 'Ingress', 'ConfigMap'), name: fc.anything() },
          { requiredKeys: ['kind'] },
        ),
        operations: fc.array(
          fc.record(
            {
              op: fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test'),
              path: fc.constantFrom(
                '/spec/x',
                '/spec/replicas',
                '/metadata/labels/a',
                '/spec/template/spec/hostNetwork',
                '/data',
                '/nope/x',
                '/spec/ports/9',
              ),
              from: fc.constantFrom('/metadata/name', '/spec', '/missing'),
              value: fc.anything(),
            },
            { requiredKeys: ['op', 'path'] },
          ),
          { minLength: 1, maxLength: 3 },
        ),
      },
      { requiredKeys: ['target', 'operations'] },
    ),
    { maxLength: 3 },
  ),
  fc.constantFrom({}, [], { env: [{ name: 'APP_X', value: 'y' }] }, { type: 'LoadBalancer' }, { maxUnavailable: '10%' }),
);

test('pod settings and patches: validation never throws, and a gateway builds or is refused with problems at spec. paths', () => {
  fc.assert(
    fc.property(fc.constantFrom(...POD_FIELDS), nearPod, (field, value) => {
      const spec = { ...seedSpec(), [field]: value };
      const problems = problemsOf(spec);
      for (const line of problems) expect(line).toMatch(/^spec\.[A-Za-z]/);
      if (problems.length > 0) return;
      // Patches are checked again once applied: a refusal is a GatewayValidationError at spec.patches paths, never a crash.
      try {
        synthGateway(spec);
      } catch (e) {
        expect(e).toBeInstanceOf(GatewayValidationError);
        for (const p of (e as GatewayValidationError).problems) expect(p.path).toMatch(/^spec\.patches\[\d+\]/);
      }
    }),
    { numRuns: 400 },
  );
});

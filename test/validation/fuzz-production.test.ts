/** Any value in the production fields ends in path-qualified problems or a valid gateway, never a crash. */
import fc from 'fast-check';
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

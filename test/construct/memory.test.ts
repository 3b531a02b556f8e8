/**
 * Memory sized from the rendered config: the estimate (figures measured in KrakenD CE 2.13.0 by
 * `npm run bench`), the default resources it raises, and the refusal of a memory limit below it.
 */
import { renderKrakendConfig } from '../../lib';
import { memoryNeeds } from '../../lib/krakend/memory';
import { defaultResources } from '../../lib/resolve';
import { benchRoutes, benchSpec } from '../../bench/shape';
import { synthGateway, only } from '../support/k8s';

test('the estimate counts 20 KiB an endpoint, 17 more with a JWT check, 7 more with a per-client limit and 52 per CEL check, over 66 MiB', () => {
  // 2,090 endpoints, 1,040 of them (104 routes) with a JWT check, its one CEL claim check and a per-user limit:
  // 66 MiB + (2090 × 20 + 1040 × 17 + 1040 × 7 + 1040 × 52) KiB = 66 + 118.01 MiB → 185 MiB; twice that under load.
  expect(memoryNeeds(renderKrakendConfig(benchSpec(benchRoutes(209))))).toEqual({ startMiB: 185, limitMiB: 370 });
  // 10 public endpoints: 66 + 0.2 → 67.
  expect(memoryNeeds(renderKrakendConfig({ routes: [{ prefix: '/v1', backend: 'http://a.b.svc', methods: ['GET', 'POST'] }] }))).toEqual({
    startMiB: 67,
    limitMiB: 134,
  });
});

test('the default resources stay 256Mi/512Mi while the estimate fits them, and grow in steps of 64Mi beyond', () => {
  expect(defaultResources({ startMiB: 145, limitMiB: 290 })).toEqual({ requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } });
  expect(defaultResources({ startMiB: 300, limitMiB: 600 })).toEqual({ requests: { cpu: '250m', memory: '320Mi' }, limits: { memory: '640Mi' } });
});

test('the largest bench-shape table gets the default memory and GOMEMLIMIT', () => {
  const { manifests } = synthGateway({ ...benchSpec(benchRoutes(209)) });
  const container = only(manifests, 'Deployment').spec.template.spec.containers[0];
  expect(container.resources).toEqual({ requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } });
  expect(container.env).toEqual([{ name: 'GOMEMLIMIT', value: '483183820' }]);
});

test('a memory limit below what the route table needs is refused at its path, with the figure', () => {
  expect(() => synthGateway({ ...benchSpec(benchRoutes(209)), resources: { limits: { memory: '256Mi' } } })).toThrow(
    /spec\.resources\.limits\.memory: is below what this route table needs \(got "256Mi"; KrakenD takes about 185Mi at start and needs a limit of at least 370Mi under load\) — raise it to 370Mi or more/,
  );
  // Enough, or no limit at all, is accepted.
  expect(() => synthGateway({ ...benchSpec(benchRoutes(209)), resources: { limits: { memory: '372Mi' } } })).not.toThrow();
  expect(() => synthGateway({ ...benchSpec(benchRoutes(209)), resources: { requests: { memory: '128Mi' } } })).not.toThrow();
});

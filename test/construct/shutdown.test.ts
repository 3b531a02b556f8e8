/**
 * The pod's grace period outlasts the longest request: KrakenD waits for requests in flight when it
 * stops, and Kubernetes kills it when the grace period ends.
 */
import { Gateway, GatewayProps } from '../../lib';
import { seedSpec } from '../support/fixtures';
import { synthManifests } from '../support/k8s';

function gracePeriod(props: Partial<GatewayProps>): number {
  const manifests = synthManifests((chart) => new Gateway(chart, 'gateway', { ...seedSpec(), ...props }));
  return manifests.find((m) => m.kind === 'Deployment').spec.template.spec.terminationGracePeriodSeconds;
}

test('default: the 120s default timeout plus 10s', () => {
  expect(gracePeriod({})).toBe(130);
});

test('the gateway timeout, when it is the longest', () => {
  expect(gracePeriod({ timeout: '5m' })).toBe(310);
});

test('a route timeout longer than the gateway timeout wins; a sub-second one rounds up', () => {
  const routes = seedSpec().routes;
  expect(gracePeriod({ timeout: '30s', routes: [{ ...routes[0], timeout: '1h' }, routes[1]] })).toBe(3610);
  expect(gracePeriod({ timeout: '1500ms', routes })).toBe(12);
});

/**
 * The review of a messaging route (`pubsub`): audit shows its topic as the backend, at a messaging
 * broker whose address is not in krakend.json, with the route's auth and limit; diff reports another
 * topic as backend-changed.
 */
import { GatewaySpec } from '../../lib';
import { buildKrakendConfig } from '../../lib/krakend/render';
import { resolveSpec } from '../../lib/resolve';
import { auditGateways } from '../../lib/review/audit';
import { diffGateways } from '../../lib/review/diff';
import { formatAuditText, formatDiffText } from '../../lib/review/format';
import { RenderedGateway } from '../../lib/review/served';

const spec = (subject: string): GatewaySpec => ({
  messaging: { nats: { serverUrl: { secret: { name: 'nats', key: 'url' } } } },
  authPolicies: [{ name: 'iam', type: 'jwt', iamEndpoint: 'https://hanzo.id', jwksUrl: 'https://hanzo.id/jwks' }],
  rateLimits: [{ name: 'orders', maxRate: 10, every: '1s', key: 'user' }],
  routes: [
    { prefix: '/v1/models', backend: 'http://cloud-api.hanzo.svc:80', exact: true },
    { prefix: '/v1/orders', methods: ['POST'], authPolicy: 'iam', rateLimit: 'orders', pubsub: { publish: `nats://${subject}` } },
  ],
});
const gateway = (s: GatewaySpec): RenderedGateway => ({ id: 'g', location: 'spec', config: buildKrakendConfig(resolveSpec(s)), spec: s });

test('audit shows the topic as the backend, at a broker, with the auth and limit of the route', () => {
  const report = auditGateways([gateway(spec('orders.created'))]);
  const route = report.gateways[0].routes.find((r) => r.path === '/v1/orders')!;
  expect(route).toMatchObject({
    methods: ['POST'],
    backendLocation: 'broker',
    auth: 'iam',
    rateLimits: [expect.objectContaining({ key: 'user', maxRate: 10 })],
  });
  expect(route.backend).toContain('nats://orders.created');
  const text = formatAuditText(report);
  expect(text).toMatch(/\n {2}nats:\/\/orders\.created.* \(messaging broker, address from the environment\)\n {4}\/v1\/orders POST +auth iam/);
  // No warning that a broker is reached over plain http from outside the cluster: it is not an HTTP backend.
  expect(report.gateways[0].warnings.map((w) => w.code)).not.toContain('plain-http-external');
});

test('diff reports another subject as backend-changed, and the same spec as no change', () => {
  const report = diffGateways([gateway(spec('orders.created'))], [gateway(spec('orders.placed'))]);
  expect(report.changes.map((c) => [c.change, c.path, c.method])).toEqual([['backend-changed', '/v1/orders', 'POST']]);
  expect(formatDiffText(report)).toContain('orders.created');
  expect(formatDiffText(report)).toContain('orders.placed');
  expect(diffGateways([gateway(spec('orders.created'))], [gateway(spec('orders.created'))]).changes).toEqual([]);
});

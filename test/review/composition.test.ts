/**
 * The review of a composed route (`backends`): audit shows every backend it calls, and diff reports a
 * change to any of them, the first or one merged in after it.
 */
import { GatewaySpec } from '../../lib';
import { buildKrakendConfig } from '../../lib/krakend/render';
import { resolveSpec } from '../../lib/resolve';
import { auditGateways } from '../../lib/review/audit';
import { diffGateways } from '../../lib/review/diff';
import { formatAuditText, formatDiffText } from '../../lib/review/format';
import { RenderedGateway } from '../../lib/review/served';

const composed = (second: string): GatewaySpec => ({
  routes: [
    { prefix: '/v1/models', backend: 'http://cloud-api.hanzo.svc:80', exact: true },
    {
      prefix: '/v1/me',
      exact: true,
      backends: [
        { url: 'http://users.hanzo.svc:80/users/me', group: 'user' },
        { url: second, group: 'orders' },
      ],
    },
  ],
});
const gateway = (spec: GatewaySpec): RenderedGateway => ({ id: 'g', location: 'spec', config: buildKrakendConfig(resolveSpec(spec)), spec });

test('audit lists a composed route under its first backend, with each backend merged in after it', () => {
  // GIVEN a composed route beside a proxying one
  const report = auditGateways([gateway(composed('https://orders.example.com/v2/orders'))]);
  // THEN the route names every backend, and its endpoint record holds the merged ones
  expect(report.gateways[0].routes.map((r) => [r.path, r.backend, r.mergedWith])).toEqual([
    ['/v1/me', 'http://users.hanzo.svc:80/users/me', [{ url: 'https://orders.example.com/v2/orders', location: 'external' }]],
    ['/v1/models', 'http://cloud-api.hanzo.svc:80/v1/models', undefined],
  ]);
  expect(formatAuditText(report)).toContain('    /v1/me GET → /users/me + https://orders.example.com/v2/orders (outside the cluster)  public');
});

test('diff reports a change to a merged backend as backend-changed, with every backend before and after', () => {
  const report = diffGateways([gateway(composed('http://orders.hanzo.svc:80/orders'))], [gateway(composed('http://orders.hanzo.svc:80/v2/orders'))]);
  expect(formatDiffText(report)).toBe(
    [
      'g:',
      '  backend-changed  /v1/me GET  http://users.hanzo.svc:80/users/me (in cluster) + http://orders.hanzo.svc:80/orders (in cluster) → ' +
        'http://users.hanzo.svc:80/users/me (in cluster) + http://orders.hanzo.svc:80/v2/orders (in cluster)',
      // The merged backends' other keys (group, allow, …) are compared as one opaque setting.
      'other settings changed (not classified):',
      '  g /v1/me GET: backend[1:]',
      'classes: backend-changed',
      '',
    ].join('\n'),
  );
});

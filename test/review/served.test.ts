/**
 * Reading krakend.json back: blocks the review does not model are kept as other settings, never
 * refused, and a per-client limit KrakenD would not apply is not reported as one.
 */
import { KrakendConfig } from '../../lib';
import { auditGateways } from '../../lib/review/audit';
import { diffGateways } from '../../lib/review/diff';
import { collapse, depthSuffix } from '../../lib/review/routes';
import { RenderedGateway } from '../../lib/review/served';
import { SEED, rendered } from './support';

/** The seed, its first endpoint (POST /v1/chat) changed by `edit`. */
function seedWith(edit: (endpoint: Record<string, any>) => void): RenderedGateway[] {
  const [gateway] = rendered(SEED);
  const config = JSON.parse(JSON.stringify(gateway.config)) as KrakendConfig;
  edit(config.endpoints[0] as unknown as Record<string, any>);
  return [{ ...gateway, config }];
}

test('an extra_config block the review does not know is kept as an other setting, not refused', () => {
  // GIVEN a block another renderer may add one day
  const after = seedWith((e) => (e.extra_config['qos/circuit-breaker'] = { interval: 60, max_errors: 5 }));
  // THEN the audit still reads the endpoint, and the diff lists the block apart from the classes
  expect(auditGateways(after).gateways[0].endpoints[0]).toMatchObject({ method: 'POST', path: '/v1/chat', auth: 'iam-jwt' });
  const report = diffGateways(rendered(SEED), after);
  expect(report.changes).toEqual([]);
  expect(report.otherChanges).toEqual([
    { gateway: 'hanzo/gateway', method: 'POST', path: '/v1/chat', endpoints: ['/v1/chat'], settings: ['extra_config.qos/circuit-breaker'] },
  ]);
});

test('a martian modifier the review does not model keeps the whole block an other setting', () => {
  // GIVEN a header set on the response, which this library never renders
  const after = seedWith((e) => {
    e.backend[0].extra_config = { 'modifier/martian': { 'header.Modifier': { scope: ['response'], name: 'X-Served-By', value: 'gateway' } } };
  });
  expect(auditGateways(after).gateways[0].endpoints[0]).toMatchObject({ setHeaders: [], removedResponseHeaders: [] });
  const report = diffGateways(rendered(SEED), after);
  expect(report.changes).toEqual([]);
  expect(report.otherChanges.map((o) => o.settings)).toEqual([['backend.extra_config.modifier/martian']]);
});

test('a value shaped as a Secret template whose variable the spec gives the pod no Secret for is sent as written', () => {
  // GIVEN a config whose template names a variable the Deployment does not set (no FC_ENABLE, no Secret)
  const template = '{{ $v := marshal (env `HANZO_SECRET_0`) }}{{ substr 1 (int (sub (len $v) 1)) $v }}';
  const after = seedWith((e) => {
    e.backend[0].extra_config = { 'modifier/martian': { 'header.Modifier': { scope: ['request'], name: 'X-Key', value: template } } };
  });
  expect(auditGateways(after).gateways[0].endpoints[0].setHeaders).toEqual([{ header: 'X-Key', value: template }]);
  // Without the spec, the template's shape is all there is to go by.
  expect(auditGateways([{ ...after[0], spec: undefined }]).gateways[0].endpoints[0].setHeaders).toEqual([
    { header: 'X-Key', secret: { env: 'HANZO_SECRET_0' } },
  ]);
});

test('martian modifiers in order: a later delete of a name undoes an earlier set, and a group limits its scope', () => {
  const after = seedWith((e) => {
    const set = (name: string) => ({ 'header.Modifier': { scope: ['request'], name, value: 'v' } });
    e.backend[0].extra_config = {
      'modifier/martian': {
        'fifo.Group': {
          scope: ['request', 'response'],
          modifiers: [
            set('X-A'),
            set('X-B'),
            { 'header.Blacklist': { scope: ['request'], names: ['x-a'] } },
            { 'fifo.Group': { scope: ['response'], modifiers: [{ 'header.Blacklist': { scope: ['request', 'response'], names: ['Server'] } }] } },
          ],
        },
      },
    };
  });
  expect(auditGateways(after).gateways[0].endpoints[0]).toMatchObject({
    setHeaders: [{ header: 'X-B', value: 'v' }],
    removedRequestHeaders: ['x-a'],
    removedResponseHeaders: ['Server'],
  });
});

test('a JWT claim check of validation/cel belongs to the auth policy (requireExpiry: false loosens auth)', () => {
  const after = seedWith((e) => (e.extra_config['validation/cel'] = [{ check_expr: "type(JWT.sub)==string&&JWT.sub!=''" }]));
  const [c] = diffGateways(rendered(SEED), after).changes;
  expect([c.change, c.path, c.fields]).toEqual(['auth-changed', '/v1/chat', ['claim checks']]);
});

test('a per-client limit without a strategy KrakenD knows is no limit: krakend-ratelimit applies none', () => {
  const after = seedWith((e) => delete e.extra_config['qos/ratelimit/router'].strategy);
  expect(auditGateways(after).gateways[0].endpoints[0].rateLimits).toEqual([]);
  expect(diffGateways(rendered(SEED), after).changes.map((c) => `${c.change} ${c.path}`)).toEqual(['limit-removed /v1/chat']);
});

test('routes: a depth range becomes a pattern; a skipped depth starts another route', () => {
  expect([depthSuffix(0, 0), depthSuffix(0, 4), depthSuffix(1, 2), depthSuffix(2, 2)]).toEqual(['', '/**', '/*/**', '/*/*']);
  const items = [0, 1, 3].map((depth) => ({ method: 'GET', base: '/a', depth }));
  expect(collapse(items, () => 'same').map((g) => g.pattern)).toEqual(['/a/**', '/a/*/*/*']);
});

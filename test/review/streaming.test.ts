/**
 * `audit` and `diff` on streaming routes: the stream proxy serves them after KrakenD's check
 * endpoint under /__stream-auth/, so the review reads their auth and limits from that endpoint, marks
 * them streamed, and does not list the check endpoints as routes of their own.
 */
import { GatewaySpec } from '../../lib';
import { buildKrakendConfig } from '../../lib/krakend/render';
import { resolveSpec } from '../../lib/resolve';
import { auditGateways } from '../../lib/review/audit';
import { diffGateways } from '../../lib/review/diff';
import { formatAuditText, formatDiffText } from '../../lib/review/format';
import { RenderedGateway } from '../../lib/review/served';

function spec(chat: object = { streaming: true }): GatewaySpec {
  return {
    authPolicies: [{ name: 'iam', type: 'jwt', iamEndpoint: 'https://hanzo.id', jwksUrl: 'https://hanzo.id/jwks' }],
    rateLimits: [{ name: 'chat', maxRate: 60, every: '1m', key: 'user' }],
    routes: [
      { prefix: '/v1/models', backend: 'http://models.hanzo.svc:80', authPolicy: 'iam', rateLimit: 'chat' },
      { prefix: '/v1/chat', backend: 'http://chat.hanzo.svc:80', methods: ['POST'], authPolicy: 'iam', rateLimit: 'chat', ...chat },
    ],
  };
}

function gateway(s: GatewaySpec, withSpec = true): RenderedGateway {
  return { id: 'hanzo/gateway', location: 'gateway.yaml', config: buildKrakendConfig(resolveSpec(s)), ...(withSpec ? { spec: s } : {}) };
}

describe('audit', () => {
  const report = auditGateways([gateway(spec())]);
  const g = report.gateways[0];

  test('the streaming route is marked streamed, with its idle timeout; the other is not', () => {
    expect(g.routes.map((r) => [r.path, r.methods, r.stream])).toEqual([
      ['/v1/chat/**', ['POST'], { idleTimeout: '5m' }],
      ['/v1/models/**', ['GET'], null],
    ]);
    expect(g.routes[0]).toMatchObject({
      auth: 'iam',
      backend: 'http://chat.hanzo.svc:80/v1/chat/**',
      rateLimits: [expect.objectContaining({ key: 'user', maxRate: 60 })],
    });
  });

  test('the check endpoints are not routes, and their loopback backend is not warned about', () => {
    expect(g.endpoints.some((e) => e.path.startsWith('/__stream-auth'))).toBe(false);
    expect(g.warnings).toEqual([]);
    expect(formatAuditText(report)).toContain(
      '/v1/chat/** POST   auth iam · limit 60/1m per user (chat) · identity X-User-Id, X-Org-Id · forwards Authorization · ' +
        'streamed by nginx, closed after 5m idle',
    );
  });

  test("a streamed request's auth and limits are its check endpoint's, not those of the route's KrakenD endpoints", () => {
    // GIVEN a config whose check endpoint lost its limit, while the route's own endpoints keep theirs
    const altered = gateway(spec());
    const check = altered.config.endpoints.find((e) => e.endpoint === '/__stream-auth/1')!;
    delete (check.extra_config as Record<string, unknown>)['qos/ratelimit/router'];
    const route = auditGateways([altered]).gateways[0].routes.find((r) => r.path === '/v1/chat/**')!;
    // THEN the review shows what a streamed request passes: no limit
    expect(route.rateLimits).toEqual([]);
    expect(auditGateways([altered]).gateways[0].warnings.map((w) => [w.code, w.path])).toEqual([['jwt-without-limit', '/v1/chat/**']]);
  });

  test('without the spec, the check endpoint is listed as KrakenD serves it', () => {
    const bare = auditGateways([gateway(spec(), false)]).gateways[0];
    expect(bare.routes.map((r) => r.path)).toEqual(['/__stream-auth/1', '/v1/chat/**', '/v1/models/**']);
    expect(bare.routes.every((r) => r.stream === null)).toBe(true);
  });
});

describe('diff', () => {
  test('streaming turned on: stream-changed, from buffered to streamed', () => {
    const report = diffGateways([gateway(spec({}))], [gateway(spec())]);
    expect(report.changes).toEqual([
      expect.objectContaining({ method: 'POST', path: '/v1/chat/**', change: 'stream-changed', before: null, after: { idleTimeout: '5m' } }),
    ]);
    expect(report.classes).toEqual(['stream-changed']);
    expect(formatDiffText(report)).toContain('stream-changed  /v1/chat/** POST  buffered by KrakenD → streamed by nginx, closed after 5m idle');
  });

  test('another stream timeout: stream-changed; the same spec: no change', () => {
    const longer = diffGateways([gateway(spec())], [gateway(spec({ streaming: true, streamTimeout: '10m' }))]);
    expect(longer.changes.map((c) => [c.change, c.before, c.after])).toEqual([['stream-changed', { idleTimeout: '5m' }, { idleTimeout: '10m' }]]);
    expect(diffGateways([gateway(spec())], [gateway(spec())]).changes).toEqual([]);
  });

  test('a limit removed from a streaming route is a limit change of the route, not an added or removed check endpoint', () => {
    const s = spec();
    const unlimited = { ...s, routes: s.routes.map((r) => (r.prefix === '/v1/chat' ? { ...r, rateLimit: undefined } : r)) };
    const report = diffGateways([gateway(s)], [gateway(unlimited)]);
    expect(report.changes.map((c) => [c.change, c.path])).toEqual([['limit-removed', '/v1/chat/**']]);
  });
});

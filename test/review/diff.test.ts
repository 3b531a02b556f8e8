/**
 * `diff`: every class of change, each made by editing a real fixture (test/fixtures/cr/seed.yaml) into
 * a changed copy under test/fixtures/review, and the changes that are no change in what is served.
 */
import * as path from 'path';
import { GatewaySpec } from '../../lib';
import { buildKrakendConfig } from '../../lib/krakend/render';
import { DiffReport, FailClass, diffGateways } from '../../lib/review/diff';
import { formatDiffMarkdown, formatDiffText } from '../../lib/review/format';
import { RenderedGateway } from '../../lib/review/served';
import { CHAT, CR, IAM_JWT, MODELS, NO_HEADER_RULES, PER_USER, SEED, rendered, review } from './support';
import { resolveSpec } from '../../lib/resolve';

function diff(changed: string, failOn: FailClass[] = []): DiffReport {
  return diffGateways(rendered(SEED), rendered(review(changed)), failOn);
}

/** A public route of the seed as `added` and `removed` show it. */
const PUBLIC_MODELS = {
  backend: 'http://cloud-api.hanzo.svc:80/v1/models/**',
  backendLocation: 'in-cluster',
  auth: null,
  jwt: null,
  identityHeaders: [],
  rateLimits: [],
  forwardsAuthorization: true,
  forwardedHeaders: ['Accept', 'Authorization', 'Content-Type'],
  ...NO_HEADER_RULES,
};

const change = (c: object) => ({ gateway: 'hanzo/gateway', ...c });

describe('each class of change', () => {
  test('added: a new route, public or not, each method on its own', () => {
    const report = diff('seed.route-added.yaml');
    const admin = ['/v1/admin', '/v1/admin/{p2}', '/v1/admin/{p2}/{p3}', '/v1/admin/{p2}/{p3}/{p4}', '/v1/admin/{p2}/{p3}/{p4}/{p5}'];
    const adminAfter = { ...PUBLIC_MODELS, backend: 'http://admin.hanzo.svc:80/v1/admin/**' };
    expect(report.changes).toEqual([
      change({ method: 'GET', path: '/v1/admin/**', endpoints: admin, change: 'added', before: null, after: adminAfter }),
      change({ method: 'POST', path: '/v1/admin/**', endpoints: admin, change: 'added', before: null, after: adminAfter }),
      change({
        method: 'GET',
        path: '/v1/files',
        endpoints: ['/v1/files'],
        change: 'added',
        before: null,
        after: {
          backend: 'http://files.hanzo.svc:80/v1/files',
          backendLocation: 'in-cluster',
          auth: 'iam-jwt',
          jwt: { issuer: 'https://hanzo.id', audience: [], jwksUrl: 'https://hanzo.id/.well-known/jwks' },
          identityHeaders: [
            { header: 'X-User-Id', claim: 'sub' },
            { header: 'X-Org-Id', claim: 'owner' },
          ],
          rateLimits: [PER_USER],
          forwardsAuthorization: true,
          forwardedHeaders: ['Accept', 'Authorization', 'Content-Type'],
          ...NO_HEADER_RULES,
        },
      }),
    ]);
    // The public route makes public-added present; the protected one alone would not.
    expect(report.classes).toEqual(['added', 'public-added']);
    expect(report.otherChanges).toEqual([]);
  });

  test('removed', () => {
    const report = diff('seed.route-removed.yaml');
    expect(report.changes).toEqual([
      change({ method: 'GET', path: '/v1/models/**', endpoints: MODELS, change: 'removed', before: PUBLIC_MODELS, after: null }),
    ]);
    expect(report.classes).toEqual(['removed']);
  });

  test('auth-added', () => {
    const report = diff('seed.auth-added.yaml');
    expect(report.changes).toEqual([
      change({ method: 'GET', path: '/v1/models/**', endpoints: MODELS, change: 'auth-added', before: null, after: IAM_JWT }),
    ]);
    expect(report.classes).toEqual(['auth-added']);
  });

  test('auth-removed: public-added, and the limit now counts client IPs, as KrakenD applies it', () => {
    const report = diff('seed.auth-removed.yaml');
    const at = { method: 'POST', path: '/v1/chat/**', endpoints: CHAT };
    expect(report.changes).toEqual([
      change({ ...at, change: 'auth-removed', before: IAM_JWT, after: null }),
      change({ ...at, change: 'limit-added', before: null, after: { ...PER_USER, key: 'ip' } }),
      change({ ...at, change: 'limit-removed', before: PER_USER, after: null }),
    ]);
    expect(report.classes).toEqual(['auth-removed', 'limit-added', 'limit-removed', 'public-added']);
  });

  test('auth-changed: issuer, audience and roles passed on, with the fields that differ', () => {
    const report = diff('seed.auth-changed.yaml');
    expect(report.changes).toEqual([
      change({
        method: 'POST',
        path: '/v1/chat/**',
        endpoints: CHAT,
        change: 'auth-changed',
        before: IAM_JWT,
        after: {
          ...IAM_JWT,
          issuer: 'https://id.hanzo.ai',
          audience: ['api'],
          claims: [...IAM_JWT.claims, { claim: 'roles', header: 'X-Roles' }],
        },
        fields: ['audience', 'claim checks', 'issuer', 'propagate_claims'],
      }),
    ]);
    expect(formatDiffText(report)).toBe(
      'hanzo/gateway:\n' +
        '  auth-changed  /v1/chat/** POST  auth iam-jwt (issuer https://hanzo.id, audience none, claims sub→X-User-Id, owner→X-Org-Id) → ' +
        'auth iam-jwt (issuer https://id.hanzo.ai, audience api, claims sub→X-User-Id, owner→X-Org-Id, roles→X-Roles); claim checks changed\n' +
        'classes: auth-changed\n',
    );
  });

  test('limit-added, with its burst', () => {
    const report = diff('seed.limit-added.yaml');
    expect(report.changes).toEqual([
      change({
        method: 'GET',
        path: '/v1/models/**',
        endpoints: MODELS,
        change: 'limit-added',
        before: null,
        after: { name: 'per-ip', key: 'ip', maxRate: 20, capacity: 40, every: '1s' },
      }),
    ]);
    expect(formatDiffText(report)).toBe(
      'hanzo/gateway:\n  limit-added  /v1/models/** GET  no limit → 20/1s per IP, burst 40 (per-ip)\nclasses: limit-added\n',
    );
  });

  test('limit-removed', () => {
    const report = diff('seed.limit-removed.yaml');
    expect(report.changes).toEqual([
      change({ method: 'POST', path: '/v1/chat/**', endpoints: CHAT, change: 'limit-removed', before: PER_USER, after: null }),
    ]);
  });

  test('limit-loosened, with the numbers', () => {
    const report = diff('seed.limit-loosened.yaml');
    expect(report.changes).toEqual([
      change({
        method: 'POST',
        path: '/v1/chat/**',
        endpoints: CHAT,
        change: 'limit-loosened',
        before: PER_USER,
        after: { ...PER_USER, maxRate: 1000, capacity: 1000 },
      }),
    ]);
    expect(formatDiffText(report)).toBe(
      'hanzo/gateway:\n  limit-loosened  /v1/chat/** POST  100/1m per user (per-user) → 1000/1m per user (per-user)\nclasses: limit-loosened\n',
    );
  });

  test('limit-tightened: the same number over a longer period', () => {
    const report = diff('seed.limit-tightened.yaml');
    expect(report.changes).toEqual([
      change({
        method: 'POST',
        path: '/v1/chat/**',
        endpoints: CHAT,
        change: 'limit-tightened',
        before: PER_USER,
        after: { ...PER_USER, every: '1h' },
      }),
    ]);
  });

  test('backend-changed to outside the cluster: external-added, Authorization no longer forwarded, version and hop-by-hop headers deleted', () => {
    const report = diff('seed.backend-external.yaml');
    const at = { method: 'POST', path: '/v1/chat/**', endpoints: CHAT };
    expect(report.changes).toEqual([
      change({
        ...at,
        change: 'backend-changed',
        before: { url: 'http://chat.hanzo.svc:80/v1/chat/**', location: 'in-cluster' },
        after: { url: 'https://api.openai.com/v1/chat/**', location: 'external' },
      }),
      change({
        ...at,
        change: 'headers-changed',
        before: { forwarded: ['Accept', 'Authorization', 'Content-Type'] },
        after: { forwarded: ['Accept', 'Content-Type'] },
      }),
      // The martian block of a backend outside the cluster (lib/krakend/martian.ts) deletes its names on both scopes.
      change({
        ...at,
        change: 'request-headers-changed',
        before: { set: [], removed: [] },
        after: { set: [], removed: ['Connection', 'Keep-Alive', 'User-Agent'] },
      }),
      change({ ...at, change: 'response-headers-changed', before: { removed: [] }, after: { removed: ['Connection', 'Keep-Alive', 'User-Agent'] } }),
    ]);
    expect(report.otherChanges).toEqual([]);
    expect(report.classes).toEqual(['backend-changed', 'headers-changed', 'request-headers-changed', 'response-headers-changed', 'external-added']);
  });

  test('headers-changed: a header newly forwarded', () => {
    const report = diff('seed.headers-forwarded.yaml');
    expect(report.changes).toEqual([
      change({
        method: 'GET',
        path: '/v1/models/**',
        endpoints: MODELS,
        change: 'headers-changed',
        before: { forwarded: ['Accept', 'Authorization', 'Content-Type'] },
        after: { forwarded: ['Accept', 'Authorization', 'Content-Type', 'X-Request-Id'] },
      }),
    ]);
    expect(formatDiffText(report)).toBe(
      'hanzo/gateway:\n' +
        '  headers-changed  /v1/models/** GET  forwards Authorization → forwards Authorization, X-Request-Id\n' +
        'classes: headers-changed\n',
    );
  });
});

describe('no change in what is served', () => {
  test.each([
    ['routes and fields reordered', 'seed.reordered.yaml'],
    ['policies renamed, their content the same', 'seed.policies-renamed.yaml'],
    ['defaults written out', 'seed.defaults-explicit.yaml'],
  ])('%s', (_, file) => {
    const report = diff(file);
    expect(report.changes).toEqual([]);
    expect(report.otherChanges).toEqual([]);
    expect(report.classes).toEqual([]);
    expect(formatDiffText(report)).toBe('no change in what is served\n');
    expect(formatDiffMarkdown(report)).toBe('### Gateway changes\n\nno change in what is served\n');
  });

  test('a larger table reordered: hanzo-production.yaml, routes in reverse', () => {
    const before = rendered(path.join(CR, 'hanzo-production.yaml'));
    const after = rendered(review('hanzo-production.reordered.yaml'));
    expect(diffGateways(before, after).changes).toEqual([]);
    expect(diffGateways(before, after).otherChanges).toEqual([]);
  });

  test('the same rate over another period spelled the same (60s is 1m) is no limit change', () => {
    const spec = (every: string): RenderedGateway[] => [{ id: 'g', location: 'x', config: buildKrakendConfig(resolveSpec(seedSpec(every))) }];
    expect(diffGateways(spec('1m'), spec('60s')).changes).toEqual([]);
    // The text differs, so KrakenD's block does: it is compared by its rate and burst, not its text.
    expect(diffGateways(spec('1m'), spec('60s')).otherChanges).toEqual([]);
  });
});

/** The seed's spec, with the per-user limit's period and capacity as given. */
function seedSpec(every: string, capacity?: number): GatewaySpec {
  return {
    routes: [{ prefix: '/v1/chat', backend: 'http://chat.hanzo.svc:80', methods: ['POST'], authPolicy: 'iam-jwt', rateLimit: 'per-user' }],
    rateLimits: [{ name: 'per-user', maxRate: 100, every, ...(capacity === undefined ? {} : { capacity }) }],
    authPolicies: [{ name: 'iam-jwt', type: 'jwt', iamEndpoint: 'https://hanzo.id', jwksUrl: 'https://hanzo.id/.well-known/jwks' }],
  };
}

describe('limits', () => {
  const gateway = (spec: GatewaySpec): RenderedGateway[] => [{ id: 'g', location: 'x', config: buildKrakendConfig(resolveSpec(spec)), spec }];

  test('a smaller rate with a larger burst is loosened: the gate errs towards asking', () => {
    const report = diffGateways(gateway(seedSpec('1m')), gateway(seedSpec('2m', 150)));
    expect(report.changes.map((c) => c.change)).toEqual(['limit-loosened']);
    expect(report.changes[0].after).toEqual({ name: 'per-user', key: 'user', maxRate: 100, capacity: 150, every: '2m' });
  });

  test('a total cap is a bucket of its own, for all clients', () => {
    const base = seedSpec('1m');
    const capped: GatewaySpec = { ...base, rateLimits: [{ name: 'per-user', maxRate: 100, every: '1m', totalMaxRate: 3000 }] };
    const report = diffGateways(gateway(base), gateway(capped));
    expect(report.changes.map((c) => [c.change, c.before, c.after])).toEqual([
      ['limit-added', null, { name: 'per-user', key: 'global', maxRate: 3000, capacity: 3000, every: '1m' }],
    ]);
  });

  test('a policy name without its spec is null: names are read from the spec, never from krakend.json', () => {
    const spec = seedSpec('1m');
    const report = diffGateways([{ id: 'g', location: 'x', config: buildKrakendConfig(resolveSpec(spec)) }], gateway(seedSpec('1m', 50)));
    expect(report.changes.map((c) => [c.change, c.before, c.after])).toEqual([
      ['limit-tightened', { name: null, key: 'user', maxRate: 100, capacity: 100, every: '1m' }, { ...PER_USER, capacity: 50 }],
    ]);
  });
});

describe('Gateways are matched by namespace and name', () => {
  test('multi.yaml with its documents reordered and `internal` left out: one Gateway removed, its endpoints removed', () => {
    const report = diffGateways(rendered(path.join(CR, 'multi.yaml')), rendered(review('multi.internal-removed.yaml')));
    expect(report.gatewaysRemoved).toEqual(['internal']);
    expect(report.gatewaysAdded).toEqual([]);
    expect(report.changes).toEqual([
      {
        gateway: 'internal',
        method: 'GET',
        path: '/**',
        endpoints: ['/', '/{p0}', '/{p0}/{p1}'],
        change: 'removed',
        before: { ...PUBLIC_MODELS, backend: 'http://web.default.svc:8080/**' },
        after: null,
      },
    ]);
    expect(formatDiffText(report)).toBe(
      'Gateway internal removed\n' +
        'internal:\n' +
        '  removed  /** GET  public · no limit · forwards Authorization · to http://web.default.svc:8080/** (in cluster) → not served\n' +
        'classes: removed\n',
    );
  });

  test('a Gateway only in NEW is added', () => {
    const report = diffGateways([], rendered(SEED));
    expect(report.gatewaysAdded).toEqual(['hanzo/gateway']);
    expect(report.changes.map((c) => `${c.change} ${c.method} ${c.path}`)).toEqual(['added POST /v1/chat/**', 'added GET /v1/models/**']);
  });
});

describe('--fail-on', () => {
  test('failed when a class named is present, derived classes included', () => {
    expect(diff('seed.auth-removed.yaml', ['public-added']).failed).toBe(true);
    expect(diff('seed.auth-removed.yaml', ['limit-loosened']).failed).toBe(false);
    expect(diff('seed.route-added.yaml', ['public-added']).failed).toBe(true);
    expect(diff('seed.backend-external.yaml', ['external-added']).failed).toBe(true);
    expect(diff('seed.auth-added.yaml', ['public-added', 'external-added']).failed).toBe(false);
  });
});

describe('markdown', () => {
  test('a table per change, values in code spans, the classes and the verdict as paragraphs', () => {
    const report = diff('seed.auth-removed.yaml', ['auth-removed', 'limit-loosened', 'public-added']);
    expect(formatDiffMarkdown(report)).toBe(
      [
        '### Gateway changes',
        '',
        '| Gateway | Change | Route | Before | After |',
        '| --- | --- | --- | --- | --- |',
        '| `hanzo/gateway` | auth-removed | `/v1/chat/**` POST | auth `iam-jwt` (issuer `https://hanzo.id`) | public |',
        '| `hanzo/gateway` | limit-added | `/v1/chat/**` POST | no limit | 100/1m per IP (`per-user`) |',
        '| `hanzo/gateway` | limit-removed | `/v1/chat/**` POST | 100/1m per user (`per-user`) | no limit |',
        '',
        'classes: `auth-removed`, `limit-added`, `limit-removed`, `public-added`',
        '',
        '--fail-on: `auth-removed`, `public-added` present',
        '',
      ].join('\n'),
    );
  });

  test('a value from a CR cannot break the table or format the comment', () => {
    // GIVEN an issuer holding markdown and a table separator (the issuer is compared as written)
    const spec = seedSpec('1m');
    const hostile: GatewaySpec = { ...spec, authPolicies: [{ ...spec.authPolicies![0], iamEndpoint: 'https://hanzo.id/a|b*c*<img>' }] };
    const gateway = (s: GatewaySpec): RenderedGateway[] => [{ id: 'g', location: 'x', config: buildKrakendConfig(resolveSpec(s)), spec: s }];
    // WHEN the change is written as markdown
    const table = formatDiffMarkdown(diffGateways(gateway(spec), gateway(hostile))).split('\n')[4];
    // THEN the issuer sits in a code span with its `|` escaped: the row keeps its five cells
    expect(table).toBe(
      '| `g` | auth-changed | `/v1/chat/**` POST | auth `iam-jwt` (issuer `https://hanzo.id`) | auth `iam-jwt` (issuer `https://hanzo.id/a\\|b*c*<img>`) |',
    );
  });
});

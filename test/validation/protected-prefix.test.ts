/**
 * The protected-prefix rules (lib/validation/protected-prefixes.ts): a route with an auth policy may
 * not leave out a method that a less protected route around it serves on the same backend server, and
 * a less protected route may not be a spelling of a protected path that only a normalizing server
 * tells apart. Each case: the exact problem lines, or none.
 */
import { GatewaySpec } from '../../lib';
import { problemsOf } from '../support/validation';

const ALL = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const POLICIES = [
  { name: 'iam', type: 'jwt' as const, iamEndpoint: 'https://hanzo.id', jwksUrl: 'https://hanzo.id/jwks' },
  { name: 'partner', type: 'jwt' as const, iamEndpoint: 'https://partner.example', jwksUrl: 'https://partner.example/jwks' },
];
const APP = 'http://app.hanzo.svc';

const spec = (...routes: GatewaySpec['routes']): GatewaySpec => ({ routes, authPolicies: POLICIES });

describe('a protected route that leaves out methods of a less protected route around it', () => {
  test('the issue: /v1 public with every method, /v1/admin JWT with GET and POST, one backend', () => {
    expect(
      problemsOf(
        spec({ prefix: '/v1', backend: APP, methods: [...ALL] }, { prefix: '/v1/admin', backend: APP, authPolicy: 'iam', methods: ['GET', 'POST'] }),
      ),
    ).toEqual([
      'spec.routes[1].methods: does not route PUT, PATCH, DELETE, which spec.routes[0] (/v1, public) then serves below /v1/admin on the same ' +
        'backend server: PUT /v1/admin/… reaches it without a token (got ["GET","POST"]) — add PUT, PATCH, DELETE to this route\'s methods so ' +
        'that they need auth policy "iam", or give spec.routes[0] another backend',
    ]);
  });

  test('the fix the message names passes, and so does a parent with fewer methods than the protected route', () => {
    expect(
      problemsOf(
        spec({ prefix: '/v1', backend: APP, methods: [...ALL] }, { prefix: '/v1/admin', backend: APP, authPolicy: 'iam', methods: [...ALL] }),
      ),
    ).toEqual([]);
    expect(
      problemsOf(spec({ prefix: '/v1', backend: APP }, { prefix: '/v1/admin', backend: APP, authPolicy: 'iam', methods: ['GET', 'POST'] })),
    ).toEqual([]);
  });

  test.each([
    ['the same Service under its long name and another port', 'http://app.hanzo.svc.cluster.local:8080', true],
    ['the same Service under its bare name', 'http://app', true],
    ['the same Service as <svc>.<namespace>, with https', 'https://app.hanzo', true],
    ['the same host outside the cluster, in capitals', 'http://APP.hanzo.svc', true],
    ['another Service', 'http://admin.hanzo.svc', false],
    ['a Service of that name in another namespace', 'http://app.other.svc', false],
    ['the same server under another base path', `${APP}/private`, false],
  ])('the public route on %s (%s): refused %s', (_, backend, refused) => {
    const problems = problemsOf(
      spec({ prefix: '/v1', backend: APP, methods: ['GET', 'DELETE'] }, { prefix: '/v1/admin', backend, authPolicy: 'iam' }),
    );
    expect(problems.map((p) => p.slice(0, p.indexOf(':')))).toEqual(refused ? ['spec.routes[1].methods'] : []);
  });

  test('stripPrefix counts where the request is sent: the same backend path is refused, another passes', () => {
    const stripped = { prefix: '/v1', backend: `${APP}/v1`, stripPrefix: true, methods: ['GET' as const, 'DELETE' as const] };
    expect(problemsOf(spec(stripped, { prefix: '/v1/admin', backend: APP, authPolicy: 'iam' }))).toEqual([
      expect.stringMatching(/^spec\.routes\[1\]\.methods: does not route DELETE, which spec\.routes\[0\] \(\/v1, public\)/),
    ]);
    expect(problemsOf(spec({ ...stripped, backend: APP }, { prefix: '/v1/admin', backend: APP, authPolicy: 'iam' }))).toEqual([]);
  });

  test('an exact protected route, and a prefix route of depth 0, protect their own path: the message says so', () => {
    const parent = { prefix: '/v1', backend: APP, methods: ['GET' as const, 'DELETE' as const] };
    const line =
      'spec.routes[1].methods: does not route DELETE, which spec.routes[0] (/v1, public) then serves for /v1/admin on the same backend ' +
      'server: DELETE /v1/admin reaches it without a token (got ["GET"]) — add DELETE to this route\'s methods so that they need auth ' +
      'policy "iam", or give spec.routes[0] another backend';
    expect(problemsOf(spec(parent, { prefix: '/v1/admin', backend: APP, authPolicy: 'iam', exact: true }))).toEqual([line]);
    expect(problemsOf(spec(parent, { prefix: '/v1/admin', backend: APP, authPolicy: 'iam', prefixDepth: 0 }))).toEqual([line]);
  });

  test('a parent of another auth policy: its tokens would reach the protected path', () => {
    expect(
      problemsOf(
        spec(
          { prefix: '/v1', backend: APP, authPolicy: 'partner', methods: ['GET', 'POST'] },
          { prefix: '/v1/admin', backend: APP, authPolicy: 'iam' },
        ),
      ),
    ).toEqual([
      expect.stringContaining(
        'which spec.routes[0] (/v1, auth policy "partner") then serves below /v1/admin on the same backend server: ' +
          'POST /v1/admin/… reaches it with a "partner" token',
      ),
    ]);
  });

  test('a parent that does not reach the protected path, or a route between of the same policy, leaves nothing open', () => {
    const admin = { prefix: '/v1/org/admin', backend: APP, authPolicy: 'iam' };
    expect(problemsOf(spec({ prefix: '/v1', backend: APP, methods: ['GET', 'DELETE'], prefixDepth: 1 }, admin))).toEqual([]);
    expect(problemsOf(spec({ prefix: '/', backend: APP, methods: ['DELETE'], prefixDepth: 2 }, admin))).toEqual([]);
    expect(
      problemsOf(
        spec(
          { prefix: '/v1', backend: APP, methods: ['GET', 'DELETE'] },
          { prefix: '/v1/org', backend: APP, authPolicy: 'iam', methods: ['GET', 'DELETE'] },
          admin,
        ),
      ),
    ).toEqual([]);
  });

  test('an exact route of the same prefix takes the prefix path itself; the paths below are still refused', () => {
    const problems = problemsOf(
      spec(
        { prefix: '/v1', backend: APP, methods: ['GET', 'DELETE'] },
        { prefix: '/v1/admin', backend: APP, authPolicy: 'iam' },
        { prefix: '/v1/admin', backend: APP, methods: ['DELETE'], exact: true },
      ),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^spec\.routes\[1\]\.methods: does not route DELETE, which spec\.routes\[0\] .* DELETE \/v1\/admin\/… reaches it/),
    ]);
  });

  test('one problem per route around, naming its own methods', () => {
    const problems = problemsOf(
      spec(
        { prefix: '/', backend: APP, methods: ['PUT'] },
        { prefix: '/v1', backend: APP, methods: ['DELETE'], authPolicy: 'partner' },
        { prefix: '/v1/admin', backend: APP, authPolicy: 'iam' },
      ),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^spec\.routes\[1\]\.methods: does not route PUT, which spec\.routes\[0\] \(\/, public\) then serves below \/v1 /),
      expect.stringMatching(/^spec\.routes\[2\]\.methods: does not route PUT, which spec\.routes\[0\] \(\/, public\)/),
      expect.stringMatching(/^spec\.routes\[2\]\.methods: does not route DELETE, which spec\.routes\[1\] \(\/v1, auth policy "partner"\)/),
    ]);
  });
});

describe('a less protected route that a normalizing server reads as a protected path', () => {
  const admin = { prefix: '/v1/admin', backend: APP, authPolicy: 'iam' };

  test.each(['/v1/ADMIN', '/v1/Admin/users', '/v1/admin.json', '/v1/admin;x', '/v1/admin~x'.replace('~', '.')])(
    '%s beside /v1/admin is refused',
    (prefix) => {
      expect(problemsOf(spec({ prefix, backend: APP }, admin))).toEqual([
        `spec.routes[0].prefix: sends ${prefix} to a backend server that spec.routes[1] protects at /v1/admin with auth policy "iam", and a ` +
          `server that ignores case, ';' parameters, trailing dots or suffixes reads one as the other (got "${prefix}") — give this route ` +
          'auth policy "iam", another backend, or a prefix no server reads as the protected one',
      ]);
    },
  );

  test.each(['/v1/admin/health', '/v1/admins', '/v1/admin-tools', '/v1/administrators', '/v1'])('%s beside /v1/admin passes', (prefix) => {
    expect(problemsOf(spec({ prefix, backend: APP }, admin))).toEqual([]);
  });

  test('on another backend, or under the same auth policy, it passes', () => {
    expect(problemsOf(spec({ prefix: '/v1/ADMIN', backend: 'http://web.hanzo.svc' }, admin))).toEqual([]);
    expect(problemsOf(spec({ prefix: '/v1/ADMIN', backend: APP, authPolicy: 'iam' }, admin))).toEqual([]);
  });

  test('an exact protected route: only a spelling of its own path is refused', () => {
    const exact = { ...admin, exact: true };
    expect(problemsOf(spec({ prefix: '/v1/ADMIN', backend: APP }, exact))).toHaveLength(1);
    expect(problemsOf(spec({ prefix: '/v1/ADMIN/x', backend: APP }, exact))).toEqual([]);
  });
});

test('a hostile table whose protected paths would take millions of comparisons is refused as a whole, fast', () => {
  // GIVEN 500 routes of 490 segments that all share one key path (`a;0`, `a;1`, … read alike), half protected
  const deep = '/a'.repeat(490);
  const routes = Array.from({ length: 500 }, (_, i) => ({ prefix: `/a;${i}${deep}`, backend: APP, ...(i % 2 ? { authPolicy: 'iam' } : {}) }));

  // WHEN it is validated
  const started = Date.now();
  const problems = problemsOf(spec(...routes));

  // THEN one problem says so at spec.routes, within the CLI's time
  expect(problems).toEqual([
    'spec.routes: relates more protected paths on shared backend servers than can be checked (over 2,000,000 path comparisons) ' +
      '(got 500 routes) — split the routes over several Gateways, one per backend server',
  ]);
  expect(Date.now() - started).toBeLessThan(1500);
});

/**
 * The order of the route problems, which the split of checkRoutes by job (a route's own fields, its
 * policy references, the collisions between routes) keeps: each route's problems in the order of
 * its fields, a collision with an earlier route right after them, the table-wide collisions last.
 * The expected list was recorded from checkRoutes before the split.
 */
import { validateSpec } from '../../lib';

const CHAT = 'http://chat.hanzo.svc:80';

test('problems of every job, over several routes, in one order', () => {
  const spec = {
    routes: [
      { prefix: '/a', backend: CHAT, methods: ['GET'] },
      { prefix: '/a', backend: 'nope', methods: ['GET'], authPolicy: 'missing', prefixDepth: 99, timeout: 'x', inputHeaders: ['X-User-Id'] },
      { prefix: 'b', backend: CHAT, exact: true, prefixDepth: 1, rateLimit: 'none' },
      { prefix: '/c', backend: CHAT, exact: true },
      { prefix: '/c', backend: CHAT, prefixDepth: 0, rateLimit: 'per-user' },
    ],
    rateLimits: [{ name: 'per-user', maxRate: 1, every: '1s', key: 'user' }],
  };
  expect(validateSpec(spec).map((p) => `${p.path}: ${p.message}`)).toEqual([
    'spec.routes[1].backend: must be an absolute URL (got "nope") — http(s)://host[:port][/base/path], e.g. http://chat.hanzo.svc:80',
    'spec.routes[1].timeout: must be a duration such as 500ms, 10s, 1m or 1h (got "x")',
    'spec.routes[1].authPolicy: unknown auth policy "missing" (defined: none)',
    'spec.routes[1].prefixDepth: must be an integer from 0 to 16 (got 99)',
    'spec.routes[1].methods: GET /a is already routed by spec.routes[0] (two prefix routes) — remove the method from one of them, or make one exact',
    'spec.routes[2].prefix: must start with \'/\' (got "b") — e.g. /b',
    'spec.routes[2].rateLimit: unknown rate limit "none" (defined: "per-user")',
    'spec.routes[2].prefixDepth: must not be set on an exact route, which serves its prefix alone (got 1) — ' +
      'remove prefixDepth, or exact to serve the paths below',
    'spec.routes[4].rateLimit: rate limit "per-user" counts per user, but the route has no authPolicy to identify users — ' +
      'add an authPolicy or use a limit with key ip or global',
    'spec.routes[4].prefixDepth: is 0 beside the exact route spec.routes[3] on GET /c, so this route serves nothing (got 0) — ' +
      'raise its prefixDepth to serve the paths below, or remove the method from it',
  ]);
});

/**
 * Path tricks on a public parent of a protected prefix (`/v1` public, `/v1/admin` behind a JWT, one
 * backend): gin routes the raw path, so `//`, `/./` and `/../` would match the public `/v1/{p1}/…`
 * endpoints and reach the backend unauthenticated, with a path a normalizing backend serves as
 * `/v1/admin`. The rendered `remove_extra_slash` makes gin clean them first. Replayed in Debian's
 * real gin (test/ginengine) with the rendered router options, and once without the option, to show
 * what it closes. `;` and case variants are not cleaned by gin: see docs/design.md.
 */
import { renderKrakendConfig } from '../../lib';
import { pathReplay, skipNotice } from '../support/conformance';

const spec = {
  routes: [
    { prefix: '/v1', backend: 'http://app.hanzo.svc:80' },
    { prefix: '/v1/admin', backend: 'http://app.hanzo.svc:80', authPolicy: 'iam' },
  ],
  authPolicies: [{ name: 'iam', type: 'jwt' as const, iamEndpoint: 'https://hanzo.id', jwksUrl: 'https://hanzo.id/jwks' }],
};

// Each trick, and the protected endpoint it must land on.
const TRICKS = [
  'GET /v1/admin /v1/admin',
  'GET /v1//admin /v1/admin',
  'GET /v1/./admin /v1/admin',
  'GET /v1/x/../admin /v1/admin',
  'GET /v1/%2e%2e/v1/admin /v1/admin',
  'GET /v1/%2e/admin /v1/admin',
  'GET /v1//admin/users /v1/admin/{p2}',
  'GET /v1/admin/.//users /v1/admin/{p2}',
  'GET /v1/admin%2Fusers /v1/admin/{p2}',
];

test('the rendered router cleans //, . and .. before routing', () => {
  expect(renderKrakendConfig(spec).extra_config.router.remove_extra_slash).toBe(true);
});

test('every path trick lands on the JWT endpoint, in a real gin engine with the rendered options', () => {
  const failures = pathReplay(renderKrakendConfig(spec), TRICKS);
  if (failures === undefined) return skipNotice('ginengine', 'go or Debian gin missing');
  expect(failures).toEqual([]);
});

test('without remove_extra_slash the same tricks reach the public endpoints (what the option closes)', () => {
  const config = renderKrakendConfig(spec);
  const { remove_extra_slash: _removed, ...router } = config.extra_config.router;
  const failures = pathReplay({ ...config, extra_config: { ...config.extra_config, router } }, TRICKS);
  if (failures === undefined) return skipNotice('ginengine', 'go or Debian gin missing');
  expect(failures).toEqual(expect.arrayContaining([expect.stringMatching(/^FAIL GET \/v1\/\/admin -> \/v1\/\{p1\}\/\{p2\}/)]));
  expect(failures.length).toBeGreaterThanOrEqual(6);
});

test('not closed by gin: a `;` segment and a case variant still match the public route (documented limit)', () => {
  const failures = pathReplay(renderKrakendConfig(spec), ['GET /v1/admin;/x /v1/{p1}/{p2}', 'GET /v1/ADMIN /v1/{p1}']);
  if (failures === undefined) return skipNotice('ginengine', 'go or Debian gin missing');
  expect(failures).toEqual([]);
});

/**
 * JWT validation end to end: the real KrakenD CE (`krakend run`) serves exactly the krakend.json the
 * Gateway construct renders, in front of a stub backend and an IAM serving a JWKS, all on 127.0.0.1.
 * It proves that a bad token never reaches a backend, that a good one reaches it with the identity
 * headers taken from its claims, and that a client can never choose those headers itself.
 *
 * KrakenD facts relied on, each checked by a test below:
 * - krakend-jose (`gin/jose.go`, TokenSignatureValidator) answers 401 and stops when the token is
 *   missing, unparsable, signed with another algorithm than the configured RS256 (go-auth0
 *   `ValidateTokenHeaders`), signed by a key not in the set (`jwk.go`, the key is looked up by `kid`
 *   in the JWKS), or when go-jose's `jwt.Expected` check fails (`ValidateWithLeeway`, with a leeway of
 *   1 s: `exp`, `nbf`, `iss`, and every configured audience must be in `aud`).
 * - `propagateHeaders` (`gin/jose.go`) sets each `propagate_claims` header with `Header.Set`,
 *   replacing every copy the client sent; `CalculateHeadersToPropagate` and `Claims.Get`
 *   (`jose.go`) read a dotted name as a path into nested claims, join a list with `,`, write an
 *   object as JSON, a whole number without decimals, another number with six, and a missing claim
 *   as an empty value.
 * - lura (`router/gin/endpoint.go`, NewRequest) forwards only the client headers of `input_headers`;
 *   the validator runs before it, so the propagated values are what it forwards.
 * - With `cache: true` the key set is fetched once and kept (`jwk.go`, SecretProvider: 15 minutes).
 */
import { GatewaySpec } from '../../lib';
import { describeWithKrakend, RunningKrakend, serveGateway, stopAllKrakends } from '../support/krakend';
import { Issuer, send, startIssuer, startStub, StubBackend } from '../support/peers';
import { bearer, forwardingAllHeaders, nowSeconds, receivedHeaders, serveAltered } from './auth-support';

/** The headers the `iam` policy sets from claims. */
const IAM_HEADERS = ['X-User-Id', 'X-Org-Id', 'X-Roles', 'X-Groups', 'X-Quota', 'X-Ratio', 'X-Profile'];

/** One gateway for every test of this file: a route per policy, and a public route. */
function jwtSpec(iam: Issuer, backend: StubBackend): GatewaySpec {
  const jwt = { type: 'jwt', iamEndpoint: iam.iss, jwksUrl: iam.jwksUrl, allowInsecureJwks: true } as const;
  return {
    authPolicies: [
      {
        ...jwt,
        name: 'iam',
        propagateClaims: [
          { claim: 'realm_access.roles', header: 'X-Roles' },
          { claim: 'groups', header: 'X-Groups' },
          { claim: 'quota', header: 'X-Quota' },
          { claim: 'ratio', header: 'X-Ratio' },
          { claim: 'profile', header: 'X-Profile' },
        ],
      },
      { ...jwt, name: 'one-audience', audience: ['api'] },
      { ...jwt, name: 'two-audiences', audience: ['api', 'admin'] },
      { ...jwt, name: 'custom-claims', userIdClaim: 'email', orgIdClaim: 'tenant.id' },
    ],
    routes: [
      { prefix: '/jwt', backend: backend.url, authPolicy: 'iam', exact: true },
      { prefix: '/one-audience', backend: backend.url, authPolicy: 'one-audience', exact: true },
      { prefix: '/two-audiences', backend: backend.url, authPolicy: 'two-audiences', exact: true },
      { prefix: '/custom', backend: backend.url, authPolicy: 'custom-claims', exact: true },
      { prefix: '/public', backend: backend.url, exact: true },
    ],
  };
}

describeWithKrakend('JWT validation in krakend run', (bin) => {
  let iam: Issuer;
  let backend: StubBackend;
  let gateway: RunningKrakend;

  beforeAll(async () => {
    iam = await startIssuer();
    backend = await startStub();
    gateway = await serveGateway(bin, jwtSpec(iam, backend));
  }, 60_000);

  afterAll(async () => {
    await stopAllKrakends();
    await backend?.close();
    await iam?.close();
  });

  beforeEach(() => backend.clear());

  describe('a request without a valid token gets 401 and never reaches the backend', () => {
    const cases: Array<[string, () => Record<string, string>]> = [
      ['no Authorization header', () => ({})],
      ['an empty bearer token', () => ({ Authorization: 'Bearer ' })],
      ['a token that is not a JWT', () => bearer('not-a-jwt')],
      ['a JWT whose signature is cut off', () => bearer(iam.sign().split('.').slice(0, 2).join('.'))],
      ['a JWT with a garbled payload', () => bearer(iam.sign().replace(/\.[^.]+\./, '.e30x.'))],
      ['a token expired an hour ago', () => bearer(iam.sign({ iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 }))],
      ['a token expired 10 s ago (beyond the 1 s leeway)', () => bearer(iam.sign({ exp: nowSeconds() - 10 }))],
      ['a token not valid before an hour from now (nbf)', () => bearer(iam.sign({ nbf: nowSeconds() + 3600 }))],
      ['a token of another issuer', () => bearer(iam.sign({ iss: 'https://evil.test' }))],
      ['a token without an issuer', () => bearer(iam.sign({ iss: undefined }))],
      ['an unsigned token (alg none)', () => bearer(iam.sign({}, { key: 'none' }))],
      ['an HS256 token keyed with the public key', () => bearer(iam.sign({}, { key: { hmacSecret: Buffer.from(iam.publicPem) } }))],
      ['a token of a key not in the set, under an unknown kid', () => bearer(iam.sign({}, { kid: 'stranger', key: iam.strangerKey }))],
      ['a token of a key not in the set, under the served kid', () => bearer(iam.sign({}, { key: iam.strangerKey }))],
      ['a valid token sent without the Bearer scheme', () => ({ Authorization: `Token ${iam.sign()}` })],
    ];

    test.each(cases)('%s', async (_name, headers) => {
      const res = await send(gateway.url, { path: '/jwt', headers: headers() });

      expect(res.status).toBe(401);
      expect(res.text).toBe('');
      expect(backend.requests).toHaveLength(0);
    });

    test('the same tokens are refused on every route of a policy', async () => {
      const expired = bearer(iam.sign({ exp: nowSeconds() - 3600 }));
      const stranger = bearer(iam.sign({}, { key: iam.strangerKey }));
      const statuses: number[] = [];
      for (const path of ['/one-audience', '/two-audiences', '/custom']) {
        for (const headers of [{}, expired, stranger]) statuses.push((await send(gateway.url, { path, headers })).status);
      }

      expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 401, 401, 401]);
      expect(backend.requests).toHaveLength(0);
    });
  });

  test('a valid token reaches the backend with X-User-Id, X-Org-Id and each propagated claim, in krakend-jose text form', async () => {
    // GIVEN
    const token = iam.sign({
      sub: 'user-42',
      owner: 'org-7',
      realm_access: { roles: ['admin', 'billing'] },
      groups: ['eng', 7, true],
      quota: 1000,
      ratio: 2.5,
      profile: { plan: 'pro', seats: 3 },
    });

    // WHEN
    const res = await send(gateway.url, { path: '/jwt?q=1', headers: bearer(token) });

    // THEN
    expect(res.status).toBe(200);
    expect(backend.requests).toHaveLength(1);
    const received = backend.requests[0];
    expect(received.url).toBe('/jwt?q=1');
    expect(receivedHeaders(received, IAM_HEADERS)).toEqual({
      'x-user-id': ['user-42'],
      'x-org-id': ['org-7'],
      'x-roles': ['admin,billing'],
      'x-groups': ['eng,7,true'],
      'x-quota': ['1000'],
      'x-ratio': ['2.500000'],
      'x-profile': ['{"plan":"pro","seats":3}'],
    });
    // 127.0.0.1 is not a cluster Service: the client's token is not forwarded to it.
    expect(received.headers.authorization).toBeUndefined();
  });

  test('a valid token without the optional claims reaches the backend with each of their headers present and empty', async () => {
    // A token without the user claim is refused (test/e2e/jwt-hardening.test.ts).
    const res = await send(gateway.url, { path: '/jwt', headers: bearer(iam.sign()) });

    expect(res.status).toBe(200);
    expect(receivedHeaders(backend.requests[0], IAM_HEADERS)).toEqual({
      'x-user-id': ['user-1'],
      'x-org-id': [''],
      'x-roles': [''],
      'x-groups': [''],
      'x-quota': [''],
      'x-ratio': [''],
      'x-profile': [''],
    });
  });

  test('a dotted claim whose parent is not an object is sent empty', async () => {
    const res = await send(gateway.url, { path: '/jwt', headers: bearer(iam.sign({ realm_access: ['admin'], 'realm_access.roles': 'flat' })) });

    expect(res.status).toBe(200);
    expect(receivedHeaders(backend.requests[0], ['X-Roles'])).toEqual({ 'x-roles': [''] });
  });

  describe('identity headers sent by the client never reach the backend with the client value', () => {
    const forgeries: Array<[string, Record<string, string | string[]>]> = [
      ['in canonical case', { 'X-User-Id': 'forged-user', 'X-Org-Id': 'forged-org', 'X-Roles': 'forged-role' }],
      ['in lower case', { 'x-user-id': 'forged-user', 'x-org-id': 'forged-org', 'x-roles': 'forged-role' }],
      ['in upper case', { 'X-USER-ID': 'forged-user', 'X-ORG-ID': 'forged-org', 'X-ROLES': 'forged-role' }],
      [
        'each sent twice',
        { 'X-User-Id': ['forged-user', 'forged-user-2'], 'x-org-id': ['forged-org', 'forged-org-2'], 'X-ROLES': ['forged-role', 'forged-role-2'] },
      ],
    ];
    const forged = ['X-User-Id', 'X-Org-Id', 'X-Roles'];

    test.each(forgeries)('on a public route they are not forwarded at all (%s)', async (_name, headers) => {
      const res = await send(gateway.url, { path: '/public', headers });

      expect(res.status).toBe(200);
      expect(backend.requests).toHaveLength(1);
      expect(receivedHeaders(backend.requests[0], forged)).toEqual({});
    });

    test.each(forgeries)('on a JWT route the claims replace them (%s)', async (_name, headers) => {
      const token = iam.sign({ sub: 'user-42', owner: 'org-7', realm_access: { roles: ['admin'] } });

      const res = await send(gateway.url, { path: '/jwt', headers: { ...headers, ...bearer(token) } });

      expect(res.status).toBe(200);
      expect(receivedHeaders(backend.requests[0], forged)).toEqual({ 'x-user-id': ['user-42'], 'x-org-id': ['org-7'], 'x-roles': ['admin'] });
    });

    test.each(forgeries)('on a JWT route a token without the optional claims replaces them with empty values (%s)', async (_name, headers) => {
      const res = await send(gateway.url, { path: '/jwt', headers: { ...headers, ...bearer(iam.sign()) } });

      expect(res.status).toBe(200);
      expect(receivedHeaders(backend.requests[0], forged)).toEqual({ 'x-user-id': ['user-1'], 'x-org-id': [''], 'x-roles': [''] });
    });

    test.each(forgeries)('on a JWT route with a bad token they go nowhere: 401 (%s)', async (_name, headers) => {
      const res = await send(gateway.url, { path: '/jwt', headers: { ...headers, ...bearer(iam.sign({}, { key: iam.strangerKey })) } });

      expect(res.status).toBe(401);
      expect(backend.requests).toHaveLength(0);
    });
  });

  describe('audience', () => {
    const cases: Array<[string, string, unknown, number]> = [
      ['/one-audience', 'api', 'api', 200],
      ['/one-audience', 'api', ['api'], 200],
      ['/one-audience', 'api', ['web', 'api'], 200],
      ['/one-audience', 'api', undefined, 401],
      ['/one-audience', 'api', 'web', 401],
      ['/one-audience', 'api', [], 401],
      ['/one-audience', 'api', 'API', 401],
      ['/two-audiences', 'api and admin', ['api'], 401],
      ['/two-audiences', 'api and admin', 'admin', 401],
      ['/two-audiences', 'api and admin', undefined, 401],
      ['/two-audiences', 'api and admin', ['api', 'admin'], 200],
      ['/two-audiences', 'api and admin', ['admin', 'web', 'api'], 200],
    ];

    test.each(cases)('%s (audience %s), token aud %j: %d', async (path, _audience, aud, status) => {
      const res = await send(gateway.url, { path, headers: bearer(iam.sign({ aud })) });

      expect(res.status).toBe(status);
      expect(backend.requests).toHaveLength(status === 200 ? 1 : 0);
    });
  });

  test('a custom userIdClaim and a dotted orgIdClaim fill X-User-Id and X-Org-Id, and sub and owner are ignored', async () => {
    // GIVEN
    const token = iam.sign({ sub: 'user-1', owner: 'org-ignored', email: 'ada@example.com', tenant: { id: 'tenant-9' } });

    // WHEN
    const res = await send(gateway.url, { path: '/custom', headers: { ...bearer(token), 'X-User-Id': 'forged-user', 'X-Org-Id': 'forged-org' } });

    // THEN
    expect(res.status).toBe(200);
    expect(receivedHeaders(backend.requests[0], IAM_HEADERS)).toEqual({ 'x-user-id': ['ada@example.com'], 'x-org-id': ['tenant-9'] });
  });

  test('the key set is cached: valid tokens do not fetch it again', async () => {
    // `email` is the user claim of /custom's policy.
    const token = iam.sign({ email: 'ada@example.com' });
    expect((await send(gateway.url, { path: '/jwt', headers: bearer(token) })).status).toBe(200);
    const fetches = iam.jwksFetches();

    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await send(gateway.url, { path: '/custom', headers: bearer(token) })).status);

    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    expect(iam.jwksFetches()).toBe(fetches);
  });

  test('each token under a new kid the set lacks makes KrakenD fetch the key set again, during the request', async () => {
    // A kid refused once is refused without a fetch for unknownKeyCooldown (test/e2e/jwt-hardening.test.ts).
    const fetches = iam.jwksFetches();

    const statuses: number[] = [];
    for (const kid of ['rotated-away-1', 'rotated-away-2', 'rotated-away-3']) {
      statuses.push((await send(gateway.url, { path: '/jwt', headers: bearer(iam.sign({}, { kid, key: iam.strangerKey })) })).status);
    }

    expect(statuses).toEqual([401, 401, 401]);
    expect(iam.jwksFetches() - fetches).toBe(3);
  });

  test('the rendered input_headers matter: with ["*"] instead, a public route forwards forged identity headers and the token', async () => {
    // GIVEN the same spec, served with every endpoint's input_headers replaced by ["*"]
    const altered = await serveAltered(bin, jwtSpec(iam, backend), forwardingAllHeaders);

    // WHEN
    const res = await send(altered.url, {
      path: '/public',
      headers: { 'X-User-Id': 'forged-user', 'X-Org-Id': 'forged-org', Authorization: 'Bearer t' },
    });
    await altered.stop();

    // THEN
    expect(res.status).toBe(200);
    expect(receivedHeaders(backend.requests[0], ['X-User-Id', 'X-Org-Id', 'Authorization'])).toEqual({
      'x-user-id': ['forged-user'],
      'x-org-id': ['forged-org'],
      authorization: ['Bearer t'],
    });
  });
});

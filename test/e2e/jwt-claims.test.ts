/**
 * An auth policy's `alg`, `roles` and `scopes` in `krakend run`, against an IAM that publishes an RSA
 * and an EC P-256 key.
 *
 * KrakenD facts relied on, each checked below:
 * - krakend-jose checks a token's `alg` header against the policy's (go-auth0 validator, with the
 *   algorithm of jose.go's supportedAlgorithms): another algorithm is 401, whatever key signed it.
 * - A valid token without a required role or scope is 403, not 401 (gin/jose.go,
 *   TokenSignatureValidator). Roles: any one of them, from a list or a space-separated string
 *   (jose.go, CanAccess); a dotted roles key is a path only with roles_key_is_nested (CanAccessNested).
 *   Scopes: `any` or `all` of them (ScopesAnyMatcher, ScopesAllMatcher), from the claim `scopes_key`.
 */
import { AuthPolicySpec, GatewaySpec } from '../../lib';
import { describeWithKrakend, RunningKrakend, serveGateway, stopAllKrakends } from '../support/krakend';
import { Claims, Issuer, send, startIssuer, startStub, StubBackend } from '../support/peers';
import { bearer } from './auth-support';

function claimsSpec(iam: Issuer, backend: StubBackend): GatewaySpec {
  const policy = (name: string, extra: Partial<AuthPolicySpec>): AuthPolicySpec => ({
    name,
    type: 'jwt',
    iamEndpoint: iam.iss,
    jwksUrl: iam.jwksUrl,
    allowInsecureJwks: true,
    ...extra,
  });
  const policies = [
    policy('ec', { alg: 'ES256' }),
    policy('roles', { roles: ['admin', 'ops'] }),
    policy('nested', { roles: ['admin'], rolesKey: 'realm.roles' }),
    policy('any-scope', { scopes: ['chat:read', 'chat:write'] }),
    policy('all-scopes', { scopes: ['chat:read', 'chat:write'], scopesMatcher: 'all', scopesKey: 'scp' }),
  ];
  return {
    authPolicies: policies,
    routes: policies.map((p) => ({ prefix: `/${p.name}`, backend: backend.url, exact: true, authPolicy: p.name })),
  };
}

describeWithKrakend('JWT algorithms, roles and scopes in krakend run', (bin) => {
  let iam: Issuer;
  let backend: StubBackend;
  let gateway: RunningKrakend;
  const status = async (path: string, token: string) => (await send(gateway.url, { path, headers: bearer(token) })).status;
  const rs = (claims: Claims = {}) => iam.sign(claims);
  const es = (claims: Claims = {}) => iam.sign(claims, { alg: 'ES256' });

  beforeAll(async () => {
    iam = await startIssuer();
    backend = await startStub();
    gateway = await serveGateway(bin, claimsSpec(iam, backend));
  }, 60_000);
  afterAll(async () => {
    await stopAllKrakends();
    await Promise.all([iam?.close(), backend?.close()]);
  });

  test('an ES256 policy accepts an ES256 token and refuses an RS256 one with 401; an RS256 policy refuses ES256', async () => {
    expect(await status('/ec', es())).toBe(200);
    expect(await status('/ec', rs())).toBe(401);
    // An EC signature under the RSA key's id: refused too.
    expect(await status('/ec', iam.sign({}, { alg: 'ES256', kid: 'test-key' }))).toBe(401);
    expect(await status('/roles', es({ roles: ['admin'] }))).toBe(401);
    expect(await status('/roles', rs({ roles: ['admin'] }))).toBe(200);
  });

  test('roles: any one of them, from a list or a space-separated string; none of them or no claim is 403', async () => {
    expect(await status('/roles', rs({ roles: ['ops'] }))).toBe(200);
    expect(await status('/roles', rs({ roles: 'viewer admin' }))).toBe(200);
    expect(await status('/roles', rs({ roles: ['viewer'] }))).toBe(403);
    expect(await status('/roles', rs())).toBe(403);
  });

  test('a dotted rolesKey reads the nested claim, not a top-level one', async () => {
    expect(await status('/nested', rs({ realm: { roles: ['admin'] } }))).toBe(200);
    expect(await status('/nested', rs({ roles: ['admin'] }))).toBe(403);
    expect(await status('/nested', rs({ 'realm.roles': ['admin'] }))).toBe(403);
  });

  test('scopes: any of them by default, from the scope claim; all of them with scopesMatcher all, from scopesKey', async () => {
    expect(await status('/any-scope', rs({ scope: 'profile chat:write' }))).toBe(200);
    expect(await status('/any-scope', rs({ scope: 'profile' }))).toBe(403);
    expect(await status('/any-scope', rs())).toBe(403);
    expect(await status('/all-scopes', rs({ scp: ['chat:write', 'chat:read'] }))).toBe(200);
    expect(await status('/all-scopes', rs({ scp: 'chat:read' }))).toBe(403);
    expect(await status('/all-scopes', rs({ scope: 'chat:read chat:write' }))).toBe(403);
  });

  test('a refused token never reaches the backend', async () => {
    backend.clear();
    await status('/roles', rs({ roles: ['viewer'] }));
    await status('/ec', rs());
    expect(backend.requests).toHaveLength(0);
  });
});
